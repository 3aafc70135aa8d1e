//! The two measured processes: hearth starting on the seeded database, and the same
//! schedules as tokio-cron-scheduler jobs. Each prints one line of figures.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use async_trait::async_trait;
use hearth::clock::ManualClock;
use hearth::config::Config;
use hearth::domain::{ChannelRef, PlatformKind};
use hearth::engine::{Engine, TickReport};
use hearth::platform::{OutboundPrompt, Platform, Platforms, SendError};
use hearth::schedule::{ScheduleSpec, Zone};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::world;

/// What a child measured; printed as one JSON line after [`MARK`].
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Figures {
    pub schedules: usize,
    /// Start to first engine tick (hearth) or to a started scheduler (tcs), seconds.
    pub start: f64,
    /// tcs only: of `start`, reading the schedules from the database.
    pub load: f64,
    pub rss_kb: u64,
    pub hwm_kb: u64,
    /// Seconds per idle `Engine::tick`, and per `Engine::wake` (tick + time to sleep).
    pub idle_tick: f64,
    pub idle_wake: f64,
    pub idle_calls: usize,
    pub due: usize,
    /// Seconds for `claim_due`, then for the tick that sends and records.
    pub claim: f64,
    pub send: f64,
}

pub const MARK: &str = "SCALE_FIGURES ";

/// VmRSS and VmHWM of this process in kB (0 where /proc is missing).
pub fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A platform that accepts every post at once.
#[derive(Default)]
pub struct Noop {
    posts: AtomicUsize,
}

impl Noop {
    pub fn posts(&self) -> usize {
        self.posts.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Platform for Noop {
    fn kind(&self) -> PlatformKind {
        PlatformKind::Discord
    }

    async fn post_prompt(&self, _p: &OutboundPrompt) -> Result<String, SendError> {
        Ok(format!("m{}", self.posts.fetch_add(1, Ordering::SeqCst)))
    }

    async fn find_posted(&self, _c: &ChannelRef, _key: &str) -> Result<Option<String>, SendError> {
        Ok(None)
    }

    async fn send_notice(&self, _c: &ChannelRef, _text: &str) -> Result<(), SendError> {
        Ok(())
    }
}

/// Calls `f` up to `calls` times (fewer if `budget` runs out); seconds per call.
async fn per_call<F: AsyncFnMut() -> anyhow::Result<()>>(
    calls: usize,
    budget: Duration,
    mut f: F,
) -> anyhow::Result<(f64, usize)> {
    let started = Instant::now();
    let mut done = 0;
    while done < calls && (done < 10 || started.elapsed() < budget) {
        f().await?;
        done += 1;
    }
    Ok((started.elapsed().as_secs_f64() / done as f64, done))
}

/// hearth on the seeded database: start, idle wake-ups, `due` slots claimed and sent.
pub async fn hearth(dir: &Path, due: usize, full: bool) -> anyhow::Result<Figures> {
    let start = world::start_at();
    let clock = Arc::new(ManualClock::new(start));
    let started = Instant::now();
    let h = hearth::open(Config::defaults_in(dir), clock.clone()).await?;
    let platform = Arc::new(Noop::default());
    let engine = Engine::new(h, Platforms::new().with(platform.clone()));
    let first = engine.tick(start).await?;
    let start_secs = started.elapsed().as_secs_f64();
    ensure!(
        first == TickReport::default(),
        "nothing is due at start, yet {first:?}"
    );
    let (rss_kb, _) = memory_kb();

    let calls = if full { 10_000 } else { 200 };
    let budget = Duration::from_secs(if full { 20 } else { 5 });
    let (idle_tick, idle_calls) = per_call(calls, budget, async || {
        let r = engine.tick(start).await?;
        ensure!(r == TickReport::default(), "an idle tick did {r:?}");
        Ok(())
    })
    .await?;
    let (idle_wake, _) = per_call(calls, budget, async || {
        let (r, wait) = engine.wake(start).await?;
        ensure!(r == TickReport::default(), "an idle wake-up did {r:?}");
        ensure!(
            wait > Duration::ZERO && wait <= Duration::from_secs(7 * 60),
            "next wake in {wait:?}, yet the first slot is 7 min away"
        );
        Ok(())
    })
    .await?;

    let at = world::due_at();
    clock.set(at);
    let t = Instant::now();
    let claimed = engine.claim_due(at).await?;
    let claim = t.elapsed().as_secs_f64();
    ensure!(
        claimed == (due, due, 0),
        "claimed {claimed:?}, not {due} due slots"
    );
    let t = Instant::now();
    let sent = engine.tick(at).await?;
    let send = t.elapsed().as_secs_f64();
    ensure!(
        sent == TickReport {
            posted: due,
            ..TickReport::default()
        },
        "the tick after the claim did {sent:?}, not {due} posts"
    );
    ensure!(
        platform.posts() == due,
        "{} posts reached the platform",
        platform.posts()
    );
    let again = engine.tick(at).await?;
    ensure!(
        again == TickReport::default(),
        "a second tick did {again:?}"
    );
    check_deliveries(dir, due, at.timestamp()).await?;
    let (_, hwm_kb) = memory_kb();
    Ok(Figures {
        schedules: schedule_count(dir).await?,
        start: start_secs,
        rss_kb,
        hwm_kb,
        idle_tick,
        idle_wake,
        idle_calls,
        due,
        claim,
        send,
        ..Figures::default()
    })
}

/// Exactly `due` delivery rows, all posted, one per due schedule, each with a message;
/// no schedule left due at `at`.
async fn check_deliveries(dir: &Path, due: usize, at: i64) -> anyhow::Result<()> {
    let mut conn = world::connect(dir).await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT schedule_id) AS schedules,
                SUM(state = 'posted' AND message_id IS NOT NULL) AS posted,
                (SELECT COUNT(*) FROM prompt_history) AS history,
                (SELECT COUNT(*) FROM schedules WHERE next_slot_at <= ?) AS still_due
         FROM deliveries",
    )
    .bind(at)
    .fetch_one(&mut conn)
    .await?;
    let (n, schedules, posted, history): (i64, i64, i64, i64) = (
        row.get("n"),
        row.get("schedules"),
        row.get("posted"),
        row.get("history"),
    );
    let due = i64::try_from(due)?;
    ensure!(
        (n, schedules, posted, history) == (due, due, due, due),
        "deliveries {n}, schedules {schedules}, posted {posted}, history {history}; expected {due} each"
    );
    let still_due: i64 = row.get("still_due");
    ensure!(
        still_due == 0,
        "{still_due} schedules are still due after the claim"
    );
    Ok(())
}

