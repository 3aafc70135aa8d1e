//! Schedules at scale, and prompt selection.
//!
//! `cargo bench --bench scale` loads 100,000 couples with two schedules each (mixed
//! zones, friendly specs and cron lines) and reports: start to the first engine
//! tick, an idle engine wake-up, claiming and sending 1,000 due slots, resident
//! memory; the same schedules run through tokio-cron-scheduler side by side; and
//! choosing a prompt for a couple with a year of history. Without `--bench` (as
//! `cargo test` runs it) it is a smoke run at small sizes that checks correctness.
//!
//! Memory is per process: the bench runs itself again as a child for each side
//! (`--child hearth|tcs <dir> <due> <full|smoke>`); each prints one line of figures.
//! To profile one side on its own, `--seed <dir> [--bench]` writes the world into
//! `<dir>` and keeps it; a child run changes it (the due slots get claimed), so copy
//! it first: `cp -r <dir> /tmp/w && perf record -g scale-* --child hearth /tmp/w 1000 full`.

#[path = "scale/children.rs"]
mod children;
#[path = "scale/selection.rs"]
mod selection;
#[path = "scale/world.rs"]
mod world;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use children::{Figures, MARK};

/// Sizes of one run.
struct Sizes {
    couples: usize,
    due: usize,
    selections: usize,
}

const FULL: Sizes = Sizes {
    couples: 100_000,
    due: 1_000,
    selections: 2_000,
};
const SMOKE: Sizes = Sizes {
    couples: 2_000,
    due: 200,
    selections: 50,
};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Runtime::new().context("while starting the async runtime")?;
    if args.get(1).map(String::as_str) == Some("--child") {
        return child(&rt, &args[2..]);
    }
    let full = args.iter().any(|a| a == "--bench");
    let sizes = if full { FULL } else { SMOKE };
    if args.get(1).map(String::as_str) == Some("--seed") {
        let dir = args.get(2).context("usage: --seed <dir> [--bench]")?;
        std::fs::create_dir_all(dir).with_context(|| format!("while making {dir}"))?;
        let seeded = rt.block_on(world::seed(Path::new(dir), sizes.couples, sizes.due))?;
        println!(
            "seeded {dir}: {} schedules, {} due; run: --child hearth <copy of {dir}> {} {}",
            seeded.schedules,
            seeded.due,
            seeded.due,
            if full { "full" } else { "smoke" }
        );
        return Ok(());
    }
    println!(
        "hearth scale bench ({}): {} couples, {} schedules, {} due",
        if full {
            "full"
        } else {
            "smoke run, small sizes; targets not judged"
        },
        thousands(sizes.couples as f64),
        thousands(2.0 * sizes.couples as f64),
        thousands(sizes.due as f64),
    );
    let dir = tempfile::tempdir().context("while making a temporary folder")?;
    let t = Instant::now();
    let seeded = rt.block_on(world::seed(dir.path(), sizes.couples, sizes.due))?;
    let db_size = std::fs::metadata(dir.path().join("hearth.db")).map_or(0, |m| m.len());
    println!(
        "seeded in {:.1} s: {} couples, {} schedules, {} distinct specs, 16 zones, database {:.1} MB",
        t.elapsed().as_secs_f64(),
        thousands(seeded.couples as f64),
        thousands(seeded.schedules as f64),
        seeded.distinct_specs,
        db_size as f64 / 1e6,
    );
    let hearth = run_child("hearth", dir.path(), seeded.due, full)?;
    let tcs = run_child("tcs", dir.path(), seeded.due, full)?;
    for (who, f) in [("hearth", &hearth), ("tcs", &tcs)] {
        if f.schedules != seeded.schedules {
            bail!(
                "{who} saw {} schedules, not {}",
                f.schedules,
                seeded.schedules
            );
        }
    }
    let sel = rt.block_on(selection::run(sizes.selections))?;
    report(&hearth, &tcs, &sel, full);
    Ok(())
}

/// A child: builds its side from the database in `dir` and prints its figures.
fn child(rt: &tokio::runtime::Runtime, args: &[String]) -> anyhow::Result<()> {
    let [who, dir, due, mode] = args else {
        bail!("usage: --child hearth|tcs <dir> <due> <full|smoke>");
    };
    let dir = Path::new(dir);
    let figures = match who.as_str() {
        "hearth" => rt.block_on(children::hearth(dir, due.parse()?, mode == "full"))?,
        "tcs" => rt.block_on(children::tcs(dir))?,
        other => bail!("unknown child {other:?}"),
    };
    println!("{MARK}{}", serde_json::to_string(&figures)?);
    Ok(())
}

