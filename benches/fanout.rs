#![recursion_limit = "256"]
//! Fan-out at the platform limit.
//!
//! Discord: N due deliveries, each in its own channel, sent by the real serenity
//! client through hearth's engine to the Discord wire fake, which enforces Discord's
//! published limits (50 requests/s global, per-route buckets announced in
//! `X-RateLimit-*`) and answers 429 to anything over them. Reported: sustained
//! requests/s as a share of the global limit, 429s (global and per-route), time to
//! drain, and that every delivery landed exactly once.
//!
//! Matrix: M deliveries to M rooms on a real Synapse at its default `rc_message`
//! (0.2 messages/s after a burst of 10): all land, none is lost while waiting out
//! the 429s. Pre-added emoji are off there: each would be one more rate-limited event.
//!
//! `cargo bench --bench fanout` runs 3,000 Discord and 30 Matrix deliveries; without
//! `--bench` (as `cargo test` runs it) 150 and 6, a smoke run. `--only=discord` or
//! `--only=matrix` (after `--`) runs one of the two.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use hearth::clock::ManualClock;
use hearth::commands::{Ctx, handle, parse_words};
use hearth::config::{Config, Secret};
use hearth::domain::{Actor, ChannelRef, PlatformKind};
use hearth::run::{Tokens, serve};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::OwnedRoomId;
use matrix_sdk::ruma::api::client::room::create_room::v3::Request as CreateRoom;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use support::app::utc;
use support::discord_world::{World, footer, seed_couples};
use support::matrix_world::{PASS, login};
use support::synapse::Synapse;

const FIRST_CHANNEL: u64 = 970_000_000_000_000_000;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (discord_n, matrix_n) = if full { (3000, 30) } else { (150, 6) };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    println!(
        "fan-out bench ({}): {discord_n} Discord deliveries, {matrix_n} Matrix deliveries",
        if full { "full" } else { "smoke" }
    );
    let only = std::env::args().find_map(|a| a.strip_prefix("--only=").map(str::to_string));
    if only.as_deref() != Some("matrix") {
        rt.block_on(discord(discord_n));
    }
    if only.as_deref() != Some("discord") {
        rt.block_on(matrix(matrix_n));
    }
}

async fn discord(n: u64) {
    let w = World::start_with(|fake, _cfg| fake.enforce_discord_limits()).await;
    seed_couples(&w.h, FIRST_CHANNEL, n, "daily 20:00").await;
    let before = w.fake.arrivals().len();
    let start = tokio::time::Instant::now();
    let mut t = utc(2026, 6, 1, 20, 0);
    w.at(t);
    // The manual clock keeps pace with real time, so any retry comes due.
    let drained = loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        t += TimeDelta::milliseconds(250);
        w.at(t);
        let (posted, total) = w.h.store.posted_of_all().await.expect("counts");
        if total == n as i64 && posted == total {
            break start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(n / 10 + 120),
            "the fan-out did not drain: {posted} of {total} posted"
        );
    };
    tokio::time::sleep(Duration::from_secs(1)).await;

    let all = w.fake.all_messages();
    let mut keys = HashSet::new();
    for i in 0..n {
        let ch = (FIRST_CHANNEL + i).to_string();
        let prompts: Vec<String> = all
            .get(&ch)
            .map(|v| v.iter().filter_map(footer).collect())
            .unwrap_or_default();
        assert_eq!(prompts.len(), 1, "channel {ch}: {prompts:?}");
        assert!(keys.insert(prompts[0].clone()), "{} twice", prompts[0]);
    }
    let arrivals: Vec<tokio::time::Instant> = w.fake.arrivals()[before..].to_vec();
    let (first, last) = (arrivals[0], arrivals[arrivals.len() - 1]);
    let span = (last - first).as_secs_f64();
    let rate = (arrivals.len() - 1) as f64 / span.max(f64::EPSILON);
    let violations = w.fake.violations();
    let global = violations
        .iter()
        .filter(|v| v.starts_with("global"))
        .count();
    let route = violations.len() - global;
    println!("\nDiscord, limits enforced by the fake (50 requests/s global, per-route buckets)");
    println!("  deliveries            {n} (each posted exactly once: checked)");
    println!("  requests              {}", arrivals.len());
    println!("  time to drain         {:.1} s", drained.as_secs_f64());
    println!(
        "  sustained rate        {rate:.1} requests/s = {:.3} of the limit   target >= 0.95: {}",
        rate / 50.0,
        verdict(rate / 50.0 >= 0.95)
    );
    println!(
        "  busiest second        {} requests",
        w.fake.busiest_second()
    );
    println!(
        "  429s                  {global} global (target 0: {}), {route} per-route",
        verdict(global == 0)
    );
    w.stop().await;
}

