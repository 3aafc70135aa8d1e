//! Matrix end to end: the real adapter (started as `hearth run` starts it) against a
//! real Synapse on 127.0.0.1, with the couple on matrix-sdk clients, in a plain and in
//! an end-to-end encrypted room.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth::Hearth;
use hearth::clock::ManualClock;
use hearth::config::{Config, Secret};
use hearth::run::{Tokens, serve};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::room::create_room::v3::Request as CreateRoom;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    OriginalSyncRoomMessageEvent, RoomMessageEventContent,
};
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId};
use matrix_sdk::{Client, Room};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::support::app::utc;
use crate::support::synapse::Synapse;

const PASS: &str = "secret-pass";

async fn login(s: &Synapse, user: &str, store: &std::path::Path) -> Client {
    let c = Client::builder()
        .homeserver_url(s.base_url())
        .sqlite_store(store, None)
        .build()
        .await
        .unwrap();
    c.matrix_auth().login_username(user, PASS).await.unwrap();
    c.sync_once(SyncSettings::default()).await.unwrap();
    c
}

/// Every m.room.message a client sees, as raw JSON (decrypted where it was encrypted).
fn seen(c: &Client) -> Arc<Mutex<Vec<Value>>> {
    let out = Arc::new(Mutex::new(Vec::new()));
    let o = out.clone();
    c.add_event_handler(move |ev: Raw<OriginalSyncRoomMessageEvent>, _r: Room| {
        let o = o.clone();
        async move {
            if let Ok(v) = ev.deserialize_as::<Value>() {
                o.lock().unwrap().push(v);
            }
        }
    });
    out
}

async fn sync_until(c: &Client, what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..80 {
        if done() {
            return;
        }
        c.sync_once(SyncSettings::default().timeout(Duration::from_millis(300)))
            .await
            .unwrap();
    }
    panic!("timed out waiting for: {what}");
}

struct World {
    _s: Synapse,
    h: Hearth,
    clock: Arc<ManualClock>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    alice: Client,
    sam: Client,
    alice_seen: Arc<Mutex<Vec<Value>>>,
    room: OwnedRoomId,
    _dirs: Vec<tempfile::TempDir>,
}

impl World {
    async fn start(encrypted: bool) -> World {
        Self::start_with(encrypted, false).await
    }

    /// `token_login`: the bot's first start uses an access token instead of a password.
    async fn start_with(encrypted: bool, token_login: bool) -> World {
        let s = Synapse::start().await;
        let alice_id = s.register("alice", PASS, false).await;
        let sam_id = s.register("sam", PASS, false).await;
        let bot_id = s.register("hearth", PASS, false).await;
        let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut cfg = Config::defaults_in(dirs[0].path());
        cfg.matrix.enabled = true;
        cfg.matrix.homeserver = s.base_url();
        cfg.matrix.user = bot_id.clone();
        let clock = Arc::new(ManualClock::new(utc(2026, 6, 1, 12, 0)));
        let h = hearth::open(cfg, clock.clone()).await.unwrap();
        let stop = CancellationToken::new();
        let tokens = if token_login {
            let scratch = tempfile::tempdir().unwrap();
            let c = Client::builder()
                .homeserver_url(s.base_url())
                .sqlite_store(scratch.path(), None)
                .build()
                .await
                .unwrap();
            c.matrix_auth().login_username(&bot_id, PASS).await.unwrap();
            let token = c.matrix_auth().session().unwrap().tokens.access_token;
            Tokens {
                matrix_access_token: Some(Secret::new(token)),
                ..Tokens::default()
            }
        } else {
            Tokens {
                matrix_password: Some(Secret::new(PASS)),
                ..Tokens::default()
            }
        };
        let task = tokio::spawn(serve(h.clone(), tokens, stop.clone()));
        let alice = login(&s, &alice_id, dirs[1].path()).await;
        let sam = login(&s, &sam_id, dirs[2].path()).await;
        let alice_seen = seen(&alice);
        let mut req = CreateRoom::new();
        req.invite = vec![bot_id.parse().unwrap(), sam_id.parse().unwrap()];
        if encrypted {
            req.initial_state = vec![
                InitialStateEvent::with_empty_state_key(
                    RoomEncryptionEventContent::with_recommended_defaults(),
                )
                .to_raw_any(),
            ];
        }
        let room = alice.create_room(req).await.unwrap().room_id().to_owned();
        sync_until(&sam, "sam's invite", || sam.get_room(&room).is_some()).await;
        sam.get_room(&room).unwrap().join().await.unwrap();
        // The bot joins by itself (invited by a user of its own homeserver).
        let r = room.clone();
        let a = alice.clone();
        for _ in 0..80 {
            let joined = a
                .get_room(&r)
                .unwrap()
                .members(matrix_sdk::RoomMemberships::JOIN)
                .await
                .unwrap();
            if joined.iter().any(|m| m.user_id().as_str() == bot_id) {
                break;
            }
            a.sync_once(SyncSettings::default().timeout(Duration::from_millis(300)))
                .await
                .unwrap();
        }
        sam.sync_once(SyncSettings::default()).await.unwrap();
        World {
            _s: s,
            h,
            clock,
            stop,
            task,
            alice,
            sam,
            alice_seen,
            room,
            _dirs: dirs,
        }
    }

    /// Sends a command as `who` and waits for the bot's notice in reply to it.
    async fn command(&self, who: &Client, line: &str) -> String {
        let room = who.get_room(&self.room).unwrap();
        let sent = room
            .send(RoomMessageEventContent::text_plain(line))
            .await
            .unwrap()
            .response
            .event_id;
        let mut answer = None;
        sync_until(&self.alice, &format!("an answer to {line}"), || {
            answer = self.alice_seen.lock().unwrap().iter().find_map(|v| {
                (v["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == sent.as_str()).then(
                    || {
                        v["content"]["body"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string()
                    },
                )
            });
            answer.is_some()
        })
        .await;
        answer.unwrap()
    }

    fn prompt(&self) -> Option<(OwnedEventId, Value)> {
        self.alice_seen.lock().unwrap().iter().find_map(|v| {
            v["content"]["org.hearth.delivery"].as_str()?;
            Some((v["event_id"].as_str()?.parse().ok()?, v.clone()))
        })
    }

    async fn wait_db(&self, what: &str, mut check: impl AsyncFnMut(&Hearth) -> bool) {
        for _ in 0..300 {
            if check(&self.h).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for: {what}");
    }

    /// Stops the bot and starts it again on the same database and Matrix store.
    async fn restart(&mut self) {
        self.stop.cancel();
        let old = std::mem::replace(&mut self.task, tokio::spawn(async { Ok(()) }));
        let r = tokio::time::timeout(Duration::from_secs(20), old).await;
        assert!(matches!(r, Ok(Ok(Ok(())))), "clean shutdown: {r:?}");
        self.stop = CancellationToken::new();
        let tokens = Tokens {
            matrix_password: Some(Secret::new(PASS)),
            ..Tokens::default()
        };
        self.task = tokio::spawn(serve(self.h.clone(), tokens, self.stop.clone()));
    }

    fn session_device(&self) -> String {
        let path = self
            .h
            .config
            .database
            .with_file_name("matrix-store")
            .join("session.json");
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["meta"]["device_id"]
            .as_str()
            .or(v["device_id"].as_str())
            .expect("a device id")
            .to_string()
    }

    async fn stop(self) {
        self.stop.cancel();
        let r = tokio::time::timeout(Duration::from_secs(20), self.task).await;
        assert!(matches!(r, Ok(Ok(Ok(())))), "clean shutdown: {r:?}");
    }
}

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
