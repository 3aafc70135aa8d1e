//! The gentle streak: weeks in a row in which a couple talked about at least N
//! prompts. Weeks that could not count (a pause, a vacation, hearth posting fewer
//! than N prompts, e.g. because it was down) are stepped over, never held against
//! anyone; and the week under way only ever adds to the streak.

use chrono::{DateTime, Datelike, IsoWeek, Utc};

use crate::store::{PausePeriod, PostedEngagement};

/// One ISO week of a couple, in its timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekSummary {
    pub week: IsoWeek,
    /// Prompts hearth posted to the couple that week.
    pub posted: u32,
    /// Of those, prompts a member reacted to or answered.
    pub engaged: u32,
    /// The couple was paused (or away) for some part of the week.
    pub paused: bool,
}

/// How a week weighs in the streak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekVerdict {
    Counts,
    Neutral,
    Breaks,
}

/// What one week means for the streak; `current`: the week is not over yet.
pub fn verdict(w: &WeekSummary, per_week: u32, current: bool) -> WeekVerdict {
    if w.engaged >= per_week {
        WeekVerdict::Counts
    } else if current || w.paused || w.posted < per_week {
        WeekVerdict::Neutral
    } else {
        WeekVerdict::Breaks
    }
}

/// The streak: counting weeks from `current` backwards until one breaks it. Weeks
/// missing from `weeks` had no prompts and are neutral.
pub fn streak(weeks: &[WeekSummary], per_week: u32, current: IsoWeek) -> u32 {
    let mut sorted: Vec<&WeekSummary> = weeks.iter().filter(|w| w.week <= current).collect();
    sorted.sort_by_key(|w| std::cmp::Reverse(w.week));
    let mut count = 0;
    for w in sorted {
        match verdict(w, per_week, w.week == current) {
            WeekVerdict::Counts => count += 1,
            WeekVerdict::Neutral => {}
            WeekVerdict::Breaks => break,
        }
    }
    count
}

/// Sums posted prompts into weeks of `tz`, marking weeks a pause touched (a pause
/// still open lasts until its planned end, or until `now`).
pub fn summarize(
    posts: &[PostedEngagement],
    pauses: &[PausePeriod],
    tz: chrono_tz::Tz,
    now: i64,
) -> Vec<WeekSummary> {
    let week_of =
        |t: i64| DateTime::<Utc>::from_timestamp(t, 0).map(|d| d.with_timezone(&tz).iso_week());
    let spans: Vec<(IsoWeek, IsoWeek)> = pauses
        .iter()
        .filter_map(|p| {
            let end = p.until_at.or(p.resume_at).unwrap_or(now).max(p.from_at);
            Some((week_of(p.from_at)?, week_of(end)?))
        })
        .collect();
    let mut weeks: Vec<WeekSummary> = Vec::new();
    for p in posts {
        let Some(week) = week_of(p.posted_at) else {
            continue;
        };
        let i = match weeks.iter().position(|w| w.week == week) {
            Some(i) => i,
            None => {
                weeks.push(WeekSummary {
                    week,
                    posted: 0,
                    engaged: 0,
                    paused: spans.iter().any(|(a, b)| *a <= week && week <= *b),
                });
                weeks.len() - 1
            }
        };
        weeks[i].posted += 1;
        weeks[i].engaged += u32::from(p.engaged);
    }
    weeks
}

/// The couple's streak now.
pub async fn of_couple(
    h: &crate::app::Hearth,
    couple: &crate::store::Couple,
) -> anyhow::Result<u32> {
    let tz = crate::schedule::Zone::parse(&couple.timezone).map_or(chrono_tz::Tz::UTC, |z| z.tz());
    let posts = h.store.posted_engagement(couple.id).await?;
    let pauses = h.store.pauses_of_couple(couple.id).await?;
    let now = h.now();
    let weeks = summarize(&posts, &pauses, tz, now.timestamp());
    Ok(streak(
        &weeks,
        h.config.defaults.streak_prompts_per_week,
        now.with_timezone(&tz).iso_week(),
    ))
}

/// The line `stats` shows: warm when there is a streak, encouraging when not.
pub fn describe(weeks: u32, per_week: u32) -> String {
    let prompts = if per_week == 1 {
        "a prompt".to_string()
    } else {
        format!("at least {per_week} prompts")
    };
    match weeks {
        0 => format!(
            "Streak: a week in which you talk about {prompts} starts one. Paused weeks never count against you."
        ),
        1 => format!(
            "Streak: 1 week with {prompts} talked about. Paused weeks don't count against you."
        ),
        n => format!(
            "Streak: {n} weeks in a row with {prompts} talked about. Paused weeks don't count against you."
        ),
    }
}

#[cfg(test)]
mod tests;
