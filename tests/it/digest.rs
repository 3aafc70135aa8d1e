//! The appreciation jar and the weekly digest, over simulated weeks: what the digest
//! says, that each slot is posted once (restarts and retries included), that it
//! follows the couple's timezone and choices, and that the jar is theirs to export
//! and delete.

use hearth::domain::Actor;
use hearth::platform::SendError;
use hearth::reactions::on_reaction;

use crate::support::app::{TestApp, channel, reaction, utc};

async fn couple_id(app: &TestApp) -> i64 {
    app.hearth
        .store
        .couple_in_channel(&channel())
        .await
        .unwrap()
        .expect("couple")
        .id
}

/// alice & sam in Berlin, conversation prompts Mon/Wed/Fri 19:00 and an
/// appreciation prompt Tuesdays at noon.
async fn berlin_couple() -> (TestApp, i64) {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "mon,wed,fri 19:00", "Europe/Berlin")
        .await;
    let r = app
        .moderator("schedule add appreciation \"weekly tue 12:00\"")
        .await;
    assert!(!r.is_error, "{}", r.text);
    let id = couple_id(&app).await;
    (app, id)
}

/// Ticks at `at` and expects one prompt posted; returns its message id.
async fn post_at(app: &TestApp, couple: i64, at: chrono::DateTime<chrono::Utc>) -> String {
    app.set(at);
    let report = app.tick().await;
    assert_eq!(report.posted, 1, "{at}: {report:?}");
    let latest = app.hearth.store.latest_posted(couple).await.unwrap();
    app.fake
        .message_of(latest.expect("posted").delivery_id)
        .expect("message id")
}

async fn react(app: &TestApp, msg: &str, user: &str, emoji: &str) {
    on_reaction(&app.hearth, &reaction(msg, user, emoji, true))
        .await
        .unwrap();
}

fn ok(r: &hearth::commands::Reply) {
    assert!(!r.is_error, "{}", r.text);
}

