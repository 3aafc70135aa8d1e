//! Reaction ingest: reaction events fed through the real event path
//! (`hearth::reactions::on_reaction`) into SQLite by many concurrent producers.
//!
//! Prints events/s and the event→commit latency (from submitting an event to the call
//! returning after its write is committed) against the targets, and the raw SQLite
//! ceiling measured in the same run: as many rows written straight into `reactions`
//! with multi-row INSERTs in one transaction, same database settings.
//!
//! `cargo bench --bench ingest` runs the full size; without `--bench` (how
//! `cargo test --all-targets` runs it) a small size, checking correctness only: every
//! outcome is the one the event stream implies and so is the number of active
//! reactions left in the database. Timing is printed, never asserted.
//! `--producers=N` and `--events=N` (after `--`) change the load;
//! `--with-user-index` first adds the index on `reactions(user_id)` that migration 0010
//! dropped, to show what it would cost the writer (a what-if).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use hearth::clock::SystemClock;
use hearth::config::Config;
use hearth::domain::PlatformKind;
use hearth::reactions::{ReactionEvent, ReactionOutcome, on_reaction};
use hearth::store::reaction_writer_options;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool, query};

const TARGET_EVENTS_PER_SEC: f64 = 50_000.0;
const TARGET_P99_MS: f64 = 50.0;
/// Emoji a member may react with: meaningful ones, "❤" without its variation
/// selector (the same reaction as "❤️"), an unmeaningful one and "another one".
const EMOJI: [&str; 10] = ["❤️", "❤", "✅", "⭐", "1️⃣", "3️⃣", "5️⃣", "🎉", "👍", "🔁"];

#[derive(Clone, Copy)]
struct Size {
    events: usize,
    couples: usize,
    posts_per_couple: usize,
    producers: usize,
    /// `--with-user-index`: index reactions by person before the run (a what-if).
    with_user_index: bool,
}

fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let mut size = if full {
        Size {
            events: 200_000,
            couples: 5_000,
            posts_per_couple: 4,
            producers: 1_000,
            with_user_index: false,
        }
    } else {
        Size {
            events: 5_000,
            couples: 200,
            posts_per_couple: 3,
            producers: 50,
            with_user_index: false,
        }
    };
    // `--producers=N` and `--events=N` try other loads.
    for arg in std::env::args() {
        if let Some(n) = arg.strip_prefix("--producers=") {
            size.producers = n.parse().context("--producers")?;
        } else if let Some(n) = arg.strip_prefix("--events=") {
            size.events = n.parse().context("--events")?;
        } else if arg == "--with-user-index" {
            size.with_user_index = true;
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(size))
}

