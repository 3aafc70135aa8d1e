//! Answer privately, reveal together: answers stay hidden from everyone until every
//! member has answered, then are shown once, together; edits until then, never after.

use chrono::Duration;
use hearth::commands::{Command, parse_line};
use hearth::domain::{Actor, ChannelRef, PlatformKind};
use hearth::platform::shell::ShellOptions;
use hearth::store::SubmitOutcome;

use crate::support::app::{TestApp, utc};

const ALICE_FIRST: &str = "I'd go back to the lake, \"always\" the lake";
const ALICE_EDIT: &str = "The mountains; I've changed my mind";
const SAM_ANSWER: &str = "Wherever we had that picnic in the rain";

/// alice & sam with a conversation prompt posted (delivery #1).
async fn couple_with_prompt() -> TestApp {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    assert_eq!(app.tick().await.posted, 1);
    app
}

fn export_text(r: &hearth::commands::Reply) -> String {
    r.attachment
        .as_ref()
        .map(|a| String::from_utf8_lossy(&a.content).to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn answers_stay_hidden_until_both_answered_then_are_shown_once_together() {
    let app = couple_with_prompt().await;
    let r = app.member("alice", &format!("answer {ALICE_FIRST}")).await;
    assert!(!r.is_error && r.private, "{}", r.text);
    assert!(
        r.text.contains("kept hidden until sam answers prompt #1"),
        "{}",
        r.text
    );
    app.tick().await;
    assert!(app.fake.notices().is_empty(), "nothing is shown yet");
    // Nobody reads it before the reveal: not sam, not through history or export.
    for line in ["history", "stats"] {
        let r = app.member("sam", line).await;
        assert!(!r.text.contains("lake"), "{line}: {}", r.text);
    }
    let sams = export_text(&app.member("sam", "export").await);
    assert!(!sams.contains("lake"), "{sams}");
    assert!(sams.contains("\"hidden_until_reveal\": true"), "{sams}");
    let alices = export_text(&app.member("alice", "export").await);
    assert!(
        alices.contains("the lake"),
        "her own answer is hers: {alices}"
    );
    // An edit before the reveal replaces the text.
    let r = app.member("alice", &format!("answer {ALICE_EDIT}")).await;
    assert!(r.text.starts_with("Your answer is updated"), "{}", r.text);
    assert_eq!(
        app.hearth.store.own_answer(1, "alice").await.unwrap(),
        Some(ALICE_EDIT.to_string())
    );
    let r = app.member("sam", &format!("answer {SAM_ANSWER}")).await;
    assert!(
        r.text.contains("Everyone has answered prompt #1"),
        "{}",
        r.text
    );
    assert_eq!(app.tick().await.revealed, 1);
    let notices = app.fake.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let reveal = &notices[0];
    assert!(reveal.contains(&format!("alice: {ALICE_EDIT}")), "{reveal}");
    assert!(reveal.contains(&format!("sam: {SAM_ANSWER}")), "{reveal}");
    assert!(
        !reveal.contains("lake"),
        "the replaced text is gone: {reveal}"
    );
    assert_eq!(app.tick().await.revealed, 0, "shown once");
    assert_eq!(app.fake.notices().len(), 1);
    // After the reveal an edit is refused with a clear message, and nothing changes.
    let r = app.member("alice", "answer something else").await;
    assert!(r.is_error, "{}", r.text);
    assert!(r.text.contains("already shown together"), "{}", r.text);
    assert_eq!(
        app.hearth.store.own_answer(1, "alice").await.unwrap(),
        Some(ALICE_EDIT.to_string())
    );
    let hist = app.member("sam", "history").await.text;
    assert!(hist.contains(&format!("alice: {ALICE_EDIT}")), "{hist}");
    assert!(hist.contains(&format!("sam: {SAM_ANSWER}")), "{hist}");
    let stats = app.member("alice", "stats").await.text;
    assert!(stats.contains("Prompts you all answered: 1"), "{stats}");
    // The audit log knows answers exist, never what they say.
    let audit = app.moderator("audit 50").await.text;
    assert!(audit.contains("answer recorded"), "{audit}");
    assert!(audit.contains("answer edited"), "{audit}");
    for t in ["lake", "mountains", "picnic"] {
        assert!(!audit.contains(t), "{audit}");
    }
}

#[tokio::test]
async fn bad_answers_get_a_clear_message() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    let r = app.member("alice", "answer hello").await;
    assert!(
        r.is_error
            && r.text
                .contains("no conversation or appreciation prompt to answer yet"),
        "{}",
        r.text
    );
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    let r = app.member("alice", "answer").await;
    assert!(r.is_error && r.text.contains("empty"), "{}", r.text);
    let r = app
        .member("alice", &format!("answer {}", "x".repeat(1001)))
        .await;
    assert!(r.is_error && r.text.contains("1000"), "{}", r.text);
    let r = app.member("eve", "answer let me in").await;
    assert!(
        r.is_error && r.text.contains("not one of its members"),
        "{}",
        r.text
    );
    assert_eq!(
        app.hearth.store.answered_by(1).await.unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn an_answer_is_taken_as_typed() {
    let Ok(Some(Command::Answer { text })) = parse_line(
        &format!("!hearth answer   {ALICE_FIRST}  "),
        "!hearth",
        true,
    ) else {
        panic!("not an answer");
    };
    assert_eq!(text, ALICE_FIRST);
    let Ok(Some(Command::Answer { text })) = parse_line("ANSWER two\nlines", "!hearth", false)
    else {
        panic!("not an answer");
    };
    assert_eq!(text, "two\nlines");
    assert!(matches!(
        parse_line("answers", "!hearth", false),
        Err(_) | Ok(Some(Command::Help { .. }))
    ));
}

/// A moderator reads no answer: not in the couple's channel, not through their own
/// couple's history or export elsewhere, not in the audit log.
#[tokio::test]
async fn a_moderator_reads_nothing_of_another_couples_answers() {
    let app = couple_with_prompt().await;
    app.member("alice", &format!("answer {ALICE_FIRST}")).await;
    let other = ChannelRef::new(PlatformKind::Discord, "guild-1", "chan-2");
    let modr = Actor::moderator("mod");
    let r = app.cmd_in(&other, &modr, "couple add mod kim UTC").await;
    assert!(!r.is_error, "{}", r.text);
    let check = |when: &'static str| {
        let app = &app;
        let other = other.clone();
        let modr = modr.clone();
        async move {
            for line in ["export", "history 100", "stats"] {
                let r = app.moderator(line).await;
                assert!(r.is_error, "{when}: {line} by a moderator here: {}", r.text);
                let r = app.cmd_in(&other, &modr, line).await;
                assert!(
                    !r.is_error,
                    "{when}: {line} in their own channel: {}",
                    r.text
                );
                for text in [r.text.clone(), export_text(&r)] {
                    for t in ["lake", "picnic"] {
                        assert!(!text.contains(t), "{when}: {line} leaked an answer: {text}");
                    }
                    assert!(!text.contains("alice"), "{when}: {line}: {text}");
                }
            }
            let audit = app.moderator("audit 100").await.text;
            assert!(
                !audit.contains("lake") && !audit.contains("picnic"),
                "{audit}"
            );
        }
    };
    check("before the reveal").await;
    app.member("sam", &format!("answer {SAM_ANSWER}")).await;
    assert_eq!(app.tick().await.revealed, 1);
    check("after the reveal").await;
}

/// Both answers at the same instant, many times over: each prompt is revealed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_last_answers_reveal_exactly_once() {
    let app = TestApp::new().await;
    app.moderator("couple add alice sam UTC").await;
    let store = app.hearth.store.clone();
    let mut ids = Vec::new();
    for _ in 0..30 {
        let id = store
            .enqueue_on_demand(1, "conversation", "alice", 0)
            .await
            .unwrap();
        store
            .mark_posted_many(&[(id, format!("m{id}"))], 1)
            .await
            .unwrap();
        ids.push(id);
    }
    let mut tasks = Vec::new();
    for &id in &ids {
        for who in ["alice", "sam"] {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                (
                    id,
                    store.submit_answer(id, 1, who, "mine", 5).await.unwrap(),
                )
            }));
        }
    }
    let mut reveals = std::collections::HashMap::<i64, usize>::new();
    for t in tasks {
        let (id, out) = t.await.unwrap();
        let SubmitOutcome::Saved { revealed, .. } = out else {
            panic!("{id}: {out:?}");
        };
        *reveals.entry(id).or_default() += usize::from(revealed);
    }
    for id in ids {
        assert_eq!(reveals.get(&id), Some(&1), "delivery {id}");
    }
}