#[tokio::test]
async fn a_simulated_week_gives_a_digest_of_appreciations_prompts_jar_and_chart() {
    let (app, c) = berlin_couple().await;
    // Week 23 (1–7 June): one appreciation, nothing else.
    let r = app
        .member("alice", "appreciate @sam for the soup when I was ill")
        .await;
    ok(&r);
    assert!(r.text.contains("Into your jar, for sam"), "{}", r.text);
    app.tick().await;
    let planned = app.hearth.store.couple(c).await.unwrap().unwrap();
    // Sunday 19:00 in Berlin (summer time) is 17:00 UTC.
    assert_eq!(
        planned.digest_next_at,
        Some(utc(2026, 6, 7, 17, 0).timestamp())
    );
    app.set(utc(2026, 6, 7, 16, 59));
    assert_eq!(app.tick().await.digests, 0);
    app.set(utc(2026, 6, 7, 17, 0));
    assert_eq!(app.tick().await.digests, 1);
    let first = app.fake.digests();
    assert_eq!(first.len(), 1);
    let text = &first[0].text;
    assert!(
        text.contains("💌 1 appreciation this week (1 written).")
            && text.contains("alice to sam: “for the soup when I was ill” (1 June 2026)")
            && text.contains("💬 No prompts this week"),
        "{text}"
    );
    assert!(
        !text.contains("✨"),
        "nothing older to bring back yet: {text}"
    );
    assert!(first[0].chart.is_none() && first[0].sparkline.is_none());

    // Week 24 (8–14 June).
    let mon = post_at(&app, c, utc(2026, 6, 8, 17, 1)).await;
    react(&app, &mon, "alice", "❤️").await;
    post_at(&app, c, utc(2026, 6, 9, 10, 1)).await;
    ok(&app
        .member("alice", "answer you kept the evening free for us")
        .await);
    ok(&app
        .member("sam", "answer you laughed at my terrible joke")
        .await);
    assert_eq!(app.tick().await.revealed, 1);
    post_at(&app, c, utc(2026, 6, 10, 17, 1)).await;
    app.set(utc(2026, 6, 11, 9, 0));
    // Two members: the name can be left out.
    let r = app
        .member("sam", "appreciate for listening to me last night")
        .await;
    assert!(r.text.contains("for alice"), "{}", r.text);
    let fri = post_at(&app, c, utc(2026, 6, 12, 17, 1)).await;
    react(&app, &fri, "sam", "✅").await;
    app.set(utc(2026, 6, 13, 10, 0));
    ok(&app.member("alice", "prompt check-in").await);
    let check = post_at(&app, c, utc(2026, 6, 13, 10, 0)).await;
    react(&app, &check, "alice", "4️⃣").await;
    react(&app, &check, "sam", "3️⃣").await;
    app.set(utc(2026, 6, 14, 17, 0));
    assert_eq!(app.tick().await.digests, 1);

    let all = app.fake.digests();
    assert_eq!(all.len(), 2);
    let d = &all[1];
    assert_eq!(d.channel, channel());
    let text = &d.text;
    for want in [
        "🫶 Your week together",
        "💌 4 appreciations this week (1 written, 2 answers to appreciation prompts, 1 loved prompt).",
        "sam to alice: “for listening to me last night” (11 June 2026)",
        "💬 Prompts talked about: 4 of the 5 hearth posted this week.",
        "✨ From your jar: alice to sam: “for the soup when I was ill” (1 June 2026)",
        "Streak: 1 week with at least 2 prompts talked about.",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // Answers and loved prompts count in the jar but are not quoted in the digest.
    assert!(!text.contains("terrible joke"), "{text}");
    // The chart: this week's two check-ins, one point per member.
    let png = d.chart.as_ref().expect("a chart");
    let decoder = png::Decoder::new(std::io::Cursor::new(png.clone()));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert_eq!((info.width, info.height), (800, 400));
    let spark = d.sparkline.as_deref().expect("the chart as text");
    assert!(spark.contains("alice") && spark.contains("sam"), "{spark}");
    assert!(d.text_with_sparkline().ends_with(spark));
    let weeks = hearth::checkin::weeks(
        &app.hearth,
        &app.hearth.store.couple(c).await.unwrap().unwrap(),
        utc(2026, 6, 14, 17, 0),
    )
    .await
    .unwrap();
    assert_eq!(weeks.points(), 2);

    // The jar holds everything of both weeks.
    let jar = app.member("sam", "jar").await;
    assert!(
        jar.text.contains("Your jar holds 5 appreciations: 2 written, 2 answers to appreciation prompts, 1 loved prompt."),
        "{}",
        jar.text
    );
    assert!(jar.text.contains("terrible joke"), "{}", jar.text);

    // Exactly once: again, and after a restart, nothing more is posted.
    app.set(utc(2026, 6, 14, 17, 5));
    assert_eq!(app.tick().await.digests, 0);
    let mut app = app;
    app.restart_engine();
    assert_eq!(app.tick().await.digests, 0);
    assert_eq!(app.fake.digests().len(), 2);
    let slots = app.hearth.store.digests_of_couple(c).await.unwrap();
    assert_eq!(
        slots,
        vec![
            (utc(2026, 6, 7, 17, 0).timestamp(), "posted".to_string()),
            (utc(2026, 6, 14, 17, 0).timestamp(), "posted".to_string()),
        ]
    );
    // The next one is planned for the following Sunday.
    let next = app.hearth.store.couple(c).await.unwrap().unwrap();
    assert_eq!(
        next.digest_next_at,
        Some(utc(2026, 6, 21, 17, 0).timestamp())
    );
}

#[tokio::test]
async fn resurfaced_appreciations_vary_from_week_to_week() {
    let (app, c) = berlin_couple().await;
    for (day, text) in [
        (1, "for the soup"),
        (2, "for the walk"),
        (3, "for the note"),
    ] {
        app.set(utc(2026, 6, day, 9, 0));
        ok(&app
            .member("alice", &format!("appreciate @sam {text}"))
            .await);
    }
    app.tick().await;
    for day in [7, 14, 21] {
        app.set(utc(2026, 6, day, 17, 0));
        assert_eq!(app.tick().await.digests, 1, "June {day}");
    }
    let texts: Vec<String> = app.fake.digests().iter().map(|d| d.text.clone()).collect();
    let picked: Vec<&str> = texts[1..]
        .iter()
        .map(|t| {
            let line = t
                .lines()
                .find(|l| l.starts_with("✨"))
                .expect("a resurfaced one");
            ["soup", "walk", "note"]
                .into_iter()
                .find(|w| line.contains(w))
                .expect("one of the three")
        })
        .collect();
    assert_ne!(picked[0], picked[1], "{texts:?}");
    let recent = app.hearth.store.recently_resurfaced(c, 8).await.unwrap();
    assert_eq!(recent.len(), 2);
}

#[tokio::test]
async fn the_digest_follows_the_couples_choice_and_skips_pauses_and_downtime() {
    let (app, c) = berlin_couple().await;
    let r = app.member("alice", "digest").await;
    assert!(
        r.text
            .contains("Your weekly digest comes every Sunday at 19:00 (Europe/Berlin)"),
        "{}",
        r.text
    );
    // Their own time: Fridays 18:30 in Berlin.
    let r = app.member("sam", "digest weekly fri 18:30").await;
    ok(&r);
    assert!(
        r.text.contains("next: alice Fri 05 Jun 18:30 CEST"),
        "{}",
        r.text
    );
    app.tick().await;
    app.set(utc(2026, 6, 5, 16, 30));
    assert_eq!(app.tick().await.digests, 1);
    // More often than daily is refused, and nothing changes.
    let r = app.member("sam", "digest hourly").await;
    assert!(r.is_error, "{}", r.text);
    let r = app.member("sam", "digest fortnightly tuesday").await;
    assert!(r.is_error && r.text.contains("fortnightly"), "{}", r.text);
    // Paused on Friday 12 June: that digest is skipped, not posted.
    app.set(utc(2026, 6, 11, 9, 0));
    ok(&app.member("alice", "pause").await);
    app.set(utc(2026, 6, 12, 16, 30));
    assert_eq!(app.tick().await.digests, 0);
    app.set(utc(2026, 6, 13, 9, 0));
    ok(&app.member("alice", "resume").await);
    // hearth down from Thursday to Sunday: Friday's digest is two days late, skipped.
    app.set(utc(2026, 6, 21, 12, 0));
    assert_eq!(app.tick().await.digests, 0);
    app.set(utc(2026, 6, 26, 16, 30));
    assert_eq!(app.tick().await.digests, 1);
    let slots = app.hearth.store.digests_of_couple(c).await.unwrap();
    let states: Vec<&str> = slots.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(states, ["posted", "skipped", "skipped", "posted"]);
    assert_eq!(app.fake.digests().len(), 2);
    // Off: no digest; on: back to Sunday evening.
    let r = app.member("alice", "digest off").await;
    assert!(r.text.contains("Your weekly digest is off"), "{}", r.text);
    app.tick().await;
    app.set(utc(2026, 7, 3, 16, 30));
    assert_eq!(app.tick().await.digests, 0);
    let r = app.member("alice", "digest on").await;
    assert!(r.text.contains("every Sunday at 19:00"), "{}", r.text);
    app.tick().await;
    app.set(utc(2026, 7, 5, 17, 0));
    assert_eq!(app.tick().await.digests, 1);
    // Outsiders cannot change it.
    let r = app.cmd_as(&Actor::member("eve"), "digest off").await;
    assert!(r.is_error, "{}", r.text);
}

#[tokio::test]
async fn a_failed_digest_is_retried_and_posted_once() {
    let (app, c) = berlin_couple().await;
    app.tick().await;
    app.fake.fail_next(SendError::Transient {
        reason: "server error".into(),
        retry_after: None,
    });
    app.set(utc(2026, 6, 7, 17, 0));
    assert_eq!(app.tick().await.digests, 0);
    assert!(app.fake.digests().is_empty());
    // Backoff base is 5 s in tests.
    app.set(utc(2026, 6, 7, 17, 1));
    assert_eq!(app.tick().await.digests, 1);
    assert_eq!(app.fake.digests().len(), 1);
    let slots = app.hearth.store.digests_of_couple(c).await.unwrap();
    assert_eq!(
        slots,
        vec![(utc(2026, 6, 7, 17, 0).timestamp(), "posted".into())]
    );
}

#[tokio::test]
async fn appreciate_explains_mistakes_and_the_jar_is_exported_and_forgotten() {
    let (app, c) = berlin_couple().await;
    for (line, want) in [
        (
            "appreciate @alice for being me",
            "for appreciating each other",
        ),
        (
            "appreciate @eve for the cake",
            "'@eve' is not a member of this couple",
        ),
        ("appreciate @sam", "Usage"),
        ("appreciate", "Usage"),
    ] {
        let r = app.member("alice", line).await;
        assert!(r.is_error && r.text.contains(want), "{line}: {}", r.text);
    }
    let long = "x".repeat(501);
    let r = app
        .member("alice", &format!("appreciate @sam {long}"))
        .await;
    assert!(r.is_error && r.text.contains("500"), "{}", r.text);
    // Apostrophes and quotes are taken as typed.
    ok(&app
        .member(
            "alice",
            "appreciate @sam for \"fixing\" the bike, you're the best",
        )
        .await);
    ok(&app.member("sam", "thanks <@alice> for the tea").await);
    let r = app
        .cmd_as(&Actor::member("eve"), "appreciate @sam hi")
        .await;
    assert!(r.is_error, "{}", r.text);
    // The audit log says who appreciated whom, never what.
    let audit = app.moderator("audit").await;
    assert!(audit.text.contains("appreciate"), "{}", audit.text);
    assert!(!audit.text.contains("bike"), "{}", audit.text);

    let export = app.member("sam", "export").await;
    let json: serde_json::Value =
        serde_json::from_slice(&export.attachment.expect("export").content).unwrap();
    let texts: Vec<&str> = json["appreciations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["for \"fixing\" the bike, you're the best", "for the tea"]
    );

    ok(&app.member("alice", "forget-me").await);
    let r = app.member("alice", "forget-me confirm").await;
    assert!(
        r.text.contains("Done.") && r.text.contains("2 appreciations"),
        "what she wrote and what was written to her: {}",
        r.text
    );
    let left = app.hearth.store.appreciations_of_couple(c).await.unwrap();
    assert!(left.is_empty(), "{left:?}");
    let all = app.hearth.store.all_text_values().await.unwrap();
    assert!(!all.iter().any(|t| t.contains("bike") || t.contains("tea")));
}
