//! The bench's world: couples with two schedules each, in mixed IANA zones, friendly
//! specs and cron lines, written straight into a hearth database file.
//!
//! Every ordinary slot falls on a quarter hour in UTC (each zone's offset is a
//! multiple of 15 minutes). The `due` schedules fire at [`due_at`], minute 7, so
//! setting the clock there makes exactly those due.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context, ensure};
use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use hearth::clock::ManualClock;
use hearth::config::Config;
use hearth::schedule::{ScheduleSpec, Zone};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};

/// The bench's "now" at start (a Monday): nothing is due.
pub fn start_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("2026-06-01 12:00 UTC is a valid instant")
}

/// When exactly the seeded due schedules fire, and nothing else.
pub fn due_at() -> DateTime<Utc> {
    start_at() + Duration::minutes(7)
}

const ZONES: [&str; 16] = [
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Australia/Adelaide",
    "Pacific/Chatham",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "America/St_Johns",
    "Asia/Tehran",
    "UTC",
];

const OTHER_KINDS: [&str; 4] = ["appreciation", "closeness", "experience", "check-in"];

/// What was written.
#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    pub couples: usize,
    pub schedules: usize,
    pub due: usize,
    pub distinct_specs: usize,
}

/// splitmix64: a fixed pseudo-random stream, so every run seeds the same world.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// An ordinary spec: friendly forms and cron lines, 06:00-22:45 on quarter hours.
fn ordinary_spec(r: u64) -> String {
    let h = 6 + r % 17;
    let m = [0, 15, 30, 45][usize::try_from((r >> 8) % 4).unwrap_or(0)];
    match (r >> 16) % 8 {
        0 => format!("daily {h:02}:{m:02}"),
        1 => format!("weekdays {h:02}:{m:02}"),
        2 => format!("weekends {h:02}:{m:02}"),
        3 => format!("mon,wed,fri {h:02}:{m:02}"),
        4 => format!("weekly sun {h:02}:{m:02}"),
        5 => format!("{m} {h} * * *"),
        6 => format!("{m} {h} * * 1-5"),
        _ => format!("0 {m} {h} * * Tue,Thu"),
    }
}

struct ScheduleSeed {
    couple: usize,
    kind: &'static str,
    spec: String,
    zone: usize,
    next: i64,
}