fn run_child(who: &str, dir: &Path, due: usize, full: bool) -> anyhow::Result<Figures> {
    let exe = std::env::current_exe().context("while finding the bench binary")?;
    let out = Command::new(exe)
        .arg("--child")
        .arg(who)
        .arg(dir)
        .arg(due.to_string())
        .arg(if full { "full" } else { "smoke" })
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("while running the {who} child"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("the {who} child failed ({}): {stdout}", out.status);
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(MARK))
        .with_context(|| format!("the {who} child printed no figures: {stdout}"))?;
    serde_json::from_str(line).with_context(|| format!("the {who} child's figures: {line}"))
}

fn report(h: &Figures, tcs: &Figures, sel: &selection::Selection, full: bool) {
    let judge = |ok: bool| match (full, ok) {
        (false, _) => "-",
        (true, true) => "PASS",
        (true, false) => "MISS",
    };
    let mb = |kb: u64| format!("{:.1} MB", kb as f64 / 1024.0);
    let due = thousands(h.due as f64);
    let total = h.claim + h.send;
    println!();
    println!("{:<44} {:>12}  {:<10} verdict", "hearth", "value", "target");
    let rows: [(String, String, &str, &str); 10] = [
        (
            "start → first engine tick".into(),
            secs(h.start),
            "≤ 0.5 s",
            judge(h.start <= 0.5),
        ),
        (
            format!(
                "idle wake-up: Engine::tick ({} calls)",
                thousands(h.idle_calls as f64)
            ),
            secs(h.idle_tick),
            "",
            "",
        ),
        (
            "idle wake-up: Engine::wake (run loop)".into(),
            secs(h.idle_wake),
            "≤ 10 µs",
            judge(h.idle_wake <= 10e-6),
        ),
        (
            format!("{due} due: claim and record (committed)"),
            secs(h.claim),
            "≤ 50 ms",
            judge(h.claim <= 0.05),
        ),
        (
            format!("{due} due: send to no-op platform + record"),
            secs(h.send),
            "",
            "",
        ),
        (
            format!("{due} due: claim + send + record"),
            secs(total),
            "(≤ 50 ms)",
            judge(total <= 0.05),
        ),
        (
            "resident memory after start (VmRSS)".into(),
            mb(h.rss_kb),
            "≤ 32 MB",
            judge(h.rss_kb <= 32 * 1024),
        ),
        ("peak resident memory (VmHWM)".into(), mb(h.hwm_kb), "", ""),
        (
            format!("selection, {} days of history: mean", sel.history),
            secs(sel.mean),
            "≤ 1 ms",
            judge(sel.mean <= 1e-3),
        ),
        (
            format!(
                "selection: p99 of {} ({} reactions)",
                thousands(sel.calls as f64),
                sel.reactions
            ),
            secs(sel.p99),
            "≤ 1 ms",
            judge(sel.p99 <= 1e-3),
        ),
    ];
    for (what, value, target, verdict) in rows {
        println!("{what:<44} {value:>12}  {target:<10} {verdict}");
    }
    let [inputs, pure] = sel.parts.map(secs);
    println!(
        "  selection, timed apart: one read (history, reactions, custom prompts) {inputs}; \
         choose {pure}"
    );
    println!();
    println!(
        "{:<30} {:>12} {:>22}  {:<8} {:<14} verdict",
        format!("{} schedules", thousands(h.schedules as f64)),
        "hearth",
        "tokio-cron-scheduler",
        "ratio",
        "target"
    );
    let speedup = tcs.start / h.start;
    let share = h.rss_kb as f64 / tcs.rss_kb.max(1) as f64;
    println!(
        "{:<30} {:>12} {:>22}  {:<8} {:<14} {}",
        "start",
        secs(h.start),
        format!("{} (read {})", secs(tcs.start), secs(tcs.load)),
        format!("{speedup:.0}×"),
        "≥ 10× faster",
        judge(speedup >= 10.0)
    );
    println!(
        "{:<30} {:>12} {:>22}  {:<8} {:<14} {}",
        "resident memory after start",
        mb(h.rss_kb),
        mb(tcs.rss_kb),
        format!("{share:.2}"),
        "≤ 1/3",
        judge(share <= 1.0 / 3.0)
    );
    println!(
        "{:<30} {:>12} {:>22}",
        "peak resident memory",
        mb(h.hwm_kb),
        mb(tcs.hwm_kb)
    );
}

/// Seconds for people: s, ms or µs.
fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.2} µs", s * 1e6)
    }
}

/// 100000 → "100,000".
fn thousands(n: f64) -> String {
    let digits = format!("{n:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
