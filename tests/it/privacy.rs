//! Export shows a couple everything; forget-me leaves nothing of a person behind;
//! the database file is private.

use hearth::domain::PlatformKind;
use hearth::reactions::{ReactionEvent, on_reaction};

use crate::support::app::{TestApp, utc};

#[tokio::test]
async fn forget_me_leaves_nothing_of_that_user_behind() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    app.member("alice-7731", "prompt").await; // not a member: refused
    let msg = app.fake.message_of(1).unwrap();
    // Register a second couple where the user appears too, with id "alice".
    for (who, emoji) in [("alice", "❤️"), ("sam", "✅")] {
        let ev = ReactionEvent {
            platform: PlatformKind::Discord,
            message_id: msg.clone(),
            user: who.into(),
            emoji: emoji.into(),
            added: true,
            by_bot: false,
            platform_ref: None,
        };
        on_reaction(&app.hearth, &ev).await.unwrap();
    }
    app.member("alice", "skip").await;
    app.tick().await;
    assert!(
        app.hearth
            .store
            .all_text_values()
            .await
            .unwrap()
            .iter()
            .any(|v| v.contains("alice"))
    );
    let r = app.member("alice", "forget-me confirm").await;
    assert!(r.is_error, "confirm without asking first is refused");
    let r = app.member("alice", "forget-me").await;
    assert!(r.text.contains("forget-me confirm"), "{}", r.text);
    let r = app.member("alice", "forget-me confirm").await;
    assert!(!r.is_error, "{}", r.text);
    let left: Vec<String> = app
        .hearth
        .store
        .all_text_values()
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.contains("alice"))
        .collect();
    assert!(left.is_empty(), "still stored: {left:?}");
    // sam's data stays.
    let stats = app.member("sam", "stats").await.text;
    assert!(stats.contains("done 1"), "{stats}");
}

#[tokio::test]
async fn export_is_the_couples_own_and_complete() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    let r = app.member("sam", "export").await;
    assert!(r.private);
    let json: serde_json::Value = serde_json::from_slice(&r.attachment.unwrap().content).unwrap();
    assert_eq!(json["format"], "hearth-export-v1");
    assert_eq!(
        json["couple"]["members"],
        serde_json::json!(["alice", "sam"])
    );
    assert_eq!(json["schedules"].as_array().unwrap().len(), 1);
    assert_eq!(json["deliveries"][0]["state"], "posted");
    assert!(json["deliveries"][0]["prompt"].as_str().unwrap().len() > 10);
    assert!(json["audit"].as_array().unwrap().len() >= 2);
}

#[cfg(unix)]
#[tokio::test]
async fn database_file_is_created_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::new().await;
    let mode = std::fs::metadata(&app.hearth.config.database)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test]
async fn the_database_runs_with_wal_foreign_keys_and_a_busy_timeout() {
    let app = TestApp::new().await;
    let h = app.hearth.store.health().await.unwrap();
    assert_eq!(h.journal_mode, "wal");
    assert!(h.foreign_keys);
    assert!(h.busy_timeout_ms >= 5000, "{h:?}");
}

#[test]
fn secrets_are_redacted_in_debug_and_display() {
    let s = hearth::config::Secret::new("mfa.VeryRealLookingToken_abc123");
    assert!(!format!("{s:?}{s}").contains("VeryReal"));
}

/// forget-me finds a person's reactions in a read and deletes them by id: every one
/// goes, removed ones included, also after other rows were deleted before, and the
/// partner's stay.
#[tokio::test]
async fn forget_me_deletes_every_reaction_of_the_person_and_only_theirs() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    let msg = app.fake.message_of(1).unwrap();
    let react = |who: &str, emoji: &str, added: bool| ReactionEvent {
        platform: PlatformKind::Discord,
        message_id: msg.clone(),
        user: who.into(),
        emoji: emoji.into(),
        added,
        by_bot: false,
        platform_ref: None,
    };
    for (who, emoji, added) in [
        ("alice", "❤️", true),
        ("alice", "❤️", false),
        ("alice", "✅", true),
        ("sam", "❤️", true),
        ("sam", "⭐", true),
    ] {
        on_reaction(&app.hearth, &react(who, emoji, added))
            .await
            .unwrap();
    }
    let store = &app.hearth.store;
    // Sam leaves first: rows deleted before alice's read.
    let sam = store
        .forget_user(PlatformKind::Discord, "sam")
        .await
        .unwrap();
    assert_eq!(sam.reactions, 2);
    on_reaction(&app.hearth, &react("alice", "⭐", true))
        .await
        .unwrap();
    let alice = store
        .forget_user(PlatformKind::Discord, "alice")
        .await
        .unwrap();
    assert_eq!(alice.reactions, 3, "❤️ (removed), ✅ and ⭐");
    let left = store.all_text_values().await.unwrap();
    assert!(
        !left.iter().any(|v| v == "alice" || v == "sam"),
        "still stored: {left:?}"
    );
}
