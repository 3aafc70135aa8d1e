//! Matrix end to end: the real adapter (started as `hearth run` starts it) against a
//! real Synapse on 127.0.0.1, with the couple on matrix-sdk clients, in a plain and in
//! an end-to-end encrypted room.

use std::time::Duration;

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;

use crate::support::app::utc;
use crate::support::matrix_world::*;

async fn couple_schedule_post_react(encrypted: bool) {
    let w = World::start(encrypted).await;
    let a = w
        .command(
            &w.alice,
            "!hearth couple add @alice:localhost @sam:localhost UTC",
        )
        .await;
    assert!(a.contains("Registered"), "{a}");
    let a = w
        .command(
            &w.alice,
            &format!(
                "!hearth schedule add conversation \"daily 20:00\"{}",
                if encrypted { "" } else { " thread" }
            ),
        )
        .await;
    assert!(a.contains("Schedule #1"), "{a}");
    // Sam is in the couple but has no moderator power: refused, nothing changes.
    let a = w
        .command(&w.sam, "!hearth schedule add closeness \"weekends 10:00\"")
        .await;
    assert!(a.contains("moderator"), "{a}");
    assert_eq!(w.h.store.schedules_of_couple(1).await.unwrap().len(), 1);
    w.clock.set(utc(2026, 6, 1, 20, 0));
    w.h.nudge();
    sync_until(&w.alice, "the prompt", || w.prompt().is_some()).await;
    let (event_id, v) = w.prompt().unwrap();
    assert_eq!(v["content"]["org.hearth.delivery"], "hearth-1");
    assert_eq!(v["content"]["msgtype"], "m.notice");
    assert!(
        v["content"]["formatted_body"]
            .as_str()
            .unwrap()
            .contains("<strong>")
    );
    w.wait_db("the delivery is recorded", async |h| {
        h.store
            .delivery_by_message(hearth::domain::PlatformKind::Matrix, event_id.as_str())
            .await
            .unwrap()
            .is_some()
    })
    .await;
    let room = w.alice.get_room(&w.room).unwrap();
    let reaction = room
        .send(ReactionEventContent::new(Annotation::new(
            event_id.clone(),
            "❤️".into(),
        )))
        .await
        .unwrap()
        .response
        .event_id;
    w.wait_db("alice's reaction is stored", async |h| {
        h.store.active_reactions(1).await.unwrap().len() == 1
    })
    .await;
    room.redact(&reaction, None, None).await.unwrap();
    w.wait_db("the redaction removes it", async |h| {
        h.store.active_reactions(1).await.unwrap().is_empty()
    })
    .await;
    if !encrypted {
        let root = event_id.to_string();
        sync_until(&w.alice, "a thread for answers under the prompt", || {
            w.alice_seen.lock().unwrap().iter().any(|v| {
                v["content"]["m.relates_to"]["rel_type"] == "m.thread"
                    && v["content"]["m.relates_to"]["event_id"] == root.as_str()
            })
        })
        .await;
    }
    // Removed from the room: its schedules stop, with the reason recorded.
    let bot: matrix_sdk::ruma::OwnedUserId = "@hearth:localhost".parse().unwrap();
    room.kick_user(&bot, Some("taking a break")).await.unwrap();
    w.wait_db("the schedule is stopped", async |h| {
        !h.store.schedule(1).await.unwrap().unwrap().enabled
    })
    .await;
    let reason =
        w.h.store
            .schedule(1)
            .await
            .unwrap()
            .unwrap()
            .disabled_reason
            .unwrap();
    assert!(
        reason.contains("removed from the room by @alice:localhost"),
        "{reason}"
    );
    let _ = &w.sam;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_prompts_and_reactions_in_a_plain_room() {
    couple_schedule_post_react(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_prompts_and_reactions_in_an_encrypted_room() {
    couple_schedule_post_react(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_device_posts_nothing_twice_and_reconciles_reactions() {
    let mut w = World::start(true).await;
    w.command(
        &w.alice,
        "!hearth couple add @alice:localhost @sam:localhost UTC",
    )
    .await;
    w.command(
        &w.alice,
        "!hearth schedule add conversation \"daily 20:00\"",
    )
    .await;
    w.clock.set(utc(2026, 6, 1, 20, 0));
    w.h.nudge();
    sync_until(&w.alice, "the prompt", || w.prompt().is_some()).await;
    let (event_id, _) = w.prompt().unwrap();
    w.wait_db("recorded", async |h| {
        h.store
            .delivery_by_message(hearth::domain::PlatformKind::Matrix, event_id.as_str())
            .await
            .unwrap()
            .is_some()
    })
    .await;
    let room = w.alice.get_room(&w.room).unwrap();
    let heart = room
        .send(ReactionEventContent::new(Annotation::new(
            event_id.clone(),
            "❤️".into(),
        )))
        .await
        .unwrap()
        .response
        .event_id;
    w.wait_db("the heart is stored", async |h| {
        h.store.active_reactions(1).await.unwrap().len() == 1
    })
    .await;
    let device = w.session_device();

    // The bot is down; meanwhile alice takes the heart back and stars the prompt.
    w.stop.cancel();
    tokio::time::sleep(Duration::from_millis(300)).await;
    room.redact(&heart, None, None).await.unwrap();
    room.send(ReactionEventContent::new(Annotation::new(
        event_id.clone(),
        "⭐".into(),
    )))
    .await
    .unwrap();
    w.restart().await;
    w.wait_db("reconciled after the restart", async |h| {
        h.store.active_reactions(1).await.unwrap()
            == vec![("@alice:localhost".to_string(), "⭐".to_string())]
    })
    .await;
    assert_eq!(
        w.session_device(),
        device,
        "the same device after a restart"
    );
    let bot: matrix_sdk::ruma::OwnedUserId = "@hearth:localhost".parse().unwrap();
    w.alice.sync_once(SyncSettings::default()).await.unwrap();
    let devices = w.alice.encryption().get_user_devices(&bot).await.unwrap();
    assert_eq!(devices.devices().count(), 1, "no new device per start");
    // Nothing is posted again for the slot that was already delivered.
    w.h.nudge();
    for _ in 0..5 {
        w.alice
            .sync_once(SyncSettings::default().timeout(Duration::from_millis(200)))
            .await
            .unwrap();
    }
    let prompts = w
        .alice_seen
        .lock()
        .unwrap()
        .iter()
        .filter(|v| v["content"]["org.hearth.delivery"].is_string())
        .count();
    assert_eq!(prompts, 1);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_can_use_an_access_token_instead_of_a_password() {
    let w = World::start_with(false, true).await;
    let a = w.command(&w.alice, "!hearth help").await;
    assert!(a.contains("prompt"), "{a}");
    assert!(
        w.h.config
            .database
            .with_file_name("matrix-store")
            .join("session.json")
            .exists()
    );
    w.stop().await;
}