async fn schedule_count(dir: &Path) -> anyhow::Result<usize> {
    let mut conn = world::connect(dir).await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schedules")
        .fetch_one(&mut conn)
        .await?;
    Ok(usize::try_from(n)?)
}

type JobFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The same schedules as tokio-cron-scheduler jobs: read them, add one job each
/// (cron with seconds, in the schedule's zone), start the scheduler.
pub async fn tcs(dir: &Path) -> anyhow::Result<Figures> {
    let started = Instant::now();
    let mut conn = world::connect(dir).await?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT spec, timezone FROM schedules WHERE enabled = 1 AND paused = 0")
            .fetch_all(&mut conn)
            .await?;
    let load = started.elapsed().as_secs_f64();
    // Each distinct spec and zone is parsed once: the figures are the scheduler's.
    let mut crons: HashMap<String, String> = HashMap::new();
    let mut zones: HashMap<String, chrono_tz::Tz> = HashMap::new();
    let sched = JobScheduler::new().await?;
    for (spec, zone) in &rows {
        if !crons.contains_key(spec) {
            let cron = ScheduleSpec::parse(spec).map_err(|e| anyhow::anyhow!("{e}"))?;
            crons.insert(spec.clone(), cron.cron_expr().to_string());
        }
        if !zones.contains_key(zone) {
            let tz = Zone::parse(zone).map_err(|e| anyhow::anyhow!("{e}"))?.tz();
            zones.insert(zone.clone(), tz);
        }
        let (cron, tz) = (&crons[spec], zones[zone]);
        let job = Job::new_async_tz(cron.as_str(), tz, |_id, _sched| -> JobFuture {
            Box::pin(async {})
        })
        .with_context(|| format!("tokio-cron-scheduler refuses {cron:?}"))?;
        sched.add(job).await?;
    }
    sched.start().await?;
    let start = started.elapsed().as_secs_f64();
    let (rss_kb, hwm_kb) = memory_kb();
    Ok(Figures {
        schedules: rows.len(),
        start,
        load,
        rss_kb,
        hwm_kb,
        ..Figures::default()
    })
}
