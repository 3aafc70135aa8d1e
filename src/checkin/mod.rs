//! Weekly check-ins: each member's 1️⃣–5️⃣ answers by week over the last
//! [`WEEKS`] weeks, drawn as a PNG chart ([`chart`]) and as a text sparkline
//! ([`spark`]) for where a picture cannot go.
//!
//! A member who changes their answer (adds 4️⃣ after 3️⃣) counts once, with the
//! answer given last.

pub mod chart;
pub mod spark;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::app::Hearth;
use crate::reactions::{Meaning, Meanings};
use crate::schedule::Zone;
use crate::store::Couple;

/// Weeks a chart covers, the current one last.
pub const WEEKS: usize = 12;

/// One member's weekly scores, oldest week first; `None`: no answer that week.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub member: String,
    pub scores: Vec<Option<f64>>,
}

/// The weeks (their Mondays, in the couple's timezone) and each member's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckinWeeks {
    pub weeks: Vec<NaiveDate>,
    pub series: Vec<Series>,
}

impl CheckinWeeks {
    /// How many (member, week) scores there are: the points a chart plots.
    pub fn points(&self) -> usize {
        self.series
            .iter()
            .map(|s| s.scores.iter().flatten().count())
            .sum()
    }
}

/// One answer: a member's score for a check-in prompt posted at `posted_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub user: String,
    pub posted_at: i64,
    pub score: u8,
}

/// Each member's last check-in answer per prompt posted since `since`.
pub async fn answers(h: &Hearth, couple: &Couple, since: i64) -> anyhow::Result<Vec<Answer>> {
    let meanings = Meanings::from_config(&h.config.reactions);
    let mut last: BTreeMap<(i64, String), Answer> = BTreeMap::new();
    for r in h.store.checkin_reactions(couple.id, since).await? {
        if let Some(Meaning::CheckIn(score)) = meanings.of(&r.emoji) {
            // Rows come oldest first: a later answer replaces the earlier one.
            last.insert(
                (r.delivery_id, r.user.clone()),
                Answer {
                    user: r.user,
                    posted_at: r.posted_at,
                    score,
                },
            );
        }
    }
    Ok(last.into_values().collect())
}

/// The Monday starting the week `t` falls in, in `zone`.
fn monday(t: DateTime<Utc>, zone: Zone) -> NaiveDate {
    let d = t.with_timezone(&zone.tz()).date_naive();
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The couple's check-in scores over the last [`WEEKS`] weeks up to `now`.
pub async fn weeks(
    h: &Hearth,
    couple: &Couple,
    now: DateTime<Utc>,
) -> anyhow::Result<CheckinWeeks> {
    let zone = Zone::parse(&couple.timezone).unwrap_or(h.config.defaults.timezone);
    let last = monday(now, zone);
    let first = last - Duration::weeks(i64::try_from(WEEKS - 1).unwrap_or(11));
    // A day early, so a zone ahead of UTC loses nothing; weeks are sorted below.
    let since = first
        .pred_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |d| d.and_utc().timestamp());
    let all = answers(h, couple, since).await?;
    Ok(bucket(&couple.members, &all, first, zone))
}

/// Sorts answers into weeks from `first`, averaging a member's answers in a week.
pub fn bucket(
    members: &[String],
    answers: &[Answer],
    first: NaiveDate,
    zone: Zone,
) -> CheckinWeeks {
    let weeks: Vec<NaiveDate> = (0..WEEKS)
        .map(|i| first + Duration::weeks(i64::try_from(i).unwrap_or(0)))
        .collect();
    let series = members
        .iter()
        .map(|m| {
            let mut sums = [(0.0_f64, 0_u32); WEEKS];
            for a in answers.iter().filter(|a| a.user == *m) {
                let Some(t) = DateTime::from_timestamp(a.posted_at, 0) else {
                    continue;
                };
                let w = monday(t, zone);
                if let Some(i) = weeks.iter().position(|d| *d == w) {
                    sums[i].0 += f64::from(a.score);
                    sums[i].1 += 1;
                }
            }
            Series {
                member: m.clone(),
                scores: sums
                    .iter()
                    .map(|(s, n)| (*n > 0).then(|| s / f64::from(*n)))
                    .collect(),
            }
        })
        .collect();
    CheckinWeeks { weeks, series }
}
