//! The Matrix test world: the real adapter against a real Synapse, the couple on matrix-sdk clients.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth::Hearth;
use hearth::clock::ManualClock;
use hearth::config::{Config, Secret};
use hearth::run::{Tokens, serve};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::room::create_room::v3::Request as CreateRoom;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    OriginalSyncRoomMessageEvent, RoomMessageEventContent,
};
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId};
use matrix_sdk::{Client, Room};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::app::utc;
use super::synapse::Synapse;

pub const PASS: &str = "secret-pass";

pub async fn login(s: &Synapse, user: &str, store: &std::path::Path) -> Client {
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
pub fn seen(c: &Client) -> Arc<Mutex<Vec<Value>>> {
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

pub async fn sync_until(c: &Client, what: &str, mut done: impl FnMut() -> bool) {
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

pub struct World {
    pub _s: Synapse,
    pub h: Hearth,
    pub clock: Arc<ManualClock>,
    pub stop: CancellationToken,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
    pub alice: Client,
    pub sam: Client,
    pub alice_seen: Arc<Mutex<Vec<Value>>>,
    pub room: OwnedRoomId,
    pub _dirs: Vec<tempfile::TempDir>,
}

impl World {
    pub async fn start(encrypted: bool) -> World {
        Self::start_with(encrypted, false).await
    }

    /// `token_login`: the bot's first start uses an access token instead of a password.
    pub async fn start_with(encrypted: bool, token_login: bool) -> World {
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
    pub async fn command(&self, who: &Client, line: &str) -> String {
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

    pub fn prompt(&self) -> Option<(OwnedEventId, Value)> {
        self.alice_seen.lock().unwrap().iter().find_map(|v| {
            v["content"]["org.hearth.delivery"].as_str()?;
            Some((v["event_id"].as_str()?.parse().ok()?, v.clone()))
        })
    }

    pub async fn wait_db(&self, what: &str, mut check: impl AsyncFnMut(&Hearth) -> bool) {
        for _ in 0..300 {
            if check(&self.h).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for: {what}");
    }

    /// Stops the bot and starts it again on the same database and Matrix store.
    pub async fn restart(&mut self) {
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

    pub fn session_device(&self) -> String {
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

    pub async fn stop(self) {
        self.stop.cancel();
        let r = tokio::time::timeout(Duration::from_secs(20), self.task).await;
        assert!(matches!(r, Ok(Ok(Ok(())))), "clean shutdown: {r:?}");
    }
}
