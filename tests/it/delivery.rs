//! Exactly one post per slot: normal runs, crashes, retries, permanent failures,
//! and the catch-up rule after downtime.

use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use chrono::Duration;
use hearth::platform::SendError;

use crate::support::app::{TestApp, utc};

#[tokio::test]
async fn a_slot_is_posted_once_at_its_time() {
    let app = TestApp::new().await;
    let sid = app
        .couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    assert_eq!(app.tick().await.posted, 0, "nothing is due at noon");
    app.set(utc(2026, 6, 1, 20, 0));
    let r = app.tick().await;
    assert_eq!((r.queued, r.posted), (1, 1));
    assert_eq!(app.tick().await.posted, 0, "a second tick posts nothing");
    app.advance(Duration::minutes(30));
    assert_eq!(app.tick().await.posted, 0);
    assert_eq!(app.fake.post_count(), 1);
    let rows = app.hearth.store.deliveries_of_schedule(sid).await.unwrap();
    assert_eq!(
        rows,
        vec![(utc(2026, 6, 1, 20, 0).timestamp(), "posted".to_string())]
    );
    let post = &app.fake.posts()[0];
    assert_eq!(post.kind, "conversation");
    assert!(!post.text.is_empty());
    assert_eq!(post.reactions, vec!["❤️", "✅", "🔁", "⭐"]);
}

#[tokio::test]
async fn crash_between_claim_and_send_posts_once_after_restart() {
    let mut app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    let (claimed, queued, _) = app.engine.claim_due(app.now()).await.unwrap();
    assert_eq!((claimed, queued), (1, 1));
    // The process dies here: rows are claimed, nothing sent. A new engine starts.
    app.restart_engine();
    // Claiming again (a second process, or the restart) must not add a delivery.
    assert_eq!(app.engine.claim_due(app.now()).await.unwrap().1, 0);
    app.advance(Duration::minutes(1));
    assert_eq!(app.tick().await.posted, 1);
    assert_eq!(app.tick().await.posted, 0);
    assert_eq!(app.fake.post_count(), 1);
}

