//! The gentle streak: weeks in a row with at least 2 prompts talked about, never
//! broken by a paused week or a week hearth was down; and `pause --until <date>`.

use hearth::domain::Actor;
use hearth::reactions::on_reaction;

use crate::support::app::{TestApp, reaction, utc};

/// Mondays of the weeks used: ISO weeks 23 to 26 of 2026.
const WEEKS: [(u32, u32); 4] = [(6, 1), (6, 8), (6, 15), (6, 22)];

async fn couple() -> (TestApp, i64) {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "mon,thu 19:00", "UTC")
        .await;
    let couple = app
        .hearth
        .store
        .couple_in_channel(&crate::support::app::channel())
        .await
        .unwrap()
        .expect("couple");
    (app, couple.id)
}

/// Posts the prompt due at 19:00 on 2026-`m`-`d`; `react`: alice loves it.
async fn slot(app: &TestApp, couple: i64, (m, d): (u32, u32), react: bool) {
    app.set(utc(2026, m, d, 19, 1));
    let report = app.tick().await;
    assert_eq!(report.posted, 1, "{m}-{d}: {report:?}");
    if react {
        let latest = app.hearth.store.latest_posted(couple).await.unwrap();
        let id = latest.expect("posted").delivery_id;
        let msg = app.fake.message_of(id).expect("message");
        on_reaction(&app.hearth, &reaction(&msg, "alice", "❤️", true))
            .await
            .unwrap();
    }
}

/// Both of a week's prompts (Monday and Thursday), each loved or not.
async fn week(app: &TestApp, couple: i64, (m, d): (u32, u32), react: [bool; 2]) {
    slot(app, couple, (m, d), react[0]).await;
    slot(app, couple, (m, d + 3), react[1]).await;
}

async fn stats(app: &TestApp) -> String {
    let r = app.member("alice", "stats").await;
    assert!(!r.is_error, "{}", r.text);
    r.text
}

const IN_A_ROW: &str =
    "weeks in a row with at least 2 prompts talked about. Paused weeks don't count against you.";

#[tokio::test]
async fn a_paused_week_does_not_break_the_streak() {
    let (app, c) = couple().await;
    week(&app, c, WEEKS[0], [true, true]).await;
    week(&app, c, WEEKS[1], [true, true]).await;
    assert!(stats(&app).await.contains(&format!("Streak: 2 {IN_A_ROW}")));
    // Week 25: Monday's prompt goes unanswered, then a short pause; Thursday's
    // prompt (after resuming) too. Two prompts posted, none talked about: paused.
    slot(&app, c, (6, 15), false).await;
    app.set(utc(2026, 6, 16, 9, 0));
    let r = app.member("sam", "pause").await;
    assert!(r.text.starts_with("Paused."), "{}", r.text);
    app.set(utc(2026, 6, 17, 9, 0));
    let r = app.member("sam", "resume").await;
    assert!(r.text.starts_with("Welcome back"), "{}", r.text);
    slot(&app, c, (6, 18), false).await;
    week(&app, c, WEEKS[3], [true, true]).await;
    let out = stats(&app).await;
    assert!(out.contains(&format!("Streak: 3 {IN_A_ROW}")), "{out}");
    let pauses = app.hearth.store.pauses_of_couple(c).await.unwrap();
    assert_eq!(pauses.len(), 1);
    assert_eq!(pauses[0].from_at, utc(2026, 6, 16, 9, 0).timestamp());
    assert_eq!(pauses[0].until_at, Some(utc(2026, 6, 17, 9, 0).timestamp()));
}

