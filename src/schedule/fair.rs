//! A time that is fair to partners in different timezones: the local time, in the
//! schedule's zone, that keeps every member as close as possible to the hours they
//! asked for ("evening for both"). Pure: zones and dates in, a choice out.
//!
//! Offsets between zones change over the year (daylight saving starts and ends on
//! different dates in different places), so a candidate is judged on one date a week
//! for a year, not just on today.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};

use super::Zone;

const DAY: i64 = 24 * 60;
/// Candidate times are this many minutes apart.
const STEP: i64 = 5;
/// Weekly sample dates judged (a year).
const WEEKS: i64 = 53;

/// Local hours a member would like a prompt in, as minutes of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    /// What the person wrote, for explanations ("evening", "19:00-21:00").
    pub label: String,
}

/// Named windows and their local hours.
const NAMED: &[(&str, i64, i64)] = &[
    ("morning", 7 * 60, 9 * 60),
    ("midday", 12 * 60, 13 * 60),
    ("afternoon", 14 * 60, 17 * 60),
    ("evening", 18 * 60, 22 * 60),
    ("night", 21 * 60, 23 * 60),
];

impl Window {
    /// `evening`, `20:00`, or `19:00-21:00`.
    pub fn parse(s: &str) -> Result<Window, String> {
        let lower = s.trim().to_lowercase();
        if let Some((name, start, end)) = NAMED.iter().find(|(n, _, _)| *n == lower) {
            return Ok(Window {
                start: *start,
                end: *end,
                label: (*name).to_string(),
            });
        }
        let (a, b) = lower.split_once('-').unwrap_or((&lower, &lower));
        match (minute_of(a), minute_of(b)) {
            (Some(start), Some(end)) if start <= end => Ok(Window {
                start,
                end,
                label: lower.clone(),
            }),
            (Some(_), Some(_)) => Err(format!(
                "'{lower}': the window must end after it starts (a window across midnight is not supported)"
            )),
            _ => Err(format!(
                "'{}' is not a time for --fair: use morning, midday, afternoon, evening, night, HH:MM or HH:MM-HH:MM",
                lower.chars().take(30).collect::<String>()
            )),
        }
    }

    /// Minutes from `m` (a minute of the day) to the window, around the clock.
    pub fn distance(&self, m: i64) -> i64 {
        if (self.start..=self.end).contains(&m) {
            return 0;
        }
        let circ = |a: i64, b: i64| {
            let d = (a - b).rem_euclid(DAY);
            d.min(DAY - d)
        };
        circ(m, self.start).min(circ(m, self.end))
    }

    /// "evening (18:00–22:00)" or "20:00".
    pub fn describe(&self) -> String {
        let hm = |m: i64| format!("{:02}:{:02}", m / 60, m % 60);
        if self.start == self.end {
            hm(self.start)
        } else if self.label.contains(':') {
            format!("{}–{}", hm(self.start), hm(self.end))
        } else {
            format!("{} ({}–{})", self.label, hm(self.start), hm(self.end))
        }
    }
}

fn minute_of(s: &str) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m) && s.trim().len() <= 5).then_some(h * 60 + m)
}

/// The chosen time and how well it suits the members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairChoice {
    /// Local time in the schedule's zone.
    pub time: NaiveTime,
    /// The most any member is outside the window on any day of the coming year.
    pub worst_minutes: i64,
}

/// Picks the local time in `zone` that keeps every member in `members` closest to
/// `window`, judged weekly over the coming year from `from`. Ties go to the time
/// closest to the window in `zone` itself.
pub fn fair_time(zone: Zone, members: &[Zone], window: &Window, from: DateTime<Utc>) -> FairChoice {
    let first = from.with_timezone(&zone.tz()).date_naive();
    let dates: Vec<NaiveDate> = (0..WEEKS)
        .filter_map(|w| first.checked_add_signed(Duration::weeks(w)))
        .collect();
    let mut best: Option<((i64, i64, i64), i64)> = None;
    for cand in (0..DAY).step_by(usize::try_from(STEP).unwrap_or(5)) {
        let (mut total, mut worst) = (0, 0);
        for d in &dates {
            let Some(at) = instant(zone, *d, cand) else {
                continue;
            };
            let cost = members
                .iter()
                .map(|m| window.distance(local_minute(at, *m)))
                .max()
                .unwrap_or(0);
            total += cost;
            worst = worst.max(cost);
        }
        let key = (total, worst, window.distance(cand));
        if best.is_none_or(|(k, _)| key < k) {
            best = Some((key, cand));
        }
    }
    let ((_, worst, _), cand) = best.unwrap_or(((0, 0, 0), window.start));
    let time = NaiveTime::from_hms_opt(
        u32::try_from(cand / 60).unwrap_or(0),
        u32::try_from(cand % 60).unwrap_or(0),
        0,
    )
    .unwrap_or_default();
    FairChoice {
        time,
        worst_minutes: worst,
    }
}

