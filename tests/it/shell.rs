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
