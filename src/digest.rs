//! The weekly digest: a short look back at a couple's week, posted on its own
//! schedule (by default Sunday evening in the couple's timezone). It says how many
//! appreciations went into the jar this week and quotes the written ones, counts the
//! prompts the couple talked about, brings back one appreciation from before this
//! week, and shows the check-in chart (a picture where the platform takes one, a
//! text sparkline where it does not).
//!
//! Platform-free: the engine claims the slot and posts what [`compose`] returns.

use chrono::{DateTime, Utc};

use crate::app::Hearth;
use crate::schedule::{ScheduleSpec, Zone};
use crate::store::{Couple, JarItem, JarSource};

/// A week, in seconds.
pub const WEEK_SECS: i64 = 7 * 24 * 3600;
/// Written appreciations quoted in full; more are counted.
const QUOTED: usize = 3;
/// Digests whose resurfaced item is not picked again while others remain.
const NOT_AGAIN: i64 = 8;
/// "Planned" time of a couple following a default that is off: never due.
pub const NEVER: i64 = i64::MAX;

/// What the engine posts.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub text: String,
    /// The check-in chart as a PNG, when there are check-ins in the last 12 weeks.
    pub chart: Option<Vec<u8>>,
    /// The same weeks as text, for platforms that cannot show the picture.
    pub sparkline: Option<String>,
    /// The jar item brought back (its key), so later digests pick others.
    pub resurfaced: Option<String>,
}

/// The couple's digest schedule: their own, or the configured default (`None`: off).
pub fn spec_of(h: &Hearth, own: Option<&str>) -> Option<ScheduleSpec> {
    match own {
        Some(s) if s.eq_ignore_ascii_case("off") => None,
        Some(s) => ScheduleSpec::parse(s).ok(),
        None => h.config.defaults.digest.clone(),
    }
}

/// When the couple's next digest is due after `after`: `None` when their own
/// schedule never fires again, [`NEVER`] when they follow a default that is off.
pub fn next_at(h: &Hearth, own: Option<&str>, timezone: &str, after: i64) -> Option<i64> {
    let zone = Zone::parse(timezone).unwrap_or(h.config.defaults.timezone);
    let Some(spec) = spec_of(h, own) else {
        return own.is_none().then_some(NEVER);
    };
    let after = DateTime::<Utc>::from_timestamp(after, 0)?;
    spec.next_after(after, zone).map(|t| t.timestamp())
}

/// The digest for the week ending at `slot_at`. `name` shows a member as the
/// platform displays people.
pub async fn compose(
    h: &Hearth,
    couple: &Couple,
    slot_at: i64,
    name: &(dyn Fn(&str) -> String + Sync),
) -> anyhow::Result<Digest> {
    let since = slot_at - WEEK_SECS;
    let loved = &h.config.reactions.loved;
    let week = h.store.jar_items(couple.id, since, slot_at, loved).await?;
    let before = h.store.jar_items(couple.id, 0, since, loved).await?;
    let talked = h
        .store
        .posted_engagement(couple.id)
        .await?
        .iter()
        .filter(|p| (since..slot_at).contains(&p.posted_at))
        .fold((0, 0), |(posted, talked), p| {
            (posted + 1, talked + u32::from(p.engaged))
        });

    let mut text = String::from("🫶 Your week together\n");
    text.push_str(&appreciations_line(&week, name));
    text.push_str(&match talked {
        (0, _) => "\n💬 No prompts this week: a quiet week is fine too.".to_string(),
        (posted, n) => {
            format!("\n💬 Prompts talked about: {n} of the {posted} hearth posted this week.")
        }
    });
    let recent = h.store.recently_resurfaced(couple.id, NOT_AGAIN).await?;
    let pick = resurface(&before, &recent, couple.id, slot_at);
    match pick {
        Some(item) => text.push_str(&format!("\n✨ From your jar: {}", describe(item, name))),
        None if before.is_empty() && week.is_empty() => text.push_str(
            "\n✨ Your jar is empty so far: `appreciate @partner <what you noticed>` puts the first thing in it.",
        ),
        None => {}
    }
    let per_week = h.config.defaults.streak_prompts_per_week;
    let streak = crate::streak::of_couple(h, couple).await?;
    text.push_str(&format!("\n{}", crate::streak::describe(streak, per_week)));
    let at = DateTime::<Utc>::from_timestamp(slot_at, 0).unwrap_or_else(|| h.now());
    let weeks = crate::checkin::weeks(h, couple, at).await?;
    let (chart, sparkline) = if weeks.points() > 0 {
        (
            Some(crate::checkin::chart::render_png(&weeks)?),
            Some(format!(
                "Check-ins by week, last {} weeks (▁ 1 … █ 5, · no answer):\n{}",
                crate::checkin::WEEKS,
                crate::checkin::spark::sparkline(&weeks)
            )),
        )
    } else {
        (None, None)
    };
    Ok(Digest {
        text,
        chart,
        sparkline,
        resurfaced: pick.map(|i| i.key.clone()),
    })
}

