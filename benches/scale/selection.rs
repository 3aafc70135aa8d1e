//! Choosing the next prompt for a couple with a year of history: 365 daily
//! conversation prompts posted through the engine, most of them reacted to.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, ensure};
use chrono::Duration;
use hearth::catalog::select::{Preferences, choose};
use hearth::catalog::tags::{Depth, Kind};
use hearth::clock::ManualClock;
use hearth::config::Config;
use hearth::domain::{ChannelRef, PlatformKind};
use hearth::engine::{Engine, choose_for};
use hearth::platform::Platforms;
use hearth::schedule::{ScheduleSpec, Zone};
use hearth::store::NewSchedule;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

use crate::children::Noop;
use crate::world;

/// Seconds per choice: mean and 99th percentile, over `calls` choices.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub history: usize,
    pub reactions: usize,
    pub calls: usize,
    pub mean: f64,
    pub p99: f64,
    /// Mean seconds of each part, timed apart: the one read (history, reaction signals
    /// and the community's custom prompts together) and the pure choice.
    pub parts: [f64; 2],
}

const DAYS: usize = 365;
/// What the couple answers, day after day: mostly loved or talked about.
const REACTIONS: [&[&str]; 6] = [&["❤️"], &["✅"], &["❤️", "✅"], &["🔁"], &["⭐", "❤️"], &[]];

pub async fn run(calls: usize) -> anyhow::Result<Selection> {
    let dir = tempfile::tempdir().context("while making a temporary folder")?;
    let cfg = Config::defaults_in(dir.path());
    let db = cfg.database.clone();
    let first_day = world::start_at() - Duration::days(DAYS as i64);
    let clock = Arc::new(ManualClock::new(first_day));
    let h = hearth::open(cfg, clock.clone()).await?;
    let channel = ChannelRef::new(PlatformKind::Discord, "guild-1", "chan-1");
    let members = ["alice".to_string(), "sam".to_string()];
    let couple = h
        .store
        .create_couple(
            &channel,
            &members,
            "Europe/Berlin",
            "deep",
            "mod",
            first_day.timestamp(),
        )
        .await?
        .context("the channel already had a couple")?;
    let zone = Zone::parse("Europe/Berlin").map_err(|e| anyhow::anyhow!("{e}"))?;
    let spec = ScheduleSpec::parse("daily 20:00").map_err(|e| anyhow::anyhow!("{e}"))?;
    let slots = spec.upcoming(first_day, zone, DAYS);
    let schedule = NewSchedule {
        couple_id: couple,
        kind: "conversation",
        spec: spec.text(),
        timezone: zone.name(),
        grace_secs: 7200,
        next_slot_at: slots.first().map(|t| t.timestamp()),
        thread: false,
        created_by: "mod",
    };
    h.store
        .add_schedule(&schedule, first_day.timestamp())
        .await?;
    let engine = Engine::new(h.clone(), Platforms::new().with(Arc::new(Noop::default())));
    for at in &slots {
        clock.set(*at);
        let r = engine.tick(*at).await?;
        ensure!(r.posted == 1, "day {at}: {r:?}");
    }

    let given = h.store.history(couple, DAYS as i64 + 10).await?;
    ensure!(
        given.len() == DAYS,
        "{} prompts in the history",
        given.len()
    );
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?;
    let mut conn = SqliteConnection::connect_with(&opts).await?;
    let mut reactions = 0;
    let mut tx = conn.begin().await?;
    for (i, d) in given.iter().enumerate() {
        for (j, emoji) in REACTIONS[i % REACTIONS.len()].iter().enumerate() {
            sqlx::query(
                "INSERT INTO reactions (delivery_id, user_id, emoji, added_at) VALUES (?, ?, ?, ?)",
            )
            .bind(d.delivery_id)
            .bind(&members[j % 2])
            .bind(*emoji)
            .bind(d.posted_at + 3600)
            .execute(&mut *tx)
            .await?;
            reactions += 1;
        }
    }
    tx.commit().await?;

    let ids: Vec<&str> = given
        .iter()
        .filter_map(|d| d.prompt_id.as_deref())
        .collect();
    let mut samples = Vec::with_capacity(calls);
    for seed in 0..calls {
        let t = Instant::now();
        let p = choose_for(
            &h,
            couple,
            &channel,
            Kind::Conversation,
            Depth::Deep,
            seed as u64,
        )
        .await?
        .context("no prompt was chosen")?;
        samples.push(t.elapsed().as_secs_f64());
        ensure!(
            !ids.contains(&p.id.as_str()),
            "{} repeats within the cycle",
            p.id
        );
    }
    let candidates: Vec<_> = h.catalog.of_kind(Kind::Conversation).collect();
    let mut parts = [0.0; 2];
    for seed in 0..calls {
        let t = Instant::now();
        let mut inputs = h
            .store
            .selection_inputs(
                &[(couple, "conversation")],
                &[(channel.platform, channel.scope.as_str())],
            )
            .await?;
        parts[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let history = inputs
            .history
            .remove(&(couple, "conversation".to_string()))
            .unwrap_or_default();
        let history: Vec<&str> = history.iter().map(String::as_str).collect();
        choose(&candidates, &history, &Preferences::default(), seed as u64)
            .context("no prompt was chosen")?;
        parts[1] += t.elapsed().as_secs_f64();
    }
    samples.sort_by(f64::total_cmp);
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    h.store.close().await;
    Ok(Selection {
        history: given.len(),
        reactions,
        calls,
        mean: samples.iter().sum::<f64>() / calls as f64,
        p99,
        parts: parts.map(|p| p / calls as f64),
    })
}