async fn run(size: Size) -> anyhow::Result<()> {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "reaction ingest ({profile}): {} events by {} concurrent producers on {} couples × {} posted prompts",
        size.events, size.producers, size.couples, size.posts_per_couple
    );

    let dir = tempfile::tempdir()?;
    let cfg = Config::defaults_in(dir.path());
    let db = cfg.database.clone();
    let h = hearth::open(cfg, Arc::new(SystemClock)).await?;
    seed(&db, size).await?;
    if size.with_user_index {
        // What an index on the person (dropped by migration 0010) would cost.
        sqlx::query("CREATE INDEX reactions_user ON reactions(user_id)")
            .execute(&pool(&db).await?)
            .await?;
        println!("  (with an index on reactions(user_id): a what-if, not how hearth runs)");
    }

    // Producers own disjoint couples, so the events on one reaction come from one
    // producer in order and the end state does not depend on interleaving.
    let written_before = bytes_written();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for p in 0..size.producers {
        let quota = size.events / size.producers + usize::from(p < size.events % size.producers);
        tasks.push(tokio::spawn(produce(h.clone(), size, p, quota)));
    }
    let mut total = Tally::default();
    for t in tasks {
        total.merge(t.await??);
    }
    let elapsed = started.elapsed();
    let written = bytes_written()
        .zip(written_before)
        .map(|(a, b)| a.saturating_sub(b));

    let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reactions WHERE removed_at IS NULL")
        .fetch_one(&pool(&db).await?)
        .await?;
    let counted = h.status.reactions.load(Ordering::Relaxed);
    h.store.close().await;

    let ceiling = raw_ceiling(size).await?;

    let rate = size.events as f64 / elapsed.as_secs_f64();
    total.latencies.sort_unstable();
    let pct = |q: f64| {
        let i = ((total.latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
        total.latencies.get(i).copied().unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!(
        "  events/s               {rate:>10.0}      target >= {TARGET_EVENTS_PER_SEC:.0}   {}",
        verdict(rate >= TARGET_EVENTS_PER_SEC)
    );
    println!("  p50 event→commit       {:>10.2} ms", ms(pct(0.50)));
    println!(
        "  p99 event→commit       {:>10.2} ms   target <= {TARGET_P99_MS:.0} ms      {}",
        ms(pct(0.99)),
        verdict(ms(pct(0.99)) <= TARGET_P99_MS)
    );
    println!(
        "  max event→commit       {:>10.2} ms",
        ms(total.latencies.last().copied().unwrap_or_default())
    );
    if let Some(w) = written {
        println!(
            "  written to files       {:>10.1} KiB per event ({:.0} MB/s: WAL frames and checkpoints)",
            w as f64 / 1024.0 / size.events as f64,
            w as f64 / 1e6 / elapsed.as_secs_f64()
        );
    }
    println!(
        "  raw SQLite ceiling     {ceiling:>10.0} rows/s (multi-row INSERT, one transaction) — ingest is {:.1} % of it",
        100.0 * rate / ceiling
    );
    use ReactionOutcome::{IgnoredBot, NotAPrompt, NotMember, Stored, Unchanged};
    let stored = total.count(Stored);
    println!(
        "  outcomes: stored {stored}, unchanged {}, bot {}, not a prompt {}, not a member {}; active reactions {active} (expected {})",
        total.count(Unchanged),
        total.count(IgnoredBot),
        total.count(NotAPrompt),
        total.count(NotMember),
        total.active
    );

    ensure!(
        total.wrong == 0,
        "{} events had another outcome than the stream implies",
        total.wrong
    );
    ensure!(
        active == total.active as i64,
        "active reactions in the database: {active}, the event stream implies {}",
        total.active
    );
    ensure!(
        counted == stored as u64,
        "status counted {counted} stored reactions, {stored} were stored"
    );
    Ok(())
}

/// Bytes this process has handed to `write` and the like so far (Linux's
/// `/proc/self/io`, `wchar`); `None` where it cannot be read.
fn bytes_written() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .and_then(|v| v.trim().parse().ok())
}

/// What one producer saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    outcomes: HashMap<ReactionOutcome, usize>,
    wrong: usize,
    /// Reactions active at the end, as the producer's own events imply.
    active: usize,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.latencies.extend(o.latencies);
        for (k, n) in o.outcomes {
            *self.outcomes.entry(k).or_default() += n;
        }
        self.wrong += o.wrong;
        self.active += o.active;
    }

    fn count(&self, o: ReactionOutcome) -> usize {
        self.outcomes.get(&o).copied().unwrap_or_default()
    }
}

/// One producer: `quota` events on its own couples, each handled in a task of its
/// own (as serenity runs every event handler call), one after another.
async fn produce(h: hearth::Hearth, size: Size, p: usize, quota: usize) -> anyhow::Result<Tally> {
    let mine: Vec<usize> = (p..size.couples).step_by(size.producers).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (p as u64 + 1));
    let mut active: HashSet<(i64, String, String)> = HashSet::new();
    let mut t = Tally::default();
    for n in 0..quota {
        let couple = mine[rng.below(mine.len())];
        let delivery = delivery_id(size, couple, rng.below(size.posts_per_couple));
        let member = member(couple, rng.below(2));
        let emoji = EMOJI[rng.below(EMOJI.len())];
        let key = (delivery, member.clone(), emoji.replace('\u{FE0F}', ""));
        let roll = rng.below(100);
        let (ev, expect) = if roll < 2 {
            let mut ev = event(delivery, "hearth-bot", emoji, true);
            ev.by_bot = true;
            (ev, ReactionOutcome::IgnoredBot)
        } else if roll < 4 {
            (
                event(delivery, "a-stranger", emoji, true),
                ReactionOutcome::NotMember,
            )
        } else if roll < 5 {
            let mut ev = event(delivery, &member, emoji, true);
            ev.message_id = format!("elsewhere-{p}-{n}");
            (ev, ReactionOutcome::NotAPrompt)
        } else {
            // An active reaction is mostly removed again, sometimes added once more (a
            // repeat); another mostly added, sometimes removed (nothing to remove).
            let was = active.contains(&key);
            let add = if was { roll < 35 } else { roll >= 15 };
            if add != was {
                active.remove(&key);
                if add {
                    active.insert(key);
                }
            }
            let expect = if add != was {
                ReactionOutcome::Stored
            } else {
                ReactionOutcome::Unchanged
            };
            (event(delivery, &member, emoji, add), expect)
        };
        let h2 = h.clone();
        let submitted = Instant::now();
        let (outcome, took) = tokio::spawn(async move {
            let r = on_reaction(&h2, &ev).await;
            (r, submitted.elapsed())
        })
        .await?;
        let outcome = outcome?;
        t.latencies.push(took);
        *t.outcomes.entry(outcome).or_default() += 1;
        t.wrong += usize::from(outcome != expect);
    }
    t.active = active.len();
    Ok(t)
}