#[tokio::test]
async fn a_week_hearth_was_down_does_not_break_the_streak() {
    let (app, c) = couple().await;
    slot(&app, c, WEEKS[0], true).await;
    // One prompt talked about so far in week 23: not yet a week that counts, and
    // nothing breaks either; the week under way never does.
    let out = stats(&app).await;
    assert!(
        out.contains("Streak: a week in which you talk about at least 2 prompts starts one."),
        "{out}"
    );
    slot(&app, c, (6, 4), true).await;
    week(&app, c, WEEKS[1], [true, true]).await;
    // hearth is down all of week 25: it comes back on Monday of week 26, where the
    // missed slots are skipped (never posted late) and that day's is posted.
    app.set(utc(2026, 6, 22, 19, 1));
    let report = app.tick().await;
    assert_eq!((report.posted, report.skipped), (1, 2), "{report:?}");
    let id = app
        .hearth
        .store
        .latest_posted(c)
        .await
        .unwrap()
        .expect("posted")
        .delivery_id;
    let msg = app.fake.message_of(id).expect("message");
    on_reaction(&app.hearth, &reaction(&msg, "sam", "✅", true))
        .await
        .unwrap();
    slot(&app, c, (6, 25), true).await;
    let out = stats(&app).await;
    assert!(out.contains(&format!("Streak: 3 {IN_A_ROW}")), "{out}");
}

#[tokio::test]
async fn a_normal_week_without_talk_starts_over_without_scolding() {
    let (app, c) = couple().await;
    week(&app, c, WEEKS[0], [true, true]).await;
    week(&app, c, WEEKS[1], [true, true]).await;
    // Week 25 under way, nothing talked about yet: the streak stands.
    slot(&app, c, (6, 15), false).await;
    assert!(stats(&app).await.contains(&format!("Streak: 2 {IN_A_ROW}")));
    slot(&app, c, (6, 18), true).await;
    // Week 26: week 25 ended with one of two prompts talked about.
    slot(&app, c, (6, 22), true).await;
    let out = stats(&app).await;
    assert!(
        out.contains("Streak: a week in which you talk about at least 2 prompts starts one."),
        "{out}"
    );
    slot(&app, c, (6, 25), true).await;
    let out = stats(&app).await;
    assert!(
        out.contains("Streak: 1 week with at least 2 prompts talked about."),
        "{out}"
    );
}

#[tokio::test]
async fn the_streak_threshold_comes_from_the_config() {
    let app = TestApp::with_config(|c| c.defaults.streak_prompts_per_week = 1).await;
    app.couple_with_schedule("conversation", "mon,thu 19:00", "UTC")
        .await;
    let c = app
        .hearth
        .store
        .couple_in_channel(&crate::support::app::channel())
        .await
        .unwrap()
        .expect("couple")
        .id;
    week(&app, c, WEEKS[0], [true, false]).await;
    week(&app, c, WEEKS[1], [false, true]).await;
    let out = stats(&app).await;
    assert!(
        out.contains("Streak: 2 weeks in a row with a prompt talked about."),
        "{out}"
    );
}

