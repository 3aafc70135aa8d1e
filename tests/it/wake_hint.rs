//! An idle engine keeps what its last wake-up read while the database is unchanged;
//! any commit, by this process or another one on the same file, makes it read again.
//! Each test first lets the engine settle on a hint that would miss what is written
//! next.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use hearth::domain::PlatformKind;
use hearth::engine::Engine;
use hearth::platform::Platforms;
use hearth::platform::shell::shell_channel;
use hearth::store::{NewSchedule, Store};

use crate::support::app::{TestApp, channel, utc};
use crate::support::fake_platform::FakePlatform;

/// Two idle wake-ups at the app's time: the first reads and keeps a hint, the second
/// runs on it. Returns how long the engine would sleep.
async fn settle(engine: &Engine, now: DateTime<Utc>) -> StdDuration {
    for _ in 0..2 {
        let (r, _) = engine.wake(now).await.expect("wake");
        assert_eq!(
            r,
            hearth::engine::TickReport::default(),
            "nothing is due yet"
        );
    }
    engine.wake(now).await.expect("wake").1
}

/// The database as a second process sees it: a `Store` of its own on the same file.
async fn second_store(app: &TestApp) -> Store {
    Store::open(&app.hearth.config.database)
        .await
        .expect("second store")
}

#[tokio::test]
async fn the_change_stamp_moves_with_every_commit_and_only_then() {
    let app = TestApp::new().await;
    let store = &app.hearth.store;
    let first = store.change_stamp().expect("a stamp");
    assert_eq!(store.change_stamp(), Some(first), "nothing was written");
    let other = second_store(&app).await;
    other
        .queue_notice(&channel(), "from elsewhere", None, 0)
        .await
        .unwrap();
    let after_other = store.change_stamp().expect("a stamp");
    assert_ne!(after_other, first, "another store's commit");
    store
        .queue_notice(&channel(), "from here", None, 0)
        .await
        .unwrap();
    let after_own = store.change_stamp().expect("a stamp");
    assert_ne!(after_own, after_other, "a commit through this store's pool");
    assert_eq!(store.change_stamp(), Some(after_own));
    store.close().await;
    assert_eq!(store.change_stamp(), None, "a closed store tells nothing");
}

#[tokio::test]
async fn a_schedule_added_by_another_store_is_claimed_at_its_slot() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    // 12:00: the next slot is at 20:00, so the engine sleeps its longest.
    assert_eq!(
        settle(&app.engine, app.now()).await,
        StdDuration::from_secs(300)
    );
    let other = second_store(&app).await;
    let couple = other
        .couple_in_channel(&channel())
        .await
        .unwrap()
        .expect("the couple");
    let slot = utc(2026, 6, 1, 12, 2);
    other
        .add_schedule(
            &NewSchedule {
                couple_id: couple.id,
                kind: "appreciation",
                spec: "daily 12:02",
                timezone: "UTC",
                grace_secs: 7200,
                next_slot_at: Some(slot.timestamp()),
                thread: false,
                created_by: "elsewhere",
            },
            app.now().timestamp(),
        )
        .await
        .unwrap();
    let (_, wait) = app.engine.wake(app.now()).await.unwrap();
    assert_eq!(wait, StdDuration::from_secs(120), "wakes for the new slot");
    app.set(slot);
    let r = app.tick().await;
    assert_eq!((r.claimed, r.queued, r.posted), (1, 1, 1), "{r:?}");
    assert_eq!(app.fake.posts()[0].kind, "appreciation");
}

#[tokio::test]
async fn a_notice_queued_by_another_store_is_posted() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    settle(&app.engine, app.now()).await;
    let other = second_store(&app).await;
    other
        .queue_notice(&channel(), "Your suggestion was approved.", None, 0)
        .await
        .unwrap();
    app.tick().await;
    assert_eq!(app.fake.notices(), vec!["Your suggestion was approved."]);
}

#[tokio::test]
async fn a_delivery_queued_in_process_is_sent_at_once() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    settle(&app.engine, app.now()).await;
    let couple = app
        .hearth
        .store
        .couple_in_channel(&channel())
        .await
        .unwrap()
        .expect("the couple");
    app.hearth
        .store
        .enqueue_on_demand(couple.id, "conversation", "alice", app.now().timestamp())
        .await
        .unwrap();
    assert_eq!(app.tick().await.posted, 1);
    assert_eq!(app.fake.post_count(), 1);
}

#[tokio::test]
async fn a_hinted_time_that_has_come_is_not_slept_through() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 19, 58));
    assert_eq!(
        settle(&app.engine, app.now()).await,
        StdDuration::from_secs(120)
    );
    // Nothing was written since; only the clock moved.
    app.advance(Duration::minutes(2));
    assert_eq!(app.tick().await.posted, 1);
}

/// The `hearth` CLI, another process on the same file, sets up the shell's couple and
/// its default schedules while an engine serving the shell sits on a hint of "nothing
/// at all is waiting".
#[tokio::test]
async fn schedules_written_by_another_process_are_claimed() {
    let app = TestApp::new().await;
    let fake = Arc::new(FakePlatform::new(PlatformKind::Shell));
    let engine = Engine::new(app.hearth.clone(), Platforms::new().with(fake.clone()));
    assert_eq!(
        settle(&engine, app.now()).await,
        StdDuration::from_secs(300)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("shell")
        .current_dir(app.dir.path())
        .env_remove("HEARTH_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run hearth shell");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let couple = app
        .hearth
        .store
        .couple_in_channel(&shell_channel())
        .await
        .unwrap()
        .expect("the CLI made the shell's couple");
    let first = app
        .hearth
        .store
        .schedules_of_couple(couple.id)
        .await
        .unwrap()
        .iter()
        .filter_map(|s| s.next_slot_at)
        .min()
        .expect("the CLI's schedules have next slots");
    let at = DateTime::from_timestamp(first, 0).expect("a time");
    let r = engine.tick(at).await.unwrap();
    assert!(r.claimed >= 1 && r.posted >= 1, "{r:?}");
    assert_eq!(fake.post_count(), r.posted);
    assert_eq!(fake.posts()[0].channel, shell_channel());
}
