//! Suggested prompts: any member suggests, only moderators decide, the author is
//! told the outcome where they suggested it, and approved ones join the server's
//! own prompts after the catalog's checks.

use hearth::commands::{Ctx, Reply, handle, parse_words};
use hearth::domain::{Actor, ChannelRef, PlatformKind};

use crate::support::app::{TestApp, channel};

const IDEA: &str =
    "Name one thing your partner carried for you this month that you never thanked them for.";

fn lounge() -> ChannelRef {
    ChannelRef::new(PlatformKind::Discord, "guild-1", "lounge")
}

async fn in_lounge(app: &TestApp, actor: Actor, line: &str) -> Reply {
    let words = hearth::commands::parse::tokenize(line).unwrap();
    match parse_words(&words) {
        Ok(cmd) => {
            let ctx = Ctx {
                channel: lounge(),
                actor,
            };
            handle(&app.hearth, &ctx, cmd).await
        }
        Err(e) => Reply::error(e.0),
    }
}

/// The notices the fake platform received, with their channels.
fn notices(app: &TestApp) -> Vec<(String, String)> {
    app.fake
        .notices
        .lock()
        .unwrap()
        .iter()
        .map(|(c, t)| (c.channel.clone(), t.clone()))
        .collect()
}

#[tokio::test]
async fn a_suggestion_approved_joins_the_servers_prompts_and_the_author_hears() {
    let app = TestApp::new().await;
    let r = in_lounge(
        &app,
        Actor::member("robin"),
        &format!("suggest appreciation \"{IDEA}\""),
    )
    .await;
    assert!(!r.is_error && r.private, "{}", r.text);
    assert!(r.text.contains("suggestion #1"), "{}", r.text);

    // Only moderators see and decide; a refusal changes nothing.
    for line in ["suggestions list", "approve 1", "reject 1 no"] {
        let r = in_lounge(&app, Actor::member("robin"), line).await;
        assert!(
            r.is_error && r.text.contains("is for moderators"),
            "{line}: {}",
            r.text
        );
    }
    assert_eq!(
        app.hearth
            .store
            .pending_suggestions(&lounge())
            .await
            .unwrap()
            .len(),
        1
    );

    let list = app.moderator("suggestions list").await.text;
    assert!(
        list.contains(&format!(
            "#1 · appreciation · by robin (default tags: appreciation emotional light) · {IDEA}"
        )),
        "{list}"
    );
    let r = app.moderator("approve 1 medium").await;
    assert_eq!(
        r.text,
        "Approved suggestion #1 as custom-1 (appreciation, emotional, medium). robin will be told in the channel where they suggested it."
    );
    assert!(app.moderator("prompt-admin list").await.text.contains(IDEA));
    assert!(
        app.moderator("audit")
            .await
            .text
            .contains("suggestion approve")
    );
    assert!(
        app.moderator("suggestions list")
            .await
            .text
            .contains("No suggested prompts are waiting")
    );
    let again = app.moderator("approve 1").await;
    assert!(
        again.is_error && again.text.contains("already approved"),
        "{}",
        again.text
    );

    // The engine tells robin in the lounge, once.
    assert!(notices(&app).is_empty());
    app.tick().await;
    app.tick().await;
    assert_eq!(
        notices(&app),
        [(
            "lounge".to_string(),
            format!(
                "robin: your suggested appreciation prompt (#1) was approved. Couples on this server may now get it: \"{IDEA}\" Thank you!"
            )
        )]
    );

    // A couple here can now be given it.
    app.moderator("couple add alice sam UTC").await;
    let given = hearth::engine::prompt_by_id(&app.hearth, &channel(), "custom-1")
        .await
        .unwrap();
    assert!(given.is_some_and(|p| p.text == IDEA));
}

