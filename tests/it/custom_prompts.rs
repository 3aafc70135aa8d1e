//! Moderators' own prompts: checked like the catalog, given to their server only.

use hearth::commands::{Ctx, Reply, handle, parse_words};
use hearth::domain::{Actor, ChannelRef, PlatformKind};

use crate::support::app::TestApp;

const OURS: &str = "What small kindness from a neighbour or stranger lifted your week?";

async fn in_channel(app: &TestApp, channel: &ChannelRef, actor: Actor, line: &str) -> Reply {
    let words = hearth::commands::parse::tokenize(line).unwrap();
    match parse_words(&words) {
        Ok(cmd) => {
            handle(
                &app.hearth,
                &Ctx {
                    channel: channel.clone(),
                    actor,
                },
                cmd,
            )
            .await
        }
        Err(e) => Reply::error(e.0),
    }
}

#[tokio::test]
async fn a_custom_prompt_reaches_couples_of_its_server_only() {
    let app = TestApp::new().await;
    let r = app
        .moderator(&format!(
            "prompt-admin add check-in meaningful-conversation emotional light \"{OURS}\""
        ))
        .await;
    assert!(!r.is_error, "{}", r.text);
    assert!(r.text.contains("custom-1"), "{}", r.text);
    app.moderator("couple add alice sam").await;
    let elsewhere = ChannelRef::new(PlatformKind::Discord, "guild-2", "chan-9");
    in_channel(
        &app,
        &elsewhere,
        Actor::moderator("mod2"),
        "couple add kim lou",
    )
    .await;
    let light_pool = app
        .hearth
        .catalog
        .of_kind(hearth::catalog::tags::Kind::CheckIn)
        .filter(|p| p.depth == hearth::catalog::tags::Depth::Light)
        .count();
    for _ in 0..=light_pool {
        app.member("alice", "prompt check-in").await;
        in_channel(&app, &elsewhere, Actor::member("kim"), "prompt check-in").await;
        app.tick().await;
    }
    let posts = app.fake.posts();
    let ours: Vec<_> = posts.iter().filter(|p| p.text == OURS).collect();
    assert_eq!(ours.len(), 1, "given once in the cycle, to our couple");
    assert_eq!(ours[0].channel, crate::support::app::channel());
    let theirs = posts.iter().filter(|p| p.channel == elsewhere).count();
    assert_eq!(theirs, light_pool + 1);
}

#[tokio::test]
async fn custom_prompts_are_checked_like_the_catalog() {
    let app = TestApp::new().await;
    let copy = app.hearth.catalog.prompts()[0].text.clone();
    let r = app
        .moderator(&format!(
            "prompt-admin add conversation active-listening emotional light \"{copy}\""
        ))
        .await;
    assert!(
        r.is_error && r.text.contains("says the same as prompt"),
        "{}",
        r.text
    );
    let r = app.moderator("prompt-admin add conversation listening emotional light \"Which smell takes you back?\"").await;
    assert!(
        r.is_error && r.text.contains("unknown practice 'listening'"),
        "{}",
        r.text
    );
    let long = "very ".repeat(60);
    let r = app
        .moderator(&format!(
            "prompt-admin add conversation vulnerability emotional light \"{long}\""
        ))
        .await;
    assert!(
        r.is_error && r.text.contains("the limit is 280"),
        "{}",
        r.text
    );
    let r = app
        .member(
            "alice",
            &format!("prompt-admin add check-in appreciation emotional light \"{OURS}\""),
        )
        .await;
    assert!(r.is_error && r.text.contains("moderators"), "{}", r.text);
    app.moderator(&format!(
        "prompt-admin add check-in appreciation emotional light \"{OURS}\""
    ))
    .await;
    assert!(app.moderator("prompt-admin list").await.text.contains(OURS));
    let r = app.moderator("prompt-admin add check-in appreciation emotional light \"What small kindness from a stranger or neighbour lifted your week?\"").await;
    assert!(
        r.is_error && r.text.contains("custom-1"),
        "a near-copy of our own is refused: {}",
        r.text
    );
    assert!(
        app.moderator("prompt-admin remove custom-1")
            .await
            .text
            .contains("Removed")
    );
    assert!(
        app.moderator("prompt-admin list")
            .await
            .text
            .contains("no prompts of its own")
    );
    let audit = app.moderator("audit").await.text;
    assert!(
        audit.contains("prompt-admin add") && audit.contains("prompt-admin remove"),
        "{audit}"
    );
}
