//! Commands and who may use them.

use hearth::domain::Actor;

use crate::support::app::TestApp;

#[tokio::test]
async fn moderator_sets_up_a_couple_and_schedule_and_it_is_audited() {
    let app = TestApp::new().await;
    let r = app.moderator("couple add alice sam Europe/Berlin").await;
    assert!(!r.is_error && !r.private, "{}", r.text);
    let r = app.moderator("schedule add conversation daily 20:00").await;
    assert!(
        r.text.contains("every day at 20:00") || r.text.contains("20:00"),
        "{}",
        r.text
    );
    assert!(r.text.contains("Europe/Berlin"), "{}", r.text);
    let r = app
        .moderator("schedule add appreciation \"mon,wed,fri 12:30\" UTC 90m")
        .await;
    assert!(!r.is_error, "{}", r.text);
    let list = app.moderator("schedule list").await.text;
    assert!(
        list.contains("#1 conversation") && list.contains("#2 appreciation"),
        "{list}"
    );
    let audit = app.moderator("audit").await.text;
    for a in ["couple add", "schedule add", "mod"] {
        assert!(audit.contains(a), "{audit}");
    }
    assert!(
        app.moderator("schedule pause 1")
            .await
            .text
            .contains("paused")
    );
    assert!(app.moderator("schedule list").await.text.contains("paused"));
    assert!(
        app.moderator("schedule remove 2")
            .await
            .text
            .contains("Removed")
    );
    assert!(
        app.moderator("audit")
            .await
            .text
            .contains("schedule remove")
    );
}

#[tokio::test]
async fn refusals_name_the_missing_right_and_change_nothing() {
    let app = TestApp::new().await;
    app.moderator("couple add alice sam UTC").await;
    let before = app
        .hearth
        .store
        .audit_entries(&crate::support::app::channel(), 100)
        .await
        .unwrap();
    let outsider = Actor::member("stranger");
    let alice = Actor::member("alice");
    let bot = Actor {
        is_bot: true,
        ..Actor::moderator("hearth")
    };
    for line in [
        "schedule add conversation daily 20:00",
        "couple remove",
        "settings depth deep",
        "audit",
        "schedule list",
    ] {
        for who in [&outsider, &alice] {
            let r = app.cmd_as(who, line).await;
            assert!(r.is_error && r.private, "{line}: {}", r.text);
            assert!(r.text.contains("moderator"), "{line}: {}", r.text);
        }
    }
    for line in ["stats", "history", "export", "prompt", "pause", "skip"] {
        let r = app.cmd_as(&outsider, line).await;
        assert!(
            r.is_error && r.text.contains("not one of its members"),
            "{line}: {}",
            r.text
        );
        // Moderators do not read a couple's stats, history or export either.
        let r = app.moderator(line).await;
        assert!(r.is_error, "{line} by a moderator: {}", r.text);
    }
    for line in ["help", "stats", "couple add a b"] {
        assert!(app.cmd_as(&bot, line).await.is_error, "{line} by the bot");
    }
    let after = app
        .hearth
        .store
        .audit_entries(&crate::support::app::channel(), 100)
        .await
        .unwrap();
    assert_eq!(before, after, "refused commands changed nothing");
    assert!(
        app.hearth
            .store
            .schedules_of_couple(1)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error() {
    let app = TestApp::new().await;
    app.moderator("couple add alice sam").await;
    let cases = [
        ("schedule add conversation \"daily 25:00\"", "hour"),
        ("schedule add conversation \"0 20 * *\"", "fields"),
        (
            "schedule add conversation daily 20:00 Europe/Berln",
            "Europe/Berlin",
        ),
        ("schedule add chat daily 20:00", "conversation"),
        ("schedule add conversation \"*/5 * * * *\"", "often"),
        ("schedule remove 99", "no schedule #99"),
        ("schedule remove abc", "not a schedule id"),
        ("couple add alice", "at least two"),
        ("shedule list", "schedule"),
        ("settings depth bottomless", "light"),
        ("history 0", "1 to 100"),
    ];
    for (line, needle) in cases {
        let r = app.moderator(line).await;
        assert!(r.is_error, "{line} should fail");
        assert!(
            r.text.to_lowercase().contains(&needle.to_lowercase()),
            "{line}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn couple_commands_pause_resume_skip_history() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    assert!(
        app.member("alice", "history")
            .await
            .text
            .contains("No prompts yet")
    );
    app.member("alice", "prompt").await;
    app.tick().await;
    assert_eq!(app.fake.post_count(), 1);
    app.member("sam", "skip").await;
    app.tick().await;
    assert_eq!(app.fake.post_count(), 2);
    let hist = app.member("alice", "history").await.text;
    assert!(hist.contains("Your last 2 prompts"), "{hist}");
    assert!(app.member("alice", "pause").await.text.contains("Paused"));
    app.set(crate::support::app::utc(2026, 6, 1, 20, 0));
    assert_eq!(app.tick().await.posted, 0, "paused couples get nothing");
    app.set(crate::support::app::utc(2026, 6, 2, 9, 0));
    assert!(
        app.member("sam", "resume")
            .await
            .text
            .contains("Welcome back")
    );
    assert_eq!(app.tick().await.posted, 0, "no burst of what was missed");
    app.set(crate::support::app::utc(2026, 6, 2, 20, 0));
    assert_eq!(app.tick().await.posted, 1);
}

#[tokio::test]
async fn help_describes_every_command() {
    let app = TestApp::new().await;
    let h = app.member("anyone", "help").await.text;
    for c in [
        "prompt",
        "skip",
        "pause",
        "resume",
        "history",
        "stats",
        "export",
        "forget-me",
        "couple add",
        "schedule add",
        "settings",
        "audit",
    ] {
        assert!(h.contains(c), "{c} missing from help");
    }
    assert!(
        app.member("anyone", "help schedule add")
            .await
            .text
            .contains("grace")
    );
}
