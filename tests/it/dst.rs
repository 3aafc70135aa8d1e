//! Daylight-saving changes through the whole engine: one post per local day, at the
//! set time, or at the first valid instant after a gap; never twice in an overlap.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::support::app::{TestApp, utc};

/// Drives the engine from slot to slot until `until`; returns the posted slots.
pub(crate) async fn run_until(app: &TestApp, sid: i64, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    loop {
        let next = app
            .hearth
            .store
            .earliest_slot(r#"["discord"]"#)
            .await
            .unwrap();
        match next.and_then(|t| DateTime::from_timestamp(t, 0)) {
            Some(t) if t <= until => {
                app.set(t);
                app.tick().await;
            }
            _ => break,
        }
    }
    let rows = app.hearth.store.deliveries_of_schedule(sid).await.unwrap();
    assert!(rows.iter().all(|(_, s)| s == "posted"), "{rows:?}");
    rows.iter()
        .map(|(t, _)| DateTime::from_timestamp(*t, 0).unwrap())
        .collect()
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
}

async fn daily(tz: &str, time: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<String> {
    let app = TestApp::new().await;
    app.set(from);
    let sid = app
        .couple_with_schedule("conversation", &format!("daily {time}"), tz)
        .await;
    let zone: Tz = tz.parse().unwrap();
    let slots = run_until(&app, sid, until).await;
    // Exactly one slot per local calendar day.
    let days: Vec<NaiveDate> = slots
        .iter()
        .map(|t| t.with_timezone(&zone).date_naive())
        .collect();
    for w in days.windows(2) {
        assert_eq!(
            w[1].num_days_from_ce() - w[0].num_days_from_ce(),
            1,
            "{days:?}"
        );
    }
    slots.iter().map(|t| local(*t, zone)).collect()
}

#[tokio::test]
async fn berlin_spring_gap_moves_to_first_valid_instant() {
    let s = daily(
        "Europe/Berlin",
        "02:30",
        utc(2026, 3, 27, 12, 0),
        utc(2026, 3, 31, 12, 0),
    )
    .await;
    assert_eq!(
        s,
        [
            "2026-03-28 02:30 CET",
            "2026-03-29 03:00 CEST",
            "2026-03-30 02:30 CEST",
            "2026-03-31 02:30 CEST"
        ]
    );
}

#[tokio::test]
async fn berlin_autumn_overlap_fires_once_at_the_first() {
    let s = daily(
        "Europe/Berlin",
        "02:30",
        utc(2026, 10, 24, 12, 0),
        utc(2026, 10, 27, 12, 0),
    )
    .await;
    assert_eq!(
        s,
        [
            "2026-10-25 02:30 CEST",
            "2026-10-26 02:30 CET",
            "2026-10-27 02:30 CET"
        ]
    );
}

#[tokio::test]
async fn new_york_gap_and_overlap() {
    let s = daily(
        "America/New_York",
        "02:15",
        utc(2026, 3, 7, 12, 0),
        utc(2026, 3, 10, 12, 0),
    )
    .await;
    assert_eq!(
        s,
        [
            "2026-03-08 03:00 EDT",
            "2026-03-09 02:15 EDT",
            "2026-03-10 02:15 EDT"
        ]
    );
    let s = daily(
        "America/New_York",
        "01:30",
        utc(2026, 10, 31, 12, 0),
        utc(2026, 11, 3, 12, 0),
    )
    .await;
    assert_eq!(
        s,
        [
            "2026-11-01 01:30 EDT",
            "2026-11-02 01:30 EST",
            "2026-11-03 01:30 EST"
        ]
    );
}

#[tokio::test]
async fn lord_howe_half_hour_shifts() {
    // Clocks go from 02:00 to 02:30 on 4 October 2026.
    let s = daily(
        "Australia/Lord_Howe",
        "02:15",
        utc(2026, 10, 2, 12, 0),
        utc(2026, 10, 5, 12, 0),
    )
    .await;
    assert_eq!(s.len(), 3, "{s:?}");
    assert!(s[0].starts_with("2026-10-03 02:15"), "{s:?}");
    assert!(s[1].starts_with("2026-10-04 02:30"), "{s:?}");
    assert!(s[2].starts_with("2026-10-05 02:15"), "{s:?}");
    // Clocks go from 02:00 back to 01:30 on 5 April 2026: 01:45 happens twice.
    let s = daily(
        "Australia/Lord_Howe",
        "01:45",
        utc(2026, 4, 3, 12, 0),
        utc(2026, 4, 6, 12, 0),
    )
    .await;
    assert_eq!(s.len(), 3, "{s:?}");
    assert!(s.iter().all(|l| l.contains(" 01:45 ")), "{s:?}");
}

#[tokio::test]
async fn kathmandu_quarter_hour_offset() {
    let s = daily(
        "Asia/Kathmandu",
        "20:00",
        utc(2026, 6, 1, 0, 0),
        utc(2026, 6, 3, 23, 0),
    )
    .await;
    assert_eq!(
        s,
        [
            "2026-06-01 20:00 +0545",
            "2026-06-02 20:00 +0545",
            "2026-06-03 20:00 +0545"
        ]
    );
}
