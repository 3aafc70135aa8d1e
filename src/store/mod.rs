//! All SQL lives here, one file per table group. Nothing else knows table names.
//!
//! SQLite through sqlx: WAL, foreign keys and a busy timeout on; the database file
//! is created readable by its owner only, because it holds intimate data.

mod answers;
mod audit;
// Check-in answers for the weekly chart.
mod checkins;
mod couples;
mod custom;
mod deliveries;
// The weekly digest's schedule and posts, and the appreciation jar it draws on.
mod digests;
mod export;
mod jar;
// Pause periods and the data the weekly streak is computed from.
mod pauses;
mod reaction_batch;
// What the reaction writer keeps in memory between batches.
mod reaction_lookups;
mod reactions;
mod schedules;
mod send_batch;
mod totals;
// The cheap check of whether anything was committed since.
mod watch;
// Suggested prompts and the notices that tell their authors.
mod notices;
mod suggestions;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use answers::{AnswerTarget, PendingReveal, SubmitOutcome};
pub use audit::AuditEntry;
pub use checkins::CheckinReaction;
pub use couples::Couple;
pub use custom::CustomPrompt;
pub use deliveries::{HistoryItem, OpenDelivery, PostedMessage, PostedRef};
pub use digests::{DigestPlan, PendingDigest};
pub use export::ForgetReport;
pub use jar::{JarItem, JarSource};
pub use notices::PendingNotice;
pub use pauses::{PausePeriod, PostedEngagement};
pub use reaction_batch::{
    BatchFacts, Checkpointer, NewReaction, OnDemand, ReactionConn, ReactionKey, WRITER_CACHE_KIB,
    WRITER_CHECKPOINT_PAGES, failed_on_data, reaction_writer_options,
};
pub use reaction_lookups::{LOOKUPS_PER_GENERATION, Lookups, PostedPrompt};
pub use reactions::ReactionCount;
pub use schedules::{DueSchedule, NewSchedule, ScheduleRow, SlotPlan};
pub use send_batch::{LeaseRequest, SelectionInputs};
pub use suggestions::{Decision, Suggestion};
pub use watch::ChangeStamp;

/// WAL pages after which a commit on the pool's connections checkpoints by itself.
/// Above SQLite's 1,000: a claim of 1,000 due slots writes about that many pages, and
/// its commit would otherwise wait for copying them into the database and two
/// fsyncs. The engine starts a passive checkpoint beside itself after it writes
/// ([`Store::checkpoint`]), so this is only the backstop for other writers.
pub const POOL_CHECKPOINT_PAGES: u32 = 10_000;

/// The database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// The database file, for connections of its own (the reaction writer's).
    path: Arc<Path>,
    /// Tells whether anything was committed since (see [`Store::change_stamp`]);
    /// `None` if its connection could not be opened.
    watch: Option<Arc<watch::ChangeWatch>>,
}

impl Store {
    /// Opens (creating with mode 0600 if needed) and migrates the database at `path`.
    pub async fn open(path: &Path) -> anyhow::Result<Store> {
        create_private_file(path)
            .with_context(|| format!("while creating the database file {}", path.display()))?;
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .with_context(|| format!("while reading the database path {}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("wal_autocheckpoint", POOL_CHECKPOINT_PAGES.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.clone())
            .await
            .with_context(|| format!("while opening the database {}", path.display()))?;
        let mut store = Store {
            pool,
            path: Arc::from(path),
            watch: None,
        };
        store.migrate().await?;
        store.watch = match watch::ChangeWatch::open(path) {
            Ok(w) => Some(Arc::new(w)),
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "cannot watch the database for changes; the engine reads it on every wake-up"
                );
                None
            }
        };
        Ok(store)
    }

    /// Applies the migrations embedded from `migrations/`.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .context("while applying database migrations")
    }

    /// A stamp of the database's history: equal stamps mean nothing was committed in
    /// between, by this process or another sharing the file. A few microseconds, no
    /// round trip to sqlx's worker. `None` when it cannot be told (assume a change).
    pub fn change_stamp(&self) -> Option<ChangeStamp> {
        self.watch.as_ref()?.stamp()
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        if let Some(w) = &self.watch {
            w.close();
        }
        self.pool.close().await;
    }
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes a file only its owner can read (exports and sessions hold intimate data).
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

fn bool_i(b: bool) -> i64 {
    i64::from(b)
}

/// How the database connection is set up, as SQLite reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreHealth {
    pub journal_mode: String,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}

impl Store {
    /// Reads back the connection settings (journal mode, foreign keys, busy timeout).
    pub async fn health(&self) -> anyhow::Result<StoreHealth> {
        let mut conn = self.pool.acquire().await?;
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        Ok(StoreHealth {
            journal_mode,
            foreign_keys: fk == 1,
            busy_timeout_ms: busy,
        })
    }
}

/// The channel a row names in its `platform`, `scope` and `channel` columns.
fn channel_of(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<crate::domain::ChannelRef> {
    use sqlx::Row;
    let platform: String = row.try_get("platform")?;
    Ok(crate::domain::ChannelRef {
        platform: crate::domain::PlatformKind::parse(&platform)
            .ok_or_else(|| anyhow::anyhow!("unknown platform {platform:?} in the database"))?,
        scope: row.try_get("scope")?,
        channel: row.try_get("channel")?,
    })
}