async fn matrix(n: usize) {
    // Synapse's default rc_message: 0.2/s after a burst of 10.
    let s = Synapse::start_with_message_limit(None).await;
    let alice_id = s.register("alice", PASS, false).await;
    let sam_id = s.register("sam", PASS, false).await;
    let bot_id = s.register("hearth", PASS, false).await;
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("dir")).collect();
    let alice = login(&s, &alice_id, dirs[1].path()).await;
    let setup = login(&s, &bot_id, dirs[2].path()).await;
    let mut rooms: Vec<OwnedRoomId> = Vec::new();
    for _ in 0..n {
        let mut req = CreateRoom::new();
        req.invite = vec![bot_id.parse().expect("user id")];
        let room = alice
            .create_room(req)
            .await
            .expect("room")
            .room_id()
            .to_owned();
        setup.join_room_by_id(&room).await.expect("join");
        rooms.push(room);
    }
    drop(setup);

    let mut cfg = Config::defaults_in(dirs[0].path());
    cfg.matrix.enabled = true;
    cfg.matrix.homeserver = s.base_url();
    cfg.matrix.user = bot_id.clone();
    cfg.engine.backoff_base_secs = 1;
    cfg.engine.backoff_max_secs = 10;
    // Each emoji hearth pre-adds is one more event against rc_message: measured here
    // is the prompts themselves (see config.example.toml on pre_add).
    cfg.reactions.pre_add = false;
    let clock = Arc::new(ManualClock::new(utc(2026, 6, 1, 12, 0)));
    let h = hearth::open(cfg, clock.clone()).await.expect("open");
    for room in &rooms {
        let ctx = Ctx {
            channel: ChannelRef::new(PlatformKind::Matrix, "matrix", room.as_str()),
            actor: Actor::moderator(&alice_id),
        };
        for line in [
            vec!["couple", "add", &alice_id, &sam_id, "UTC"],
            vec!["schedule", "add", "conversation", "daily 20:00"],
        ] {
            let words: Vec<String> = line.iter().map(|w| (*w).to_string()).collect();
            let r = handle(&h, &ctx, parse_words(&words).expect("words")).await;
            assert!(!r.is_error, "{}", r.text);
        }
    }
    let stop = CancellationToken::new();
    let tokens = Tokens {
        matrix_password: Some(Secret::new(PASS)),
        ..Tokens::default()
    };
    let task = tokio::spawn(serve(h.clone(), tokens, stop.clone()));
    // The slot comes; the manual clock then keeps pace with real time.
    let mut t = utc(2026, 6, 1, 20, 0);
    clock.set(t);
    h.nudge();
    let start = Instant::now();
    // Generous: every prompt and each private-answer forward is one event against
    // rc_message, and a wait after a 429 is spent even when the bucket refills sooner.
    let limit = Duration::from_secs(60 + 30 * n as u64);
    let drained = loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        t += TimeDelta::milliseconds(250);
        clock.set(t);
        let (posted, total) = h.store.posted_of_all().await.expect("counts");
        if total == n as i64 && posted == total {
            break start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "Matrix fan-out did not drain: {posted} of {total} posted"
        );
    };
    let retried = h.store.extra_attempts().await.expect("attempt counts");
    stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(20), task).await;

    alice
        .sync_once(SyncSettings::default())
        .await
        .expect("sync");
    for room_id in &rooms {
        let room = alice.get_room(room_id).expect("alice is in the room");
        let mut opts = MessagesOptions::backward();
        opts.limit = 50u32.into();
        let msgs = room.messages(opts).await.expect("messages");
        let prompts = msgs
            .chunk
            .iter()
            .filter_map(|ev| ev.raw().deserialize_as::<Value>().ok())
            .filter(|v| v["content"]["org.hearth.delivery"].is_string())
            .count();
        assert_eq!(prompts, 1, "room {room_id}: {prompts} prompts");
    }
    println!("\nMatrix, Synapse at its default rc_message (0.2/s after a burst of 10)");
    println!("  deliveries            {n} (each posted exactly once: checked in every room)");
    println!("  pre-added emoji       off (each would be one more event against rc_message)");
    println!("  time to drain         {:.1} s", drained.as_secs_f64());
    println!(
        "  rate                  {:.2} messages/s (Synapse allows ~0.2/s after the burst)",
        n as f64 / drained.as_secs_f64().max(f64::EPSILON)
    );
    println!("  engine retries        {retried} (sends that met a 429 and were tried again)");
    println!("  lost                  0 ({})", verdict(true));
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}