/// Each member's local time at `at`, and the minutes it lies outside `window`
/// (negative: before it, positive: after it, 0: inside).
pub fn how_far(
    window: &Window,
    at: DateTime<Utc>,
    members: &[Zone],
) -> Vec<(DateTime<chrono_tz::Tz>, i64)> {
    members
        .iter()
        .map(|m| {
            let lm = local_minute(at, *m);
            let off = window.distance(lm);
            // Before the window when going forward reaches it sooner than going back.
            let before = off > 0 && (window.start - lm).rem_euclid(DAY) == off;
            (at.with_timezone(&m.tz()), if before { -off } else { off })
        })
        .collect()
}

fn instant(zone: Zone, date: NaiveDate, minute: i64) -> Option<DateTime<Utc>> {
    let local = date.and_hms_opt(
        u32::try_from(minute / 60).ok()?,
        u32::try_from(minute % 60).ok()?,
        0,
    )?;
    match zone.tz().from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

fn local_minute(at: DateTime<Utc>, zone: Zone) -> i64 {
    let t = at.with_timezone(&zone.tz());
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

/// "2h30" or "45 min".
pub fn span(minutes: i64) -> String {
    let m = minutes.abs();
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(s: &str) -> Zone {
        Zone::parse(s).unwrap()
    }

    #[test]
    fn windows_parse_and_measure() {
        let w = Window::parse("evening").unwrap();
        assert_eq!((w.start, w.end), (18 * 60, 22 * 60));
        assert_eq!(w.distance(20 * 60), 0);
        assert_eq!(w.distance(23 * 60), 60);
        assert_eq!(w.distance(60), 3 * 60);
        assert_eq!(Window::parse("20:15").unwrap().distance(20 * 60), 15);
        assert!(Window::parse("21:00-19:00").is_err());
        assert!(Window::parse("teatime").unwrap_err().contains("evening"));
        assert!(Window::parse("25:00").is_err());
    }

    #[test]
    fn same_zone_gets_the_start_of_the_window() {
        let from = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let berlin = z("Europe/Berlin");
        let c = fair_time(
            berlin,
            &[berlin, berlin],
            &Window::parse("evening").unwrap(),
            from,
        );
        assert_eq!(c.time, NaiveTime::from_hms_opt(18, 0, 0).unwrap());
        assert_eq!(c.worst_minutes, 0);
    }

    #[test]
    fn close_zones_share_an_evening() {
        let from = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let (london, berlin) = (z("Europe/London"), z("Europe/Berlin"));
        let c = fair_time(
            berlin,
            &[berlin, london],
            &Window::parse("evening").unwrap(),
            from,
        );
        assert_eq!(c.worst_minutes, 0, "{c:?}");
        // 19:00 in Berlin is 18:00 in London: the earliest in both windows.
        assert_eq!(c.time, NaiveTime::from_hms_opt(19, 0, 0).unwrap());
    }

    #[test]
    fn far_zones_split_the_difference() {
        let from = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let (berlin, van) = (z("Europe/Berlin"), z("America/Vancouver"));
        let c = fair_time(
            berlin,
            &[berlin, van],
            &Window::parse("evening").unwrap(),
            from,
        );
        // Nine hours apart most of the year: 00:30 in Berlin is 15:30 in Vancouver,
        // each two and a half hours from the evening.
        assert_eq!(c.time, NaiveTime::from_hms_opt(0, 30, 0).unwrap(), "{c:?}");
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 22, 30, 0).unwrap();
        let far = how_far(&Window::parse("evening").unwrap(), at, &[berlin, van]);
        assert_eq!((far[0].1, far[1].1), (150, -150));
    }
}
