//! `hearth run` as a separate process against the Discord wire fake, killed with
//! SIGKILL in the middle of a fan-out to 1,000 couples, again and again, then left to
//! finish. From the fake's record: every due slot was posted exactly once.
//!
//! Kill points: at start-up (as soon as the process talks to Discord, with the claim
//! under way or just done), in the middle of sending (after 300 posts), and after
//! sends whose answers never came back (the message exists, the database does not
//! know). Before the last start the fake forgets every nonce, as Discord does after a
//! few minutes, so only hearth's own lookup of the delivery key stands between a
//! retry and a duplicate.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use hearth::clock::ManualClock;
use hearth::config::Config;
use serde_json::Value;
use tokio::process::{Child, Command};

use crate::support::discord_fake::FakeDiscord;
use crate::support::discord_fake::fixtures::GUILD_ID;
use crate::support::discord_world::{footer, members, seed_couples};

const COUPLES: u64 = 1000;
const FIRST_CHANNEL: u64 = 960_000_000_000_000_000;

fn config_text(fake: &FakeDiscord) -> String {
    format!(
        r#"
[storage]
database = "hearth.db"

# These runs use the real clock and count every message: no weekly digest among them.
[defaults]
digest = "off"

[engine]
send_concurrency = 16
lease_secs = 3
backoff_base_secs = 1
backoff_max_secs = 2

[log]
level = "info"

[discord]
enabled = true
rest_proxy = "{base}"
max_requests_per_second = 0
request_timeout_secs = 5
guild_ids = [{GUILD_ID}]
"#,
        base = fake.rest_base()
    )
}

/// 1,000 couples, each in its own channel with a daily schedule whose slot fell a
/// minute ago: all due the moment `hearth run` starts.
async fn seed(cfg: Config) {
    let now = Utc::now();
    let slot = (now - TimeDelta::minutes(1))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    let clock = Arc::new(ManualClock::new(now - TimeDelta::hours(2)));
    let h = hearth::open(cfg, clock).await.unwrap();
    let spec = format!("daily {}", slot.format("%H:%M"));
    seed_couples(&h, FIRST_CHANNEL, COUPLES, &spec).await;
    h.store.close().await;
}

fn start(dir: &Path, run: usize) -> Child {
    let log = std::fs::File::create(dir.join(format!("run-{run}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .arg("run")
        .env("HEARTH_DISCORD_TOKEN", "fake-bot-token")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start hearth run")
}

pub(crate) async fn kill(mut child: Child) {
    child.start_kill().expect("SIGKILL");
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "killed, not exited: {status:?}");
}

/// Waits for `check`; on timeout, fails with the run's log.
async fn wait_until(log: &Path, what: &str, secs: u64, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}; the run's log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// (delivery id, state, message id) of every delivery, read straight from SQLite.
pub(crate) async fn deliveries(db: &Path) -> Vec<(i64, String, Option<String>)> {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, state, message_id FROM deliveries ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_fan_out_posts_every_slot_exactly_once() {
    let fake = FakeDiscord::start(members()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = dir.path().join("config.toml");
    std::fs::write(&cfg_path, config_text(&fake)).unwrap();
    seed(Config::load(&cfg_path).unwrap()).await;
    let db = dir.path().join("hearth.db");

    // 1. At start-up: killed as soon as it first talks to Discord.
    let child = start(dir.path(), 1);
    wait_until(
        &dir.path().join("run-1.log"),
        "the first request",
        60,
        || !fake.requests().is_empty(),
    )
    .await;
    kill(child).await;
    let after_1 = fake.creates_seen();

    // 2. Mid-send: killed after 300 posts.
    let child = start(dir.path(), 2);
    wait_until(&dir.path().join("run-2.log"), "300 posts", 120, || {
        fake.creates_seen() >= 300
    })
    .await;
    kill(child).await;
    let after_2 = fake.creates_seen();
    assert!(after_2 < COUPLES as usize, "the fan-out was not finished");

    // 3. After send, before record: 200 more posts, then answers are held back; killed
    //    while at least ten are made on Discord but unanswered.
    fake.hold_answers_after(after_2 + 200, Duration::from_secs(300));
    let child = start(dir.path(), 3);
    wait_until(
        &dir.path().join("run-3.log"),
        "answers held back",
        120,
        || fake.held() >= 10,
    )
    .await;
    kill(child).await;
    let after_3 = fake.creates_seen();
    fake.release_answers();
    fake.forget_nonces();
    let unanswered: Vec<_> = deliveries(&db)
        .await
        .into_iter()
        .filter(|(_, s, m)| s != "posted" && m.is_none())
        .collect();
    let on_discord: HashSet<String> = fake
        .all_messages()
        .values()
        .flatten()
        .filter_map(footer)
        .collect();
    let made_but_unrecorded = unanswered
        .iter()
        .filter(|(id, _, _)| on_discord.contains(&format!("hearth-{id}")))
        .count();
    assert!(
        made_but_unrecorded >= 10,
        "the kill left posts the database does not know about ({made_but_unrecorded})"
    );

    // 4. Left to finish.
    let child = start(dir.path(), 4);
    let mut done = false;
    for _ in 0..600 {
        let rows = deliveries(&db).await;
        if rows.len() == COUPLES as usize && rows.iter().all(|(_, s, _)| s == "posted") {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Give a stray duplicate the chance to show before judging.
    tokio::time::sleep(Duration::from_secs(1)).await;
    kill(child).await;
    let log = std::fs::read_to_string(dir.path().join("run-4.log")).unwrap_or_default();
    assert!(
        done,
        "not all deliveries were posted; last run's log:\n{log}"
    );

    // The fake's record: one prompt per channel, every delivery key once.
    let all = fake.all_messages();
    let rows = deliveries(&db).await;
    let by_id: HashMap<String, String> = rows
        .iter()
        .map(|(id, _, m)| (format!("hearth-{id}"), m.clone().unwrap_or_default()))
        .collect();
    let mut keys = HashSet::new();
    for i in 0..COUPLES {
        let ch = (FIRST_CHANNEL + i).to_string();
        let prompts: Vec<&Value> = all
            .get(&ch)
            .map(|v| v.iter().filter(|m| footer(m).is_some()).collect())
            .unwrap_or_default();
        assert_eq!(prompts.len(), 1, "channel {ch}: {} prompts", prompts.len());
        let key = footer(prompts[0]).unwrap();
        assert!(keys.insert(key.clone()), "{key} posted twice");
        assert_eq!(
            by_id.get(&key).map(String::as_str),
            prompts[0]["id"].as_str(),
            "{key}: the database records the message that is on Discord"
        );
    }
    assert_eq!(keys.len(), COUPLES as usize);
    println!(
        "kills after {after_1}, {after_2} and {after_3} posts; {made_but_unrecorded} posted but unrecorded at the third"
    );
}
