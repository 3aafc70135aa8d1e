use chrono::{Datelike, NaiveDate, TimeZone, Utc};

use super::*;

fn week(n: u32) -> IsoWeek {
    // 2026-W{n}: Mondays of 2026 (5 January is week 2's Monday).
    NaiveDate::from_isoywd_opt(2026, n, chrono::Weekday::Mon)
        .map(|d| d.iso_week())
        .unwrap_or_else(|| panic!("week {n}"))
}

fn w(n: u32, posted: u32, engaged: u32, paused: bool) -> WeekSummary {
    WeekSummary {
        week: week(n),
        posted,
        engaged,
        paused,
    }
}

#[test]
fn weeks_in_a_row_count() {
    let weeks = [w(10, 3, 2, false), w(11, 2, 2, false), w(12, 4, 3, false)];
    assert_eq!(streak(&weeks, 2, week(12)), 3);
}

#[test]
fn a_normal_week_without_enough_talk_breaks_it() {
    let weeks = [w(10, 3, 2, false), w(11, 3, 1, false), w(12, 2, 2, false)];
    assert_eq!(streak(&weeks, 2, week(12)), 1);
}

#[test]
fn paused_weeks_and_quiet_weeks_are_stepped_over() {
    let weeks = [
        w(9, 3, 2, false),
        // Paused part of the week: only one prompt talked about, no harm done.
        w(10, 3, 0, true),
        // hearth was down: one prompt posted.
        w(11, 1, 0, false),
        // Week 12: nothing posted at all (missing).
        w(13, 2, 2, false),
    ];
    assert_eq!(streak(&weeks, 2, week(13)), 2);
}

#[test]
fn the_week_under_way_only_adds() {
    let weeks = [w(10, 2, 2, false), w(11, 3, 0, false)];
    assert_eq!(streak(&weeks, 2, week(11)), 1);
    let weeks = [w(10, 2, 2, false), w(11, 3, 2, false)];
    assert_eq!(streak(&weeks, 2, week(11)), 2);
}

#[test]
fn weeks_after_now_are_ignored_and_none_is_zero() {
    assert_eq!(streak(&[], 2, week(11)), 0);
    assert_eq!(streak(&[w(12, 2, 2, false)], 2, week(11)), 0);
}

#[test]
fn summarize_groups_by_local_week_and_marks_pauses() {
    let tz = chrono_tz::Tz::Pacific__Auckland;
    // Sunday 2026-03-08 23:30 local is still week 10 there, Monday in UTC terms is not.
    let t = |y, m, d, h| {
        tz.with_ymd_and_hms(y, m, d, h, 30, 0)
            .single()
            .map_or(0, |t| t.timestamp())
    };
    let posts = [
        PostedEngagement {
            posted_at: t(2026, 3, 8, 23),
            engaged: true,
        },
        PostedEngagement {
            posted_at: t(2026, 3, 9, 9),
            engaged: false,
        },
        PostedEngagement {
            posted_at: t(2026, 3, 17, 9),
            engaged: true,
        },
    ];
    let pauses = [PausePeriod {
        from_at: t(2026, 3, 10, 9),
        until_at: Some(t(2026, 3, 12, 9)),
        resume_at: None,
    }];
    let now = Utc::now().timestamp();
    let weeks = summarize(&posts, &pauses, tz, now);
    assert_eq!(
        weeks,
        vec![w(10, 1, 1, false), w(11, 1, 0, true), w(12, 1, 1, false)]
    );
}

#[test]
fn describe_is_warm() {
    assert_eq!(
        describe(5, 2),
        "Streak: 5 weeks in a row with at least 2 prompts talked about. Paused weeks don't count against you."
    );
    assert!(describe(0, 1).contains("starts one"));
    assert!(!describe(0, 2).to_lowercase().contains("lost"));
}