#[tokio::test]
async fn crash_between_send_and_record_does_not_post_twice() {
    let mut app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    // Beyond the platform's own dedupe window: only our check can prevent a repeat.
    app.fake.dedupe_keys.store(false, Ordering::SeqCst);
    app.fake.hang_after_post.store(true, Ordering::SeqCst);
    app.set(utc(2026, 6, 1, 20, 0));
    let engine = std::mem::replace(
        &mut app.engine,
        hearth::engine::Engine::new(app.hearth.clone(), hearth::platform::Platforms::new()),
    );
    let now = app.now();
    let task = tokio::spawn(async move { engine.tick(now).await });
    for _ in 0..200 {
        if app.fake.post_count() == 1 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    assert_eq!(app.fake.post_count(), 1, "the post reached the platform");
    task.abort(); // the process dies before recording the message id
    let _ = task.await;
    app.fake.hang_after_post.store(false, Ordering::SeqCst);
    app.restart_engine();
    // Within the lease nobody takes it over; after the lease the restart checks.
    assert_eq!(app.tick().await.posted, 0);
    app.advance(Duration::seconds(61));
    let r = app.tick().await;
    assert_eq!(
        r.posted, 1,
        "recorded as posted from what the platform shows"
    );
    assert_eq!(app.fake.post_count(), 1, "and not posted again");
    assert!(app.fake.find_calls.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn transient_failures_retry_with_backoff_and_post_once() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.fake.fail_next(SendError::Transient {
        reason: "HTTP 500".into(),
        retry_after: None,
    });
    app.fake.fail_next(SendError::Transient {
        reason: "HTTP 429".into(),
        retry_after: Some(StdDuration::from_secs(30)),
    });
    app.set(utc(2026, 6, 1, 20, 0));
    assert_eq!(app.tick().await.retried, 1);
    assert_eq!(app.tick().await.posted, 0, "not before the backoff");
    app.advance(Duration::seconds(5));
    assert_eq!(app.tick().await.retried, 1, "second attempt: rate limited");
    app.advance(Duration::seconds(20));
    assert_eq!(app.tick().await.posted, 0, "retry-after (30 s) is honoured");
    app.advance(Duration::seconds(10));
    assert_eq!(app.tick().await.posted, 1);
    assert_eq!(app.fake.post_count(), 1);
}

#[tokio::test]
async fn permanent_failure_stops_the_schedule_and_tells_moderators_once() {
    let app = TestApp::new().await;
    let sid = app
        .couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.fake.fail_next(SendError::Permanent {
        reason: "missing permission to post in this channel".into(),
    });
    app.set(utc(2026, 6, 1, 20, 0));
    assert_eq!(app.tick().await.failed, 1);
    let s = app.hearth.store.schedule(sid).await.unwrap().unwrap();
    assert!(!s.enabled);
    assert_eq!(s.next_slot_at, None);
    assert!(s.disabled_reason.unwrap().contains("missing permission"));
    assert_eq!(app.fake.notices().len(), 1);
    assert!(app.fake.notices()[0].contains(&format!("schedule resume {sid}")));
    app.advance(Duration::days(2));
    assert_eq!(
        app.tick().await,
        hearth::engine::TickReport::default(),
        "a stopped schedule stays quiet"
    );
    assert_eq!(app.fake.notices().len(), 1, "told once");
    let list = app.moderator("schedule list").await;
    assert!(
        list.text.contains("stopped: missing permission"),
        "{}",
        list.text
    );
    // A moderator fixes it and resumes.
    let r = app.moderator(&format!("schedule resume {sid}")).await;
    assert!(!r.is_error, "{}", r.text);
    app.set(utc(2026, 6, 4, 20, 0));
    assert_eq!(app.tick().await.posted, 1);
}

#[tokio::test]
async fn giving_up_after_max_attempts_is_recorded_not_silent() {
    let app = TestApp::with_config(|c| c.engine.max_attempts = 2).await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    for _ in 0..2 {
        app.fake.fail_next(SendError::Transient {
            reason: "timeout".into(),
            retry_after: None,
        });
    }
    app.set(utc(2026, 6, 1, 20, 0));
    assert_eq!(app.tick().await.retried, 1);
    app.advance(Duration::minutes(1));
    assert_eq!(app.tick().await.failed, 1);
    let export = app.member("alice", "export").await;
    let json: serde_json::Value =
        serde_json::from_slice(&export.attachment.unwrap().content).unwrap();
    let d = &json["deliveries"][0];
    assert_eq!(d["state"], "failed");
    assert!(
        d["last_error"]
            .as_str()
            .unwrap()
            .contains("gave up after 2 attempts")
    );
}

/// Rate limits are waited out, however long: a send the platform refused with a time
/// to come back does not use up attempts (here twice as many as allowed).
#[tokio::test]
async fn rate_limits_never_use_up_attempts() {
    let app = TestApp::with_config(|c| c.engine.max_attempts = 2).await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    for _ in 0..4 {
        app.fake.fail_next(SendError::Transient {
            reason: "HTTP 429".into(),
            retry_after: Some(StdDuration::from_secs(5)),
        });
    }
    app.set(utc(2026, 6, 1, 20, 0));
    for n in 1..=4 {
        assert_eq!(app.tick().await.retried, 1, "attempt {n}: rate limited");
        app.advance(Duration::minutes(10));
    }
    assert_eq!(app.tick().await.posted, 1);
    assert_eq!(app.fake.post_count(), 1);
}

#[tokio::test]
async fn downtime_within_grace_delivers_late_once() {
    let app = TestApp::new().await;
    let sid = app
        .couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    // The bot was down from 19:00 to 21:30: the 20:00 slot is 90 min late, within 2 h.
    app.set(utc(2026, 6, 1, 21, 30));
    let r = app.tick().await;
    assert_eq!((r.posted, r.skipped), (1, 0));
    let rows = app.hearth.store.deliveries_of_schedule(sid).await.unwrap();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn long_downtime_skips_old_slots_without_a_burst() {
    let app = TestApp::new().await;
    let sid = app
        .couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    // Down for three days, back at 23:00: every missed slot is older than 2 h.
    app.set(utc(2026, 6, 4, 23, 0));
    let r = app.tick().await;
    assert_eq!(r.posted, 0, "never a burst of old prompts");
    assert_eq!(r.skipped, 4);
    let rows = app.hearth.store.deliveries_of_schedule(sid).await.unwrap();
    assert!(rows.iter().all(|(_, s)| s == "skipped"));
    // The next slot is tomorrow, on time.
    app.set(utc(2026, 6, 5, 20, 0));
    assert_eq!(app.tick().await.posted, 1);
}

#[tokio::test]
async fn downtime_with_one_slot_in_grace_posts_only_the_latest() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 3, 21, 0));
    let r = app.tick().await;
    assert_eq!((r.posted, r.skipped), (1, 2));
    assert_eq!(app.fake.post_count(), 1);
}
