//! Answering on Matrix against a real Synapse: hearth forwards the conversation prompt
//! to each member in an encrypted direct chat; one answers by replying to it, the
//! other with `!hearth answer`; the answers are revealed once in the couple's room
//! (plain or encrypted).

use std::sync::{Arc, Mutex};

use matrix_sdk::Client;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId};
use serde_json::{Value, json};

use crate::support::app::utc;
use crate::support::matrix_world::*;

const ALICE_ANSWER: &str = "The lake, where we got lost";
const SAM_ANSWER: &str = "Wherever you are";

/// Waits for hearth's direct chat with `who` (joining it) and its forwarded prompt.
async fn direct_chat(
    w: &World,
    who: &Client,
    seen: &Arc<Mutex<Vec<Value>>>,
) -> (OwnedRoomId, OwnedEventId) {
    let mut room = None;
    sync_until(who, "an invite to a direct chat", || {
        room = who
            .invited_rooms()
            .into_iter()
            .map(|r| r.room_id().to_owned())
            .find(|id| *id != w.room);
        room.is_some()
    })
    .await;
    let room = room.unwrap();
    who.get_room(&room).unwrap().join().await.unwrap();
    let mut forwarded = None;
    sync_until(who, "the forwarded prompt", || {
        forwarded = seen.lock().unwrap().iter().find_map(|v| {
            (v["content"]["org.hearth.answer_for"] == "hearth-1")
                .then(|| v["event_id"].as_str()?.parse().ok())
                .flatten()
        });
        forwarded.is_some()
    })
    .await;
    (room, forwarded.unwrap())
}

/// Sends `content` as `who` in `room` and waits for hearth's notice in reply.
async fn say(
    who: &Client,
    seen: &Arc<Mutex<Vec<Value>>>,
    room: &OwnedRoomId,
    content: Value,
) -> String {
    let sent = who
        .get_room(room)
        .unwrap()
        .send_raw("m.room.message", content)
        .await
        .unwrap()
        .response
        .event_id;
    let mut answer = None;
    sync_until(who, "hearth's reply", || {
        answer = seen.lock().unwrap().iter().find_map(|v| {
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

fn reveals(w: &World) -> Vec<Value> {
    w.alice_seen
        .lock()
        .unwrap()
        .iter()
        .filter(|v| {
            v["room_id"].as_str().is_none_or(|r| r == w.room.as_str())
                && v["content"]["org.hearth.delivery"] == "hearth-reveal-1"
        })
        .cloned()
        .collect()
}

async fn answer_in_direct_chats(encrypted: bool) {
    let w = World::start(encrypted).await;
    let sam_seen = seen(&w.sam);
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
    // In the couple's room an answer would be read by the partner: refused there.
    let a = w.command(&w.alice, "!hearth answer in the open").await;
    assert!(a.contains("direct message"), "{a}");
    let (alice_dm, forwarded) = direct_chat(&w, &w.alice, &w.alice_seen).await;
    let (sam_dm, _) = direct_chat(&w, &w.sam, &sam_seen).await;
    assert!(
        w.h.store.answered_by(1).await.unwrap().is_empty(),
        "nothing stored from the open room"
    );
    assert!(
        w.alice
            .get_room(&alice_dm)
            .unwrap()
            .encryption_state()
            .is_encrypted(),
        "the direct chat is encrypted"
    );
    // alice replies to the forwarded prompt; sam types the command.
    let reply = json!({
        "msgtype": "m.text",
        "body": ALICE_ANSWER,
        "m.relates_to": {"m.in_reply_to": {"event_id": forwarded.to_string()}},
    });
    let a = say(&w.alice, &w.alice_seen, &alice_dm, reply).await;
    assert!(
        a.contains("kept hidden until @sam:localhost answers prompt #1"),
        "{a}"
    );
    let line = json!({"msgtype": "m.text", "body": format!("!hearth answer {SAM_ANSWER}")});
    let a = say(&w.sam, &sam_seen, &sam_dm, line).await;
    assert!(a.contains("Everyone has answered prompt #1"), "{a}");
    sync_until(&w.alice, "the reveal in the couple's room", || {
        !reveals(&w).is_empty()
    })
    .await;
    for _ in 0..3 {
        w.alice
            .sync_once(
                matrix_sdk::config::SyncSettings::default()
                    .timeout(std::time::Duration::from_millis(200)),
            )
            .await
            .unwrap();
    }
    let shown = reveals(&w);
    assert_eq!(shown.len(), 1, "{shown:?}");
    let body = shown[0]["content"]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("@alice:localhost: {ALICE_ANSWER}")),
        "{body}"
    );
    assert!(
        body.contains(&format!("@sam:localhost: {SAM_ANSWER}")),
        "{body}"
    );
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_in_direct_chats_are_revealed_in_a_plain_room() {
    answer_in_direct_chats(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_in_direct_chats_are_revealed_in_an_encrypted_room() {
    answer_in_direct_chats(true).await;
}
