//! Reactions on posted prompts are stored as data and show in stats.

use hearth::reactions::{ReactionOutcome, on_reaction};

use crate::support::app::{TestApp, reaction as ev, utc};

async fn posted_app() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    let msg = app.fake.message_of(1).expect("posted");
    (app, msg)
}

#[tokio::test]
async fn member_reactions_added_and_removed_are_stored() {
    let (app, msg) = posted_app().await;
    let h = &app.hearth;
    assert_eq!(
        on_reaction(h, &ev(&msg, "alice", "❤️", true))
            .await
            .unwrap(),
        ReactionOutcome::Stored
    );
    assert_eq!(
        on_reaction(h, &ev(&msg, "sam", "✅", true)).await.unwrap(),
        ReactionOutcome::Stored
    );
    assert_eq!(
        on_reaction(h, &ev(&msg, "alice", "❤", true)).await.unwrap(),
        ReactionOutcome::Unchanged
    );
    let stats = app.member("sam", "stats").await.text;
    assert!(stats.contains("loved 1"), "{stats}");
    assert!(stats.contains("done 1"), "{stats}");
    assert_eq!(
        on_reaction(h, &ev(&msg, "alice", "❤️", false))
            .await
            .unwrap(),
        ReactionOutcome::Stored
    );
    let stats = app.member("sam", "stats").await.text;
    assert!(stats.contains("loved 0"), "{stats}");
    // Both the add and the removal are kept, with times.
    let export = app.member("alice", "export").await.attachment.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&export.content).unwrap();
    let r = json["reactions"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    assert!(
        r.iter()
            .any(|x| x["emoji"] == "❤" && !x["removed_at"].is_null())
    );
}

#[tokio::test]
async fn bot_outsider_and_unknown_message_reactions_are_not_stored() {
    let (app, msg) = posted_app().await;
    let h = &app.hearth;
    let mut bot = ev(&msg, "hearth-bot", "❤️", true);
    bot.by_bot = true;
    assert_eq!(
        on_reaction(h, &bot).await.unwrap(),
        ReactionOutcome::IgnoredBot
    );
    assert_eq!(
        on_reaction(h, &ev(&msg, "stranger", "❤️", true))
            .await
            .unwrap(),
        ReactionOutcome::NotMember
    );
    assert_eq!(
        on_reaction(h, &ev("nope", "alice", "❤️", true))
            .await
            .unwrap(),
        ReactionOutcome::NotAPrompt
    );
    assert!(
        app.member("alice", "stats")
            .await
            .text
            .contains("0 got a reaction")
    );
}

#[tokio::test]
async fn another_one_reaction_brings_a_new_prompt_of_the_same_kind() {
    let (app, msg) = posted_app().await;
    on_reaction(&app.hearth, &ev(&msg, "alice", "🔁", true))
        .await
        .unwrap();
    on_reaction(&app.hearth, &ev(&msg, "sam", "🔁", true))
        .await
        .unwrap();
    app.tick().await;
    let posts = app.fake.posts();
    assert_eq!(posts.len(), 2, "one extra prompt, not one per partner");
    assert_eq!(posts[1].kind, "conversation");
    assert_ne!(posts[1].text, posts[0].text);
}

#[tokio::test]
async fn check_in_answers_show_in_stats() {
    let app = TestApp::new().await;
    app.couple_with_schedule("check-in", "weekly sun 19:00", "UTC")
        .await;
    app.member("alice", "prompt check-in").await;
    app.tick().await;
    let post = &app.fake.posts()[0];
    assert_eq!(
        post.reactions.len(),
        5,
        "numbers 1-5 are pre-added on check-ins"
    );
    let msg = app.fake.message_of(1).unwrap();
    on_reaction(&app.hearth, &ev(&msg, "alice", "4️⃣", true))
        .await
        .unwrap();
    on_reaction(&app.hearth, &ev(&msg, "sam", "5️⃣", true))
        .await
        .unwrap();
    let stats = app.member("alice", "stats").await.text;
    assert!(
        stats.contains("Check-ins answered: 2, average 4.5"),
        "{stats}"
    );
}