fn event(delivery: i64, user: &str, emoji: &str, added: bool) -> ReactionEvent {
    ReactionEvent {
        platform: PlatformKind::Discord,
        message_id: format!("m{delivery}"),
        user: user.to_string(),
        emoji: emoji.to_string(),
        added,
        by_bot: false,
        platform_ref: None,
    }
}

fn delivery_id(size: Size, couple: usize, post: usize) -> i64 {
    (couple * size.posts_per_couple + post + 1) as i64
}

fn member(couple: usize, which: usize) -> String {
    format!("u{couple}{}", if which == 0 { "a" } else { "b" })
}

/// A small deterministic generator (splitmix64): the same stream on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// A pool on the database file with the settings hearth's store uses.
async fn pool(db: &Path) -> anyhow::Result<SqlitePool> {
    Ok(SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options(db)?)
        .await?)
}

fn options(db: &Path) -> anyhow::Result<SqliteConnectOptions> {
    Ok(
        SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10)),
    )
}

/// Couples of two members on Discord, each with posted prompts whose message id is
/// `m<delivery id>`, written in one transaction.
async fn seed(db: &Path, size: Size) -> anyhow::Result<()> {
    let pool = pool(db).await?;
    let mut tx = pool.begin().await?;
    let now = chrono::Utc::now().timestamp();
    for c in 0..size.couples {
        let id = c as i64 + 1;
        query("INSERT INTO couples (id, platform, scope, channel, timezone, created_at, created_by) VALUES (?, 'discord', 'guild', ?, 'UTC', ?, 'bench')")
            .bind(id)
            .bind(format!("chan-{c}"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for w in 0..2 {
            query("INSERT INTO couple_members (couple_id, user_id, added_at) VALUES (?, ?, ?)")
                .bind(id)
                .bind(member(c, w))
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        for k in 0..size.posts_per_couple {
            let d = delivery_id(size, c, k);
            query("INSERT INTO deliveries (id, couple_id, kind, slot_at, state, prompt_id, message_id, created_at, posted_at) VALUES (?, ?, 'conversation', ?, 'posted', ?, ?, ?, ?)")
                .bind(d)
                .bind(id)
                .bind(now - 86_400 * (size.posts_per_couple - k) as i64)
                .bind(format!("conv-{k}"))
                .bind(format!("m{d}"))
                .bind(now)
                .bind(now - 86_400 * (size.posts_per_couple - k) as i64)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    pool.close().await;
    Ok(())
}

/// Rows per second written straight into `reactions` of a fresh database seeded the
/// same way: `size.events` rows, 1,000 per INSERT statement, in one transaction, on a
/// connection with the reaction writer's settings.
async fn raw_ceiling(size: Size) -> anyhow::Result<f64> {
    const ROWS_PER_STATEMENT: usize = 1_000;
    let dir = tempfile::tempdir()?;
    let cfg = Config::defaults_in(dir.path());
    let db = cfg.database.clone();
    hearth::open(cfg, Arc::new(SystemClock))
        .await?
        .store
        .close()
        .await;
    seed(&db, size).await?;
    // One connection set up as the reaction writer's is.
    let mut conn = reaction_writer_options(options(&db)?).connect().await?;
    let deliveries = size.couples * size.posts_per_couple;
    let now = chrono::Utc::now().timestamp();
    let started = Instant::now();
    let mut tx = conn.begin().await?;
    let mut done = 0;
    while done < size.events {
        let n = ROWS_PER_STATEMENT.min(size.events - done);
        let mut sql = String::from(
            "INSERT INTO reactions (delivery_id, user_id, emoji, added_at, platform_ref) VALUES ",
        );
        sql.push_str(&vec!["(?, ?, ?, ?, ?)"; n].join(", "));
        let mut q = query(sqlx::AssertSqlSafe(sql));
        for i in done..done + n {
            // Every row a distinct active reaction, so the unique index works as hard
            // as it does for real adds.
            let d = i % deliveries;
            let couple = d / size.posts_per_couple;
            q = q
                .bind(d as i64 + 1)
                .bind(member(couple, (i / deliveries) % 2))
                .bind(format!("e{}", i / (deliveries * 2)))
                .bind(now)
                .bind(None::<String>);
        }
        q.execute(&mut *tx).await.context("raw insert")?;
        done += n;
    }
    tx.commit().await?;
    let rate = size.events as f64 / started.elapsed().as_secs_f64();
    conn.close().await?;
    Ok(rate)
}
