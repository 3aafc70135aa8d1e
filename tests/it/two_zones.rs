//! Partners who live apart: each member's own timezone, slots shown in both local
//! times across a daylight-saving change, and a schedule made fair for both.

use crate::support::app::{TestApp, utc};

/// alice in Berlin, sam in Vancouver, on 26 March 2026: Vancouver has been on summer
/// time since 8 March, Berlin changes on Sunday 29 March.
async fn berlin_vancouver() -> TestApp {
    let app = TestApp::new().await;
    app.set(utc(2026, 3, 26, 12, 0));
    let r = app.moderator("couple add alice sam Europe/Berlin").await;
    assert!(!r.is_error, "{}", r.text);
    let r = app.member("sam", "couple zone me America/Vancouver").await;
    assert!(!r.is_error && !r.private, "{}", r.text);
    assert!(
        r.text.contains("sam lives in America/Vancouver"),
        "{}",
        r.text
    );
    app
}

#[tokio::test]
async fn preview_shows_both_local_times_across_the_clock_change() {
    let app = berlin_vancouver().await;
    let r = app
        .moderator("schedule add conversation \"daily 20:00\"")
        .await;
    assert!(!r.is_error, "{}", r.text);
    let r = app.member("alice", "schedule preview 1").await;
    assert!(!r.is_error, "{}", r.text);
    let lines: Vec<&str> = r.text.lines().collect();
    assert_eq!(
        lines,
        [
            "Schedule #1: every day at 20:00 (Europe/Berlin). The next 5 slots for each of you:",
            "• alice Thu 26 Mar 20:00 CET · sam Thu 26 Mar 12:00 PDT",
            "• alice Fri 27 Mar 20:00 CET · sam Fri 27 Mar 12:00 PDT",
            "• alice Sat 28 Mar 20:00 CET · sam Sat 28 Mar 12:00 PDT",
            "• alice Sun 29 Mar 20:00 CEST · sam Sun 29 Mar 11:00 PDT  (the clocks changed: alice and sam are now 9h apart, 8h before)",
            "• alice Mon 30 Mar 20:00 CEST · sam Mon 30 Mar 11:00 PDT",
        ]
    );
    // The list shows both local times of the next slot.
    let list = app.moderator("schedule list").await.text;
    assert!(
        list.contains(
            "next Thu 26 Mar 20:00 CET (alice Thu 26 Mar 20:00 CET · sam Thu 26 Mar 12:00 PDT)"
        ),
        "{list}"
    );
    // A schedule only thought of, in another zone.
    let r = app
        .member(
            "sam",
            "schedule preview \"weekly sun 09:00\" America/Vancouver",
        )
        .await;
    assert!(
        r.text
            .starts_with("every Sunday at 09:00 (America/Vancouver)"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("• alice Sun 29 Mar 18:00 CEST · sam Sun 29 Mar 09:00 PDT"),
        "{}",
        r.text
    );
    // The couple shows who lives where; back to the couple's zone clears it.
    let show = app.member("alice", "couple").await.text;
    assert!(show.contains("sam lives in America/Vancouver"), "{show}");
    let r = app.member("alice", "couple zone sam default").await;
    assert!(
        r.text.contains("follows the couple's timezone"),
        "{}",
        r.text
    );
    let list = app.moderator("schedule list").await.text;
    assert!(!list.contains("PDT"), "{list}");
}

#[tokio::test]
async fn fair_evening_for_berlin_and_vancouver() {
    let app = berlin_vancouver().await;
    let r = app
        .moderator("schedule add conversation \"daily evening\" --fair")
        .await;
    assert!(!r.is_error, "{}", r.text);
    // Nine hours apart most of the year: no hour is evening for both; 00:30 in
    // Berlin is 15:30 in Vancouver, each 2h30 away from 18:00-22:00. This week the
    // gap is 8h, so sam's 16:30 is closer.
    assert!(
        r.text.contains(
            "Fair time: 00:30 Europe/Berlin. No time is in the evening (18:00–22:00) for both of you; \
             this is the closest for both of you: alice 00:30 CET, 2h30 after, sam 16:30 PDT, 1h30 before."
        ),
        "{}",
        r.text
    );
    let s = &app.hearth.store.schedules_of_couple(1).await.unwrap()[0];
    assert_eq!(
        (s.spec.as_str(), s.timezone.as_str()),
        ("daily 00:30", "Europe/Berlin")
    );
    // And the engine posts it then: 00:30 CET on 27 March is 23:30 UTC on the 26th.
    app.set(utc(2026, 3, 26, 23, 30));
    assert_eq!(app.tick().await.posted, 1);
}

#[tokio::test]
async fn fair_time_lands_in_both_windows_when_one_exists() {
    let app = TestApp::new().await;
    app.set(utc(2026, 6, 1, 12, 0));
    app.moderator("couple add alice sam Europe/Berlin").await;
    app.moderator("couple zone sam Europe/London").await;
    let r = app
        .moderator("schedule add appreciation \"weekly sun 19:00-21:00\" --fair")
        .await;
    assert!(
        r.text.contains("Fair time: 20:00 Europe/Berlin, in the 19:00–21:00 for both of you all year: alice 20:00 CEST, sam 19:00 BST."),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn timezone_mistakes_get_a_clear_answer() {
    let app = berlin_vancouver().await;
    for (line, needle) in [
        (
            "couple zone bob Europe/Paris",
            "not a member of this couple",
        ),
        ("couple zone me Europe/Berln", "Europe/Berlin"),
        ("couple zone me", "Usage"),
        (
            "schedule add conversation \"daily teatime\" --fair",
            "evening",
        ),
        (
            "schedule add conversation \"0 20 * * *\" --fair",
            "cron line cannot be made fair",
        ),
        (
            "schedule add conversation \"daily 21:00-19:00\" --fair",
            "end after it starts",
        ),
        ("schedule preview 9", "no schedule #9"),
        ("schedule preview \"daily 26:00\"", "hour"),
    ] {
        let r = app.moderator(line).await;
        assert!(r.is_error, "{line} should fail: {}", r.text);
        assert!(r.text.contains(needle), "{line}: {}", r.text);
    }
    let r = app.member("eve", "couple zone alice UTC").await;
    assert!(
        r.is_error && r.text.contains("not one of its members"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn a_members_zone_is_exported_and_forgotten_with_them() {
    let app = berlin_vancouver().await;
    let r = app.member("alice", "export").await;
    let json: serde_json::Value =
        serde_json::from_slice(&r.attachment.expect("an export file").content).unwrap();
    assert_eq!(
        json["couple"]["member_timezones"],
        serde_json::json!([
            {"member": "alice", "timezone": null},
            {"member": "sam", "timezone": "America/Vancouver"},
        ])
    );
    app.member("sam", "forget-me").await;
    let r = app.member("sam", "forget-me confirm").await;
    assert!(!r.is_error, "{}", r.text);
    let c = app.hearth.store.couple(1).await.unwrap().unwrap();
    assert_eq!(c.members, ["alice"]);
    assert_eq!(c.member_zones, [None]);
}