#[tokio::test]
async fn pause_until_a_date_resumes_posting_that_day() {
    let (app, c) = couple().await;
    // Monday 1 June 2026, 12:00 UTC.
    for (line, want) in [
        (
            "pause --until 2026-05-30",
            "2026-05-30 is not after today (2026-06-01 in UTC).",
        ),
        ("pause --until 2026-06-01", "2026-06-01 is not after today"),
        (
            "pause --until next-week",
            "'next-week' is not a date I can read. Use year-month-day, like `pause --until 2026-12-24`.",
        ),
        (
            "pause --until 2026-02-30",
            "'2026-02-30' is not a date I can read.",
        ),
        ("pause until", "Usage: `pause [--until <YYYY-MM-DD>]`"),
    ] {
        let r = app.member("alice", line).await;
        assert!(r.is_error, "{line}: {}", r.text);
        assert!(r.text.contains(want), "{line}: {}", r.text);
    }
    let r = app.member("alice", "pause --until 2026-06-10").await;
    assert!(!r.is_error && !r.private, "{}", r.text);
    assert_eq!(
        r.text,
        "Paused until Wednesday 10 June 2026. Scheduled prompts resume by themselves that day; \
         `resume` brings them back sooner. Nothing piles up meanwhile, and your streak waits for you."
    );
    let r = app.member("sam", "pause").await;
    assert_eq!(
        r.text,
        "Already paused, until Wednesday 10 June 2026; prompts resume by themselves then. `resume` brings them back sooner."
    );
    for (m, d) in [(6, 1), (6, 4), (6, 8)] {
        app.set(utc(2026, m, d, 19, 1));
        assert_eq!(app.tick().await.posted, 0, "{m}-{d}");
    }
    app.set(utc(2026, 6, 9, 23, 59));
    app.tick().await;
    assert!(app.hearth.store.couple(c).await.unwrap().unwrap().paused);
    // Midnight of the 10th: prompts are back, from Thursday's slot.
    app.set(utc(2026, 6, 10, 0, 0));
    app.tick().await;
    let now = app.hearth.store.couple(c).await.unwrap().unwrap();
    assert!(!now.paused);
    assert!(!stats(&app).await.contains("Paused right now"));
    slot(&app, c, (6, 11), false).await;
    let pauses = app.hearth.store.pauses_of_couple(c).await.unwrap();
    assert_eq!(pauses.len(), 1);
    let end = utc(2026, 6, 10, 0, 0).timestamp();
    assert_eq!(
        (pauses[0].until_at, pauses[0].resume_at),
        (Some(end), Some(end))
    );
    // The engine sleeps no longer than until a dated pause ends.
    let r = app.member("alice", "pause --until 2026-06-13").await;
    assert!(
        r.text.starts_with("Paused until Saturday 13 June 2026."),
        "{}",
        r.text
    );
    let (_, wait) = app.engine.wake(utc(2026, 6, 12, 23, 58)).await.unwrap();
    assert_eq!(wait, std::time::Duration::from_secs(120));
    // `resume` ends a dated pause sooner.
    let r = app.member("sam", "resume").await;
    assert!(r.text.starts_with("Welcome back"), "{}", r.text);
    assert!(!app.hearth.store.couple(c).await.unwrap().unwrap().paused);
    assert_eq!(
        app.hearth.store.pauses_ending(i64::MAX).await.unwrap(),
        vec![]
    );
}

#[tokio::test]
async fn pauses_are_exported_and_go_with_the_couple() {
    let (app, c) = couple().await;
    app.member("alice", "pause --until 2026-06-10").await;
    let r = app.member("sam", "export").await;
    let json: serde_json::Value =
        serde_json::from_slice(&r.attachment.expect("export file").content).unwrap();
    assert_eq!(
        json["pauses"],
        serde_json::json!([{
            "from": "2026-06-01T12:00:00+00:00",
            "until": null,
            "resumes_by_itself_at": "2026-06-10T00:00:00+00:00",
        }])
    );
    // One partner forgets: the couple stays, and so do its pauses.
    app.member("alice", "forget-me").await;
    app.member("alice", "forget-me confirm").await;
    assert_eq!(app.hearth.store.pauses_of_couple(c).await.unwrap().len(), 1);
    // The last one forgets: the couple is gone, and its pauses with it.
    app.member("sam", "forget-me").await;
    let r = app.member("sam", "forget-me confirm").await;
    assert!(r.text.contains("1 couple removed"), "{}", r.text);
    assert!(
        app.hearth
            .store
            .pauses_of_couple(c)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn help_tells_about_pause_until_and_the_streak() {
    let app = TestApp::new().await;
    let r = app.cmd_as(&Actor::member("alice"), "help pause").await;
    assert!(
        r.text.contains("pause [--until <YYYY-MM-DD>]"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("prompts resume by themselves that day"),
        "{}",
        r.text
    );
    let r = app.member("alice", "help stats").await;
    assert!(r.text.contains("your streak"), "{}", r.text);
}