#[tokio::test]
async fn a_rejected_suggestion_is_answered_kindly_with_the_reason() {
    let app = TestApp::new().await;
    in_lounge(
        &app,
        Actor::member("robin"),
        &format!("suggest closeness \"{IDEA}\""),
    )
    .await;
    let r = app.moderator("reject 1 it fits appreciation better").await;
    assert!(!r.is_error, "{}", r.text);
    app.tick().await;
    assert_eq!(
        notices(&app),
        [(
            "lounge".to_string(),
            "robin: thank you for suggesting a closeness prompt (#1). The moderators did not add it this time: it fits appreciation better".to_string()
        )]
    );
    assert!(
        app.moderator("prompt-admin list")
            .await
            .text
            .contains("no prompts of its own")
    );
    let r = app.moderator("approve 1").await;
    assert!(r.text.contains("already rejected"), "{}", r.text);
}

#[tokio::test]
async fn bad_suggestions_and_decisions_are_refused_clearly() {
    let app = TestApp::new().await;
    let robin = Actor::member("robin");
    let long = "a ".repeat(200);
    let copy = "Thank your partner for a plan or outing they made happen, however small.";
    for (line, needle) in [
        (format!("suggest appreciation \"{long}\""), "280"),
        (
            format!("suggest appreciation \"{copy}\""),
            "says the same as prompt",
        ),
        ("suggest chat \"hello there\"".to_string(), "conversation"),
        ("suggest appreciation".to_string(), "Usage"),
    ] {
        let r = in_lounge(&app, robin.clone(), &line).await;
        assert!(r.is_error && r.text.contains(needle), "{line}: {}", r.text);
    }
    assert!(
        app.hearth
            .store
            .pending_suggestions(&lounge())
            .await
            .unwrap()
            .is_empty()
    );

    in_lounge(
        &app,
        robin.clone(),
        &format!("suggest appreciation \"{IDEA}\""),
    )
    .await;
    for (line, needle) in [
        ("approve 1 spicy", "'spicy' is not a tag"),
        ("approve 1 light deep", "at most one depth"),
        ("approve 9", "no suggestion #9"),
        ("approve abc", "not a suggestion number"),
        ("reject", "Usage"),
    ] {
        let r = app.moderator(line).await;
        assert!(r.is_error && r.text.contains(needle), "{line}: {}", r.text);
    }
    assert!(
        app.moderator("prompt-admin list")
            .await
            .text
            .contains("no prompts of its own")
    );

    // Five waiting is enough from one person.
    for n in 2..=5 {
        let r = in_lounge(&app, robin.clone(), &format!("suggest conversation \"Which place from your childhood would you show me first, number {n}?\"")).await;
        assert!(!r.is_error, "{}", r.text);
    }
    let r = in_lounge(
        &app,
        robin,
        "suggest conversation \"What song would you put on for a slow Sunday morning together?\"",
    )
    .await;
    assert!(
        r.is_error && r.text.contains("already have 5"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn suggestions_are_exported_and_forgotten_with_their_author() {
    let app = TestApp::new().await;
    app.moderator("couple add alice sam UTC").await;
    let r = app
        .member("alice", &format!("suggest appreciation \"{IDEA}\""))
        .await;
    assert!(!r.is_error, "{}", r.text);
    app.moderator("reject 1").await; // a notice about alice waits for the engine
    let r = app.member("sam", "export").await;
    let json: serde_json::Value =
        serde_json::from_slice(&r.attachment.expect("an export file").content).unwrap();
    assert_eq!(json["suggestions"][0]["text"], IDEA);
    assert_eq!(json["suggestions"][0]["state"], "rejected");

    app.member("alice", "forget-me").await;
    let r = app.member("alice", "forget-me confirm").await;
    assert!(r.text.contains("1 suggested prompts"), "{}", r.text);
    let left: Vec<String> = app
        .hearth
        .store
        .all_text_values()
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.contains("alice") || v.contains(IDEA))
        .collect();
    assert!(left.is_empty(), "still stored: {left:?}");
    app.tick().await;
    assert!(
        notices(&app).is_empty(),
        "the notice about alice went with her"
    );
}