#[tokio::test]
async fn with_a_deadline_one_answer_is_shown_when_time_is_up() {
    // No schedule: the only prompts are the ones asked for.
    let app = TestApp::new().await;
    app.moderator("couple add alice sam UTC").await;
    app.member("alice", "prompt").await;
    assert_eq!(app.tick().await.posted, 1);
    let r = app.member("sam", "reveal after 24h").await;
    assert!(!r.is_error && r.text.contains("24h"), "{}", r.text);
    assert!(app.member("alice", "reveal").await.text.contains("24h"));
    let r = app.member("alice", &format!("answer {ALICE_FIRST}")).await;
    assert!(r.text.contains("24h after the prompt"), "{}", r.text);
    app.advance(Duration::hours(23));
    assert_eq!(app.tick().await.revealed, 0);
    assert!(app.fake.notices().is_empty());
    // The engine sleeps until the deadline (not merely until its next periodic look):
    // at most five minutes between wake-ups, each with the deadline ahead.
    let (report, wait) = app.engine.wake(app.now()).await.unwrap();
    assert_eq!(report.revealed, 0);
    assert!(
        wait > std::time::Duration::ZERO && wait <= std::time::Duration::from_secs(3600),
        "{wait:?}"
    );
    app.advance(Duration::hours(1));
    let (report, _) = app.engine.wake(app.now()).await.unwrap();
    assert_eq!(report.revealed, 1, "revealed at the deadline");
    app.advance(Duration::hours(1));
    assert_eq!(app.tick().await.revealed, 0);
    let notices = app.fake.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains(&format!("alice: {ALICE_FIRST}")),
        "{notices:?}"
    );
    assert!(notices[0].contains("No answer from sam"), "{notices:?}");
    let r = app.member("sam", "answer late").await;
    assert!(r.text.contains("already shown together"), "{}", r.text);
    // Back to waiting for both: one answer is never shown alone.
    app.member("sam", "reveal both").await;
    app.member("sam", "prompt").await;
    app.tick().await;
    app.member("sam", &format!("answer {SAM_ANSWER}")).await;
    app.advance(Duration::days(30));
    assert_eq!(app.tick().await.revealed, 0);
    assert_eq!(app.fake.notices().len(), 1);
}