/// "💌 3 appreciations this week: …", quoting the written ones.
fn appreciations_line(week: &[JarItem], name: &(dyn Fn(&str) -> String + Sync)) -> String {
    if week.is_empty() {
        return "💌 No appreciations in the jar this week. There is still time to tell each other one thing you noticed.".into();
    }
    let notes: Vec<&JarItem> = week
        .iter()
        .filter(|i| i.source == JarSource::Note)
        .collect();
    let answers = week
        .iter()
        .filter(|i| i.source == JarSource::Answer)
        .count();
    let loved = week.iter().filter(|i| i.source == JarSource::Loved).count();
    let mut parts = Vec::new();
    if !notes.is_empty() {
        parts.push(plural(notes.len(), "written", "written"));
    }
    if answers > 0 {
        parts.push(plural(
            answers,
            "answer to an appreciation prompt",
            "answers to appreciation prompts",
        ));
    }
    if loved > 0 {
        parts.push(plural(loved, "loved prompt", "loved prompts"));
    }
    let mut out = format!(
        "💌 {} this week ({}).",
        plural(week.len(), "appreciation", "appreciations"),
        parts.join(", ")
    );
    for n in notes.iter().rev().take(QUOTED) {
        out.push_str(&format!("\n  • {}", describe(n, name)));
    }
    if notes.len() > QUOTED {
        out.push_str(&format!(
            "\n  • …and {} more in your jar.",
            notes.len() - QUOTED
        ));
    }
    out
}

/// "1 prompt", "2 prompts".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// One jar item in a sentence.
pub fn describe(item: &JarItem, name: &(dyn Fn(&str) -> String + Sync)) -> String {
    let when = DateTime::<Utc>::from_timestamp(item.at, 0)
        .map(|t| t.format("%-d %B %Y").to_string())
        .unwrap_or_default();
    match (item.source, &item.to) {
        (JarSource::Note, Some(to)) => format!(
            "{} to {}: “{}” ({when})",
            name(&item.from),
            name(to),
            item.text
        ),
        (JarSource::Loved, _) => format!("{} loved “{}” ({when})", name(&item.from), item.text),
        _ => format!("{} wrote: “{}” ({when})", name(&item.from), item.text),
    }
}

/// One item from before this week, not one of the last digests' picks if another is
/// there; the same for the same couple and week, different from week to week.
fn resurface<'a>(
    before: &'a [JarItem],
    recent: &[String],
    couple: i64,
    slot_at: i64,
) -> Option<&'a JarItem> {
    let fresh: Vec<&JarItem> = before.iter().filter(|i| !recent.contains(&i.key)).collect();
    let pool: Vec<&JarItem> = if fresh.is_empty() {
        before.iter().collect()
    } else {
        fresh
    };
    if pool.is_empty() {
        return None;
    }
    // A small mix of the couple and the week: varied, yet repeatable in tests.
    let seed = (couple as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((slot_at / WEEK_SECS) as u64)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let i = usize::try_from((seed >> 33) % pool.len() as u64).unwrap_or(0);
    pool.get(i).copied()
}
