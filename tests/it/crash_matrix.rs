//! `hearth run` as a separate process against a real Synapse, killed with SIGKILL
//! twice in the middle of a fan-out to 24 couples (each in its own room), then left
//! to finish. Synapse limits the bot to 3 messages a second, so the fan-out takes a
//! while and waits out 429s. From the rooms themselves: every due slot was posted
//! exactly once, and the database records the event that is in the room.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use hearth::clock::ManualClock;
use hearth::commands::{Ctx, handle, parse_words};
use hearth::config::Config;
use hearth::domain::{Actor, ChannelRef, PlatformKind};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::OwnedRoomId;
use matrix_sdk::ruma::api::client::room::create_room::v3::Request as CreateRoom;
use serde_json::Value;
use tokio::process::{Child, Command};

use crate::crash::{deliveries, kill};
use crate::support::matrix_world::{PASS, login};
use crate::support::synapse::Synapse;

const ROOMS: usize = 24;

fn config_text(s: &Synapse, bot: &str) -> String {
    format!(
        r#"
[storage]
database = "hearth.db"

# These runs use the real clock and count every message: no weekly digest among them.
[defaults]
digest = "off"

[engine]
send_concurrency = 8
lease_secs = 3
backoff_base_secs = 1
backoff_max_secs = 2

[matrix]
enabled = true
homeserver = "{base}"
user = "{bot}"
"#,
        base = s.base_url()
    )
}

fn start(dir: &Path, run: usize) -> Child {
    let log = std::fs::File::create(dir.join(format!("run-{run}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .arg("run")
        .env("HEARTH_MATRIX_PASSWORD", PASS)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start hearth run")
}

fn posted(rows: &[(i64, String, Option<String>)]) -> usize {
    rows.iter().filter(|(_, s, _)| s == "posted").count()
}

/// Waits until at least `n` deliveries are posted; on timeout, fails with the log.
async fn wait_posted(db: &Path, log: &Path, n: usize, secs: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while posted(&deliveries(db).await) < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {n} posts; the run's log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_fan_out_on_synapse_posts_every_slot_exactly_once() {
    let s = Synapse::start_with_message_limit(Some("{per_second: 3, burst_count: 3}")).await;
    let alice_id = s.register("alice", PASS, false).await;
    let sam_id = s.register("sam", PASS, false).await;
    let bot_id = s.register("hearth", PASS, false).await;
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let alice = login(&s, &alice_id, dirs[1].path()).await;
    // The bot's account joins the rooms from a setup device of its own; `hearth run`
    // logs in with a device of its own later.
    let setup = login(&s, &bot_id, dirs[2].path()).await;
    let mut rooms: Vec<OwnedRoomId> = Vec::new();
    for _ in 0..ROOMS {
        let mut req = CreateRoom::new();
        req.invite = vec![bot_id.parse().unwrap()];
        let room = alice.create_room(req).await.unwrap().room_id().to_owned();
        setup.join_room_by_id(&room).await.unwrap();
        rooms.push(room);
    }

    let dir = dirs[0].path();
    let cfg_path = dir.join("config.toml");
    std::fs::write(&cfg_path, config_text(&s, &bot_id)).unwrap();
    {
        let now = Utc::now();
        let slot = (now - TimeDelta::minutes(1))
            .duration_trunc(TimeDelta::minutes(1))
            .unwrap();
        let spec = format!("daily {}", slot.format("%H:%M"));
        let clock = Arc::new(ManualClock::new(now - TimeDelta::hours(2)));
        let h = hearth::open(Config::load(&cfg_path).unwrap(), clock)
            .await
            .unwrap();
        for room in &rooms {
            let ctx = Ctx {
                channel: ChannelRef::new(PlatformKind::Matrix, "matrix", room.as_str()),
                actor: Actor::moderator("@alice:localhost"),
            };
            for line in [
                vec!["couple", "add", &alice_id, &sam_id, "UTC"],
                vec!["schedule", "add", "conversation", &spec],
            ] {
                let words: Vec<String> = line.iter().map(|w| (*w).to_string()).collect();
                let r = handle(&h, &ctx, parse_words(&words).unwrap()).await;
                assert!(!r.is_error, "{}", r.text);
            }
        }
        h.store.close().await;
    }
    let db = dir.join("hearth.db");

    // 1. and 2.: killed after 5 and after 12 posts.
    let mut kills = Vec::new();
    for (run, at) in [(1, 5), (2, 12)] {
        let child = start(dir, run);
        wait_posted(&db, &dir.join(format!("run-{run}.log")), at, 120).await;
        kill(child).await;
        kills.push(posted(&deliveries(&db).await));
    }
    assert!(
        kills[1] < ROOMS,
        "the fan-out was not finished at the second kill"
    );

    // 3. Left to finish.
    let child = start(dir, 3);
    wait_posted(&db, &dir.join("run-3.log"), ROOMS, 180).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    kill(child).await;

    // The rooms' record: one prompt each, the one the database names.
    alice.sync_once(SyncSettings::default()).await.unwrap();
    let rows = deliveries(&db).await;
    assert_eq!(rows.len(), ROOMS, "one delivery per couple");
    for room_id in &rooms {
        let room = alice.get_room(room_id).expect("alice is in the room");
        let mut opts = MessagesOptions::backward();
        opts.limit = 100u32.into();
        let msgs = room.messages(opts).await.unwrap();
        let prompts: Vec<(String, String)> = msgs
            .chunk
            .iter()
            .filter_map(|ev| {
                let v: Value = ev.raw().deserialize_as().ok()?;
                let key = v["content"]["org.hearth.delivery"].as_str()?.to_string();
                Some((key, v["event_id"].as_str()?.to_string()))
            })
            .collect();
        assert_eq!(prompts.len(), 1, "room {room_id}: {prompts:?}");
        let (key, event_id) = &prompts[0];
        let row = rows
            .iter()
            .find(|(id, _, _)| format!("hearth-{id}") == *key)
            .unwrap_or_else(|| panic!("{key} is a delivery of this database"));
        assert_eq!(
            row.2.as_deref(),
            Some(event_id.as_str()),
            "{key}: the database records the event in the room"
        );
    }
    println!("kills after {} and {} posts", kills[0], kills[1]);
}
