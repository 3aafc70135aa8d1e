//! The shell adapter, driven by piped input as a newcomer would use it.

use hearth::platform::shell::ShellOptions;

use crate::support::app::TestApp;

async fn shell(app: &TestApp, opts: ShellOptions, input: &str) -> String {
    app.shell(opts, input).await
}

#[tokio::test]
async fn a_prompt_arrives_a_reaction_is_stored_and_stats_show_it() {
    let app = TestApp::new().await;
    let out = shell(
        &app,
        ShellOptions {
            now: true,
            ..Default::default()
        },
        "react 1 ❤️\nas partner\nreact 1 ✅\nstats\n",
    )
    .await;
    assert!(out.contains("── hearth · #1 · conversation"), "{out}");
    assert!(out.contains("(you reacted ❤️ on #1)"), "{out}");
    assert!(out.contains("(partner reacted ✅ on #1)"), "{out}");
    assert!(
        out.contains("Prompts so far: 1, of which 1 got a reaction"),
        "{out}"
    );
    assert!(out.contains("loved 1"), "{out}");
}

#[tokio::test]
async fn shell_moderator_can_schedule_and_others_cannot() {
    let app = TestApp::new().await;
    let out = shell(
        &app,
        ShellOptions::default(),
        "schedule add closeness \"weekends 10:00\"\n",
    )
    .await;
    assert!(out.contains("is for moderators"), "{out}");
    let out = shell(
        &app,
        ShellOptions {
            moderator: true,
            ..Default::default()
        },
        "schedule add closeness \"weekends 10:00\"\nschedule list\n",
    )
    .await;
    assert!(out.contains("closeness"), "{out}");
    assert!(
        out.contains("#4 closeness"),
        "default schedules are #1-#3: {out}"
    );
}

#[tokio::test]
async fn unknown_things_get_a_helpful_answer() {
    let app = TestApp::new().await;
    let out = shell(&app, ShellOptions::default(), "hepl\nreact 99 ❤️\n").await;
    assert!(out.contains("Did you mean `help`?"), "{out}");
    assert!(out.contains("there is no prompt #99"), "{out}");
}

#[tokio::test]
async fn the_weekly_digest_shows_the_check_in_chart_as_text_in_a_terminal() {
    let app = TestApp::new().await;
    let out = shell(
        &app,
        ShellOptions::default(),
        "appreciate for making dinner when I was late\nprompt check-in\nreact 1 4️⃣\nas partner\nreact 1 2️⃣\n",
    )
    .await;
    assert!(out.contains("Into your jar, for partner"), "{out}");
    assert!(out.contains("(partner reacted 2️⃣ on #1)"), "{out}");
    // Sunday 19:00 (the shell's couple lives in UTC): the next run posts the digest.
    app.set(crate::support::app::utc(2026, 6, 7, 19, 0));
    let out = shell(&app, ShellOptions::default(), "jar\n").await;
    let digest = out
        .split("── hearth · weekly digest ──")
        .nth(1)
        .unwrap_or_else(|| panic!("no digest in: {out}"));
    assert!(
        digest.contains("you to partner: “for making dinner when I was late”"),
        "{digest}"
    );
    assert!(
        digest.contains("Check-ins by week, last 12 weeks"),
        "{digest}"
    );
    // This week's answers: you 4 (▆), partner 2 (▃), the eleven weeks before empty.
    assert!(digest.contains("you     ···········▆"), "{digest}");
    assert!(digest.contains("partner ···········▃"), "{digest}");
    assert!(out.contains("Your jar holds 1 appreciation: 1 written, 0 answers to appreciation prompts, 0 loved prompts."), "{out}");
}
