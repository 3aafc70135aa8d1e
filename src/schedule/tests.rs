use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::{ScheduleSpec, Zone};

fn spec(s: &str) -> ScheduleSpec {
    ScheduleSpec::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn zone(s: &str) -> Zone {
    Zone::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid")
}

fn local(t: DateTime<Utc>, z: Zone) -> String {
    t.with_timezone(&z.tz())
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[test]
fn friendly_forms_become_cron() {
    for (s, cron) in [
        ("daily 20:00", "0 0 20 * * *"),
        ("Daily 7:30", "0 30 7 * * *"),
        ("every day at 06:05", "0 5 6 * * *"),
        ("weekdays 07:30", "0 30 7 * * Mon-Fri"),
        ("weekends 10:00", "0 0 10 * * Sat,Sun"),
        ("mon,wed,fri 19:00", "0 0 19 * * Mon,Wed,Fri"),
        ("monday,friday 19:00", "0 0 19 * * Mon,Fri"),
        ("weekly sun 18:00", "0 0 18 * * Sun"),
        ("0 20 * * *", "0 0 20 * * *"),
        ("0 20 * * 1-5", "0 0 20 * * Mon,Tue,Wed,Thu,Fri"),
        ("0 20 * * 0,6", "0 0 20 * * Sun,Sat"),
        ("0 20 * * 7", "0 0 20 * * Sun"),
        ("0 0 20 * * *", "0 0 20 * * *"),
        ("0 0 20 * * * 2027", "0 0 20 * * * 2027"),
    ] {
        assert_eq!(spec(s).cron_expr(), cron, "{s}");
    }
}

#[test]
fn crontab_weekday_numbers_mean_what_crontab_means() {
    let s = spec("0 20 * * 1-5");
    let utc0 = zone("UTC");
    // 2026-06-06 is a Saturday: the next slots are Monday to Friday.
    let days: Vec<String> = s
        .upcoming(utc(2026, 6, 6, 0, 0), utc0, 5)
        .iter()
        .map(|t| t.format("%a").to_string())
        .collect();
    assert_eq!(days, ["Mon", "Tue", "Wed", "Thu", "Fri"]);
}

#[test]
fn errors_say_what_is_wrong() {
    for (s, needle) in [
        ("daily 25:00", "hour must be 0-23"),
        ("daily 20:61", "minute must be 0-59"),
        ("daily 8pm", "HH:MM"),
        ("mon,wdn 08:00", "unknown day 'wdn'"),
        ("0 20 * *", "this one has 4"),
        ("sometimes", "not a schedule I know"),
        ("", "empty"),
        ("0 20 * * 9", "0-7"),
        ("61 20 * * *", "not a valid cron line"),
        ("daily\u{7} 20:00", "control"),
    ] {
        let e = ScheduleSpec::parse(s).expect_err(s).to_string();
        assert!(e.contains(needle), "{s:?}: {e}");
    }
    let long = "0 ".repeat(150);
    assert!(
        ScheduleSpec::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("at most 200")
    );
}

#[test]
fn zones_parse_with_suggestions() {
    assert_eq!(zone("europe/berlin").name(), "Europe/Berlin");
    assert_eq!(zone("UTC").name(), "UTC");
    let e = Zone::parse("Europe/Berln").unwrap_err().to_string();
    assert!(e.contains("did you mean Europe/Berlin?"), "{e}");
    let e = Zone::parse("Mars/Olympus_Mons_Base")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown timezone"), "{e}");
}

#[test]
fn berlin_gap_and_overlap() {
    let z = zone("Europe/Berlin");
    let s = spec("daily 02:30");
    let slots: Vec<String> = s
        .upcoming(utc(2026, 3, 27, 12, 0), z, 3)
        .iter()
        .map(|t| local(*t, z))
        .collect();
    assert_eq!(
        slots,
        [
            "2026-03-28 02:30 CET",
            "2026-03-29 03:00 CEST",
            "2026-03-30 02:30 CEST"
        ]
    );
    let slots: Vec<String> = s
        .upcoming(utc(2026, 10, 24, 12, 0), z, 3)
        .iter()
        .map(|t| local(*t, z))
        .collect();
    assert_eq!(
        slots,
        [
            "2026-10-25 02:30 CEST",
            "2026-10-26 02:30 CET",
            "2026-10-27 02:30 CET"
        ]
    );
}

#[test]
fn after_inside_the_repeated_hour_does_not_fire_again() {
    let z = zone("America/New_York");
    let s = spec("daily 01:30");
    // 06:15 UTC on 1 Nov 2026 is 01:15 EST, the second pass through 01:xx.
    let next = s.next_after(utc(2026, 11, 1, 6, 15), z).unwrap();
    assert_eq!(local(next, z), "2026-11-02 01:30 EST");
}

#[test]
fn several_slots_in_one_gap_fire_once() {
    let z = zone("Europe/Berlin");
    let s = spec("*/15 * * * *");
    let slots = s.upcoming(utc(2026, 3, 29, 0, 40), z, 3);
    let l: Vec<String> = slots.iter().map(|t| local(*t, z)).collect();
    assert_eq!(
        l,
        [
            "2026-03-29 01:45 CET",
            "2026-03-29 03:00 CEST",
            "2026-03-29 03:15 CEST"
        ]
    );
}

#[test]
fn lord_howe_half_hour_gap() {
    let z = zone("Australia/Lord_Howe");
    let s = spec("daily 02:15");
    let l: Vec<String> = s
        .upcoming(utc(2026, 10, 2, 12, 0), z, 3)
        .iter()
        .map(|t| local(*t, z))
        .collect();
    assert!(l[1].starts_with("2026-10-04 02:30"), "{l:?}");
}

#[test]
fn one_slot_per_local_day_for_two_years_in_many_zones() {
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "America/Sao_Paulo",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "Africa/Casablanca",
        "America/Santiago",
        "Asia/Tehran",
        "Europe/London",
        "Australia/Adelaide",
        "America/St_Johns",
        "Pacific/Auckland",
        "Asia/Kolkata",
        "America/Havana",
        "Europe/Dublin",
        "Asia/Gaza",
        "Asia/Jerusalem",
        "Antarctica/Troll",
        "Pacific/Apia",
    ];
    for name in zones {
        let z = zone(name);
        for time in ["00:00", "02:30", "23:59", "12:00"] {
            let s = spec(&format!("daily {time}"));
            let slots = s.upcoming(utc(2026, 1, 1, 0, 0), z, 730);
            assert_eq!(slots.len(), 730);
            let days: Vec<NaiveDate> = slots
                .iter()
                .map(|t| t.with_timezone(&z.tz()).date_naive())
                .collect();
            for w in days.windows(2) {
                assert_eq!(
                    w[1].num_days_from_ce() - w[0].num_days_from_ce(),
                    1,
                    "{name} {time}: {w:?}"
                );
            }
            let (h, m) = time.split_once(':').unwrap();
            let want = format!("{h}:{m}");
            for t in &slots {
                let l = t.with_timezone(&z.tz());
                let got = l.format("%H:%M").to_string();
                if got != want {
                    // Only on a day that lacks the time: then the first valid instant after it.
                    let naive = l
                        .date_naive()
                        .and_hms_opt(h.parse().unwrap(), m.parse().unwrap(), 0)
                        .unwrap();
                    assert!(
                        z.tz().from_local_datetime(&naive).single().is_none() && got > want,
                        "{name} {time}: {l}"
                    );
                }
            }
        }
    }
}

#[test]
fn min_interval() {
    assert!(
        spec("*/5 * * * *")
            .check_min_interval(Duration::minutes(60))
            .unwrap_err()
            .to_string()
            .contains("every 5 minutes")
    );
    assert!(
        spec("daily 20:00")
            .check_min_interval(Duration::minutes(60))
            .is_ok()
    );
    assert!(
        spec("0 * * * *")
            .check_min_interval(Duration::minutes(60))
            .is_ok()
    );
}

#[test]
fn preview_marks_moved_slots() {
    let p = super::preview(
        &spec("daily 02:30"),
        zone("Europe/Berlin"),
        utc(2026, 3, 28, 12, 0),
        2,
    );
    assert!(
        p.contains(
            "2026-03-29 03:00 +02:00 (CEST)  =  2026-03-29 01:00 UTC  (the set time does not exist"
        ),
        "{p}"
    );
    assert!(!p.lines().nth(2).unwrap().contains("does not exist"), "{p}");
}

#[test]
fn a_gap_at_midnight_moves_the_slot_into_the_next_day_once() {
    // Nuuk springs from 23:00 straight to 00:00 on 28 March 2026.
    let z = zone("America/Nuuk");
    let l: Vec<String> = spec("daily 23:59")
        .upcoming(utc(2026, 3, 27, 12, 0), z, 3)
        .iter()
        .map(|t| local(*t, z))
        .collect();
    assert_eq!(l[0], "2026-03-27 23:59 -02");
    assert_eq!(
        l[1], "2026-03-29 00:00 -01",
        "the missing 23:59 fires at the first valid instant after it"
    );
    assert_eq!(l[2], "2026-03-29 23:59 -01");
}
