//! The Matrix harness itself: a real Synapse on 127.0.0.1 and matrix-sdk clients that
//! talk through it, in a plain and in an end-to-end encrypted room. The adapter's
//! tests stand on this.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::room::create_room::v3::Request as CreateRoom;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, RoomMessageEventContent,
};
use matrix_sdk::ruma::{OwnedRoomId, OwnedUserId};
use matrix_sdk::{Client, Room};

use crate::support::synapse::Synapse;

async fn login(s: &Synapse, user: &str, store: &std::path::Path) -> Client {
    let client = Client::builder()
        .homeserver_url(s.base_url())
        .sqlite_store(store, None)
        .build()
        .await
        .expect("client");
    client
        .matrix_auth()
        .login_username(user, "secret-pass")
        .initial_device_display_name("hearth test")
        .await
        .expect("login");
    client
        .sync_once(SyncSettings::default())
        .await
        .expect("first sync");
    client
}

/// Collects the plain-text bodies a client receives.
fn collect(client: &Client) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, _room: Room| {
        let s = s.clone();
        async move {
            if matches!(
                ev.content.msgtype,
                MessageType::Text(_) | MessageType::Notice(_)
            ) {
                s.lock().unwrap().push(ev.content.body().to_string());
            }
        }
    });
    seen
}

async fn sync_until(client: &Client, what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..60 {
        if done() {
            return;
        }
        let settings = SyncSettings::default().timeout(Duration::from_millis(500));
        client.sync_once(settings).await.expect("sync");
    }
    panic!("timed out waiting for: {what}");
}

async fn room_with(
    alice: &Client,
    bot: &Client,
    bot_id: &OwnedUserId,
    encrypted: bool,
) -> OwnedRoomId {
    let mut req = CreateRoom::new();
    req.invite = vec![bot_id.clone()];
    if encrypted {
        req.initial_state = vec![
            InitialStateEvent::with_empty_state_key(
                RoomEncryptionEventContent::with_recommended_defaults(),
            )
            .to_raw_any(),
        ];
    }
    let room = alice.create_room(req).await.expect("create room");
    let id = room.room_id().to_owned();
    sync_until(bot, "the invite", || bot.get_room(&id).is_some()).await;
    bot.get_room(&id).unwrap().join().await.expect("join");
    // Both sides learn the membership (and, encrypted, each other's devices).
    alice.sync_once(SyncSettings::default()).await.unwrap();
    bot.sync_once(SyncSettings::default()).await.unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_sdk_talks_through_synapse_in_plain_and_encrypted_rooms() {
    let s = Synapse::start().await;
    let alice_id: OwnedUserId = s
        .register("alice", "secret-pass", false)
        .await
        .parse()
        .unwrap();
    let bot_id: OwnedUserId = s
        .register("hearth", "secret-pass", false)
        .await
        .parse()
        .unwrap();
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let alice = login(&s, alice_id.as_str(), dirs.0.path()).await;
    let bot = login(&s, bot_id.as_str(), dirs.1.path()).await;
    let bot_seen = collect(&bot);
    let alice_seen = collect(&alice);
    for encrypted in [false, true] {
        let id = room_with(&alice, &bot, &bot_id, encrypted).await;
        let word = if encrypted {
            "secret hello"
        } else {
            "plain hello"
        };
        alice
            .get_room(&id)
            .unwrap()
            .send(RoomMessageEventContent::text_plain(word))
            .await
            .expect("send");
        sync_until(&bot, "the bot reads alice's message", || {
            bot_seen.lock().unwrap().iter().any(|b| b == word)
        })
        .await;
        let answer = format!("notice for {word}");
        bot.get_room(&id)
            .unwrap()
            .send(RoomMessageEventContent::notice_plain(answer.as_str()))
            .await
            .expect("send notice");
        sync_until(&alice, "alice reads the bot's notice", || {
            alice_seen.lock().unwrap().contains(&answer)
        })
        .await;
        assert_eq!(
            alice
                .get_room(&id)
                .unwrap()
                .encryption_state()
                .is_encrypted(),
            encrypted
        );
    }
}
