//! Schedules as pure functions: parse what a moderator wrote, and find the next slot
//! in a couple's timezone, correctly across daylight-saving changes.
//!
//! Slots are local wall-clock times. The next one is found on the wall clock, then
//! mapped to an instant: a time that occurs twice (clocks go back) fires at the first;
//! a time that does not exist (clocks go forward) fires at the first valid instant
//! after it; either way once per slot.

pub mod fair;
mod spec;
#[cfg(test)]
mod tests;
mod zone;

use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

pub use spec::SpecError;
pub use zone::{Zone, ZoneError};

/// Wall-clock candidates tried before giving up on finding a later instant.
const MAX_STEPS: usize = 2000;
/// Longest daylight-saving gap stepped over (a whole day has been skipped before).
const MAX_GAP_MINUTES: i64 = 26 * 60;

/// A parsed schedule.
#[derive(Debug, Clone)]
pub struct ScheduleSpec {
    text: String,
    cron_expr: String,
    describe: String,
    schedule: cron::Schedule,
}

impl ScheduleSpec {
    pub fn parse(s: &str) -> Result<ScheduleSpec, SpecError> {
        let text = s.trim();
        let parsed = spec::parse(text)?;
        let schedule = cron::Schedule::from_str(&parsed.cron).map_err(|e| {
            SpecError(format!(
                "'{}' is not a valid cron line: {e}",
                text.chars().take(60).collect::<String>()
            ))
        })?;
        Ok(ScheduleSpec {
            text: text.to_string(),
            cron_expr: parsed.cron,
            describe: parsed.describe,
            schedule,
        })
    }

    /// What the user wrote, trimmed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The 6/7-field cron expression used.
    pub fn cron_expr(&self) -> &str {
        &self.cron_expr
    }

    /// A description for people, e.g. "every day at 20:00".
    pub fn describe(&self) -> String {
        self.describe.clone()
    }

    /// The first slot strictly after `after`, or `None` if the spec never fires again.
    pub fn next_after(&self, after: DateTime<Utc>, zone: Zone) -> Option<DateTime<Utc>> {
        let tz = zone.tz();
        // The wall clock, dressed as UTC so the cron crate walks naive local times.
        let mut wall = after.with_timezone(&tz).naive_local().and_utc();
        for _ in 0..MAX_STEPS {
            let candidate = self.schedule.after(&wall).next()?;
            if let Some(instant) = resolve(tz, candidate.naive_utc())
                && instant > after
            {
                return Some(instant);
            }
            wall = candidate;
        }
        None
    }

    /// The next `n` slots after `from`.
    pub fn upcoming(&self, from: DateTime<Utc>, zone: Zone, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut t = from;
        while out.len() < n {
            match self.next_after(t, zone) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }

    /// Refuses a spec whose slots come closer together than `min`.
    pub fn check_min_interval(&self, min: Duration) -> Result<(), SpecError> {
        let reference = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let utc = Zone::from(chrono_tz::UTC);
        let slots = self.upcoming(reference, utc, 60);
        if let Some(gap) = slots.windows(2).map(|w| w[1] - w[0]).min()
            && gap < min
        {
            return Err(SpecError(format!(
                "'{}' would post every {} minutes, which is too often; schedules may post at most every {} minutes",
                self.text,
                gap.num_minutes(),
                min.num_minutes()
            )));
        }
        Ok(())
    }
}

/// Maps a local wall time to an instant: the earlier of two, or the first valid
/// instant after a gap.
fn resolve(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => (1..=MAX_GAP_MINUTES).find_map(|m| {
            let later = local + Duration::minutes(m);
            // Land on the first whole minute that exists: the end of the gap.
            let later = later.date().and_hms_opt(
                chrono::Timelike::hour(&later),
                chrono::Timelike::minute(&later),
                0,
            )?;
            match tz.from_local_datetime(&later) {
                LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
                LocalResult::None => None,
            }
        }),
    }
}

/// The text of `hearth schedule preview`: the next slots in local time and UTC.
pub fn preview(spec: &ScheduleSpec, zone: Zone, from: DateTime<Utc>, count: usize) -> String {
    let mut out = format!(
        "{} in {} (cron `{}`)\n",
        spec.describe(),
        zone.name(),
        spec.cron_expr()
    );
    let tz = zone.tz();
    let slots = spec.upcoming(from, zone, count);
    if slots.is_empty() {
        out.push_str("  (never fires after that time)\n");
    }
    for t in slots {
        let local = t.with_timezone(&tz);
        out.push_str(&format!(
            "  {}  =  {}",
            local.format("%a %Y-%m-%d %H:%M %:z (%Z)"),
            t.format("%Y-%m-%d %H:%M UTC")
        ));
        if moved_by_gap(spec, zone, t) {
            out.push_str("  (the set time does not exist that day; moved to the first valid time)");
        }
        out.push('\n');
    }
    out
}

/// Whether slot `t` is not one of the spec's own wall times (it was moved by a gap).
fn moved_by_gap(spec: &ScheduleSpec, zone: Zone, t: DateTime<Utc>) -> bool {
    let wall = t.with_timezone(&zone.tz()).naive_local().and_utc();
    let just_before = wall - Duration::seconds(1);
    spec.schedule.after(&just_before).next() != Some(wall)
}