#[tokio::test]
async fn forget_me_deletes_answers_and_export_lists_them() {
    let app = couple_with_prompt().await;
    app.member("alice", &format!("answer {ALICE_FIRST}")).await;
    app.member("sam", &format!("answer {SAM_ANSWER}")).await;
    app.tick().await;
    let json: serde_json::Value =
        serde_json::from_str(&export_text(&app.member("sam", "export").await)).unwrap();
    let answers = json["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{json}");
    assert_eq!(answers[0]["user"], "alice");
    assert_eq!(answers[0]["text"], ALICE_FIRST);
    assert_eq!(answers[1]["text"], SAM_ANSWER);
    app.member("alice", "forget-me").await;
    let r = app.member("alice", "forget-me confirm").await;
    assert!(r.text.contains("1 answers"), "{}", r.text);
    let all = app.hearth.store.all_text_values().await.unwrap();
    assert!(
        !all.iter().any(|v| v.contains("lake")),
        "alice's answer is gone"
    );
    assert!(all.iter().any(|v| v == SAM_ANSWER), "sam's stays");
}

async fn shell(app: &TestApp, now: bool, input: &str) -> String {
    let opts = ShellOptions {
        now,
        ..Default::default()
    };
    app.shell(opts, input).await
}

#[tokio::test]
async fn in_the_shell_both_answer_and_see_the_answers_together() {
    let app = TestApp::new().await;
    let out = shell(&app, false, "answer too early\n").await;
    assert!(
        out.contains("no conversation or appreciation prompt to answer yet"),
        "{out}"
    );
    let out = shell(
        &app,
        true,
        &format!(
            "answer {ALICE_FIRST}\nanswer {ALICE_EDIT}\nas partner\nanswer {SAM_ANSWER}\nanswer again?\nhistory\nstats\n"
        ),
    )
    .await;
    assert!(
        out.contains("answer privately: `answer <your answer>`"),
        "{out}"
    );
    assert!(out.contains("kept hidden until partner answers"), "{out}");
    assert!(out.contains("Your answer is updated"), "{out}");
    let reveal = out
        .split("── hearth · answers to #1 ──")
        .nth(1)
        .unwrap_or_else(|| panic!("no reveal: {out}"));
    assert!(reveal.contains(&format!("you: {ALICE_EDIT}")), "{out}");
    assert!(reveal.contains(&format!("partner: {SAM_ANSWER}")), "{out}");
    assert_eq!(out.matches("answers to #1").count(), 1, "{out}");
    assert!(out.contains("already shown together"), "{out}");
    assert!(out.contains("Prompts you all answered: 1"), "{out}");
}