/// Creates the database in `dir` the way hearth does (file mode, migrations), then
/// bulk-writes `couples` couples with two schedules each, `due` of them due at
/// [`due_at`], in one transaction.
pub async fn seed(dir: &Path, couples: usize, due: usize) -> anyhow::Result<Seeded> {
    let cfg = Config::defaults_in(dir);
    let db = cfg.database.clone();
    let h = hearth::open(cfg, Arc::new(ManualClock::new(start_at())))
        .await
        .context("while creating the bench database")?;
    h.store.close().await;

    let zones: Vec<Zone> = ZONES
        .iter()
        .map(|z| Zone::parse(z).map_err(|e| anyhow::anyhow!("{e}")))
        .collect::<anyhow::Result<_>>()?;
    let n = couples * 2;
    ensure!(
        due > 0 && due <= n,
        "cannot make {due} of {n} schedules due"
    );
    let stride = n / due;
    let start = start_at();
    let mut next_of: HashMap<(String, usize), i64> = HashMap::new();
    let mut rows = Vec::with_capacity(n);
    for s in 0..n {
        let couple = s / 2;
        let zone = usize::try_from(mix(couple as u64) % ZONES.len() as u64).unwrap_or(0);
        let r = mix(s as u64 ^ 0x5eed);
        let is_due = s % stride == 0 && s / stride < due;
        let kind = if s % 2 == 0 {
            "conversation"
        } else {
            OTHER_KINDS[usize::try_from(r % 4).unwrap_or(0)]
        };
        let spec = if is_due {
            let local = due_at().with_timezone(&zones[zone].tz());
            format!("daily {:02}:{:02}", local.hour(), local.minute())
        } else {
            ordinary_spec(r)
        };
        let next = match next_of.get(&(spec.clone(), zone)) {
            Some(t) => *t,
            None => {
                let parsed = ScheduleSpec::parse(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
                let t = parsed
                    .next_after(start, zones[zone])
                    .with_context(|| format!("{spec} never fires"))?
                    .timestamp();
                next_of.insert((spec.clone(), zone), t);
                t
            }
        };
        if is_due {
            ensure!(
                next == due_at().timestamp(),
                "{spec} in {} is not due at the due instant",
                ZONES[zone]
            );
        } else {
            ensure!(
                next > due_at().timestamp(),
                "{spec} in {} would be due too",
                ZONES[zone]
            );
        }
        rows.push(ScheduleSeed {
            couple,
            kind,
            spec,
            zone,
            next,
        });
    }

    // Each couple's weekly digest planned, as hearth plans it: next Sunday evening in
    // its zone, well after the due instant (the bench times prompts, not digests).
    let digest =
        ScheduleSpec::parse(hearth::config::DEFAULT_DIGEST).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut digest_next = Vec::with_capacity(zones.len());
    for z in &zones {
        let t = digest
            .next_after(start, *z)
            .context("the digest never comes")?
            .timestamp();
        ensure!(
            t > due_at().timestamp(),
            "a digest would be due in the bench"
        );
        digest_next.push(t);
    }
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off);
    let mut conn = SqliteConnection::connect_with(&opts)
        .await
        .context("while opening the bench database for seeding")?;
    let now = start.timestamp() - 86_400;
    let mut tx = conn.begin().await?;
    let ids: Vec<usize> = (0..couples).collect();
    for chunk in ids.chunks(1000) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO couples (id, platform, scope, channel, timezone, depth, created_at, created_by, digest_next_at) ",
        );
        qb.push_values(chunk, |mut b, &c| {
            let zone = usize::try_from(mix(c as u64) % ZONES.len() as u64).unwrap_or(0);
            b.push_bind(c as i64 + 1)
                .push_bind("discord")
                .push_bind(format!("guild-{}", c / 100))
                .push_bind(format!("chan-{c}"))
                .push_bind(ZONES[zone])
                .push_bind("light")
                .push_bind(now)
                .push_bind("mod")
                .push_bind(digest_next[zone]);
        });
        qb.build().execute(&mut *tx).await?;
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO couple_members (couple_id, user_id, added_at) ");
        qb.push_values(
            chunk.iter().flat_map(|&c| [(c, 'a'), (c, 'b')]),
            |mut b, (c, who)| {
                b.push_bind(c as i64 + 1)
                    .push_bind(format!("user-{c}-{who}"))
                    .push_bind(now);
            },
        );
        qb.build().execute(&mut *tx).await?;
    }
    for (i, chunk) in rows.chunks(1000).enumerate() {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO schedules (id, couple_id, kind, spec, timezone, next_slot_at, created_by, created_at, updated_at) ",
        );
        qb.push_values(chunk.iter().enumerate(), |mut b, (j, s)| {
            b.push_bind((i * 1000 + j) as i64 + 1)
                .push_bind(s.couple as i64 + 1)
                .push_bind(s.kind)
                .push_bind(s.spec.as_str())
                .push_bind(ZONES[s.zone])
                .push_bind(s.next)
                .push_bind("mod")
                .push_bind(now)
                .push_bind(now);
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    // On disk before anything is timed: otherwise the first checkpoint's fsync in a
    // child would also write back the whole freshly seeded file.
    std::fs::File::open(&db)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("while syncing {}", db.display()))?;
    let distinct_specs = rows
        .iter()
        .map(|s| s.spec.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    Ok(Seeded {
        couples,
        schedules: n,
        due,
        distinct_specs,
    })
}

/// A connection to the bench database for checks and for the comparison side.
pub async fn connect(dir: &Path) -> anyhow::Result<SqliteConnection> {
    let db = Config::defaults_in(dir).database;
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?;
    SqliteConnection::connect_with(&opts)
        .await
        .with_context(|| format!("while opening {}", db.display()))
}
