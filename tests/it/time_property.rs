//! Daily schedules over two simulated years in many IANA zones: exactly one slot per
//! local day, at the set local time, or (on a day that lacks it) at the first valid
//! instant after; never a second one in a doubled hour.
//!
//! The expected instant is computed here independently of hearth's schedule code,
//! from chrono-tz alone, and compared slot by slot.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono::{Timelike, Utc};
use chrono_tz::Tz;
use hearth::schedule::{ScheduleSpec, Zone};
use proptest::prelude::*;

use crate::support::app::utc;

/// At least 20 zones, with every kind of offset change we know of: hour shifts in
/// both hemispheres, half-hour (Lord Howe), 45-minute offsets (Chatham, Kathmandu),
/// Morocco's Ramadan switch, and zones that dropped daylight saving.
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "Europe/London",
    "Europe/Dublin",
    "America/Los_Angeles",
    "America/Havana",
    "America/Santiago",
    "America/St_Johns",
    "America/Asuncion",
    "Asia/Tehran",
    "Asia/Jerusalem",
    "Asia/Kolkata",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Apia",
    "Antarctica/Troll",
    "Asia/Gaza",
    "UTC",
];

/// Where the wall clock first reads `local` or later on that day, as an instant:
/// the earlier of two when it reads it twice, the end of the gap when never.
fn expected_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut t = local;
    loop {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return x.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => return a.min(b).with_timezone(&Utc),
            LocalResult::None => {
                // Step to the next whole minute: the first wall-clock minute that exists.
                t = (t + Duration::minutes(1)).with_second(0).unwrap_or(t);
            }
        }
    }
}

/// Checks two years of a daily schedule at `hh:mm` in `zone_name`.
fn check_two_years(zone_name: &str, hh: u32, mm: u32) -> Result<(), String> {
    let zone = Zone::parse(zone_name).map_err(|e| e.to_string())?;
    let tz = zone.tz();
    let spec = ScheduleSpec::parse(&format!("daily {hh:02}:{mm:02}")).map_err(|e| e.to_string())?;
    let start = utc(2026, 1, 1, 0, 0);
    let end = utc(2028, 1, 1, 0, 0);
    let at = NaiveTime::from_hms_opt(hh, mm, 0).ok_or("bad time")?;

    let mut t = start;
    let mut prev_day: Option<NaiveDate> = None;
    let mut count = 0;
    while let Some(slot) = spec.next_after(t, zone) {
        if slot >= end {
            break;
        }
        let day = slot.with_timezone(&tz).date_naive();
        // The slot belongs to the local day it was due on; a gap can push it past
        // midnight only if the whole day was skipped, which no zone here does.
        let due_day = if slot.with_timezone(&tz).time() < at {
            day.pred_opt().unwrap_or(day)
        } else {
            day
        };
        if let Some(p) = prev_day
            && due_day != p.succ_opt().unwrap_or(p)
        {
            return Err(format!(
                "{zone_name} {hh:02}:{mm:02}: after {p} the next slot is for {due_day} ({slot})"
            ));
        }
        let want = expected_instant(tz, due_day.and_time(at));
        if slot != want {
            return Err(format!(
                "{zone_name} {hh:02}:{mm:02} on {due_day}: slot {} but expected {}",
                slot.with_timezone(&tz),
                want.with_timezone(&tz)
            ));
        }
        prev_day = Some(due_day);
        count += 1;
        t = slot;
    }
    // 2026 and 2027 have 730 days; the first day may fall just before `start` in
    // zones ahead of UTC, so 729 or 730 local days are covered.
    if !(729..=730).contains(&count) {
        return Err(format!(
            "{zone_name} {hh:02}:{mm:02}: {count} slots in two years"
        ));
    }
    Ok(())
}

/// The wall-clock times where the zones above change their clocks, and their
/// neighbours: the cases most likely to break.
const TRICKY: &[(u32, u32)] = &[
    (0, 0),
    (0, 30),
    (1, 0),
    (1, 30),
    (1, 45),
    (2, 0),
    (2, 15),
    (2, 30),
    (2, 45),
    (3, 0),
    (3, 30),
    (3, 45),
    (23, 59),
];

#[test]
fn every_zone_at_the_times_clocks_change() {
    for zone in ZONES {
        for (h, m) in TRICKY {
            if let Err(e) = check_two_years(zone, *h, *m) {
                panic!("{e}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_zone_any_time_one_slot_per_local_day(
        zone in proptest::sample::select(ZONES),
        hh in 0u32..24,
        mm in 0u32..60,
    ) {
        if let Err(e) = check_two_years(zone, hh, mm) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The zones the issue names (the first seven above); the engine test runs these.
const NAMED: &[&str] = ZONES.split_at(7).0;

/// Two years of one zone through the whole engine (claim, plan, send).
async fn engine_two_years(zone: &'static str) {
    let app = crate::support::app::TestApp::new().await;
    app.set(utc(2026, 1, 1, 0, 0));
    let sid = app
        .couple_with_schedule("conversation", "daily 02:30", zone)
        .await;
    let slots = crate::dst::run_until(&app, sid, utc(2028, 1, 1, 0, 0)).await;
    let tz: Tz = zone.parse().unwrap();
    let at = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
    let mut days = Vec::new();
    for s in &slots {
        let local = s.with_timezone(&tz);
        let day = if local.time() < at {
            local.date_naive().pred_opt().unwrap()
        } else {
            local.date_naive()
        };
        assert_eq!(*s, expected_instant(tz, day.and_time(at)), "{zone} {day}");
        days.push(day);
    }
    for w in days.windows(2) {
        assert_eq!(w[1], w[0].succ_opt().unwrap(), "{zone}: {days:?}");
    }
    assert!(
        (729..=730).contains(&slots.len()),
        "{zone}: {}",
        slots.len()
    );
}

/// The same property through the whole engine, in the named zones, at a time that
/// falls into a gap or an overlap in several of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_posts_once_per_local_day_in_the_named_zones() {
    let tasks: Vec<_> = NAMED
        .iter()
        .map(|z| tokio::spawn(engine_two_years(z)))
        .collect();
    for t in tasks {
        t.await.expect("zone task");
    }
}
