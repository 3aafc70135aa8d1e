//! The weekly digest on Discord, through serenity and the wire fake: an embed with
//! the check-in chart uploaded as a file (multipart, like Discord takes it), and the
//! chart as text where the bot may not attach files. `/hearth appreciate` fills the jar.

use serde_json::{Value, json};

use crate::support::app::utc;
use crate::support::discord_fake::fixtures::{self as fx, CHANNEL_ID};
use crate::support::discord_world::*;

/// A couple (UTC) with an appreciation and one check-in answered by both.
async fn week_with_checkins(refuse_files: bool) -> World {
    let mut w = World::start_with(|fake, _| {
        if refuse_files {
            fake.refuse_files();
        }
    })
    .await;
    w.set_up_couple_and_schedule().await;
    let r = w
        .slash(
            ALICE,
            &["appreciate"],
            vec![
                fx::opt("text", 3, json!("for the coffee before my early shift")),
                fx::opt("partner", 6, json!(SAM)),
            ],
        )
        .await;
    assert!(
        content(&r).contains(&format!("Into your jar, for <@{SAM}>")),
        "{r}"
    );
    assert!(!ephemeral(&r), "the couple sees it: {r}");
    let r = w
        .slash(
            ALICE,
            &["prompt"],
            vec![fx::opt("kind", 3, json!("check-in"))],
        )
        .await;
    assert!(!ephemeral(&r) || !content(&r).is_empty(), "{r}");
    w.fake
        .wait_for("the check-in is posted", 20, |f| {
            !f.messages_in(CHANNEL_ID).is_empty()
        })
        .await;
    let msg = w.prompts_posted()[0]["id"].as_str().unwrap().to_string();
    let h = w.h.clone();
    wait_db("the check-in is recorded as posted", || {
        let h = h.clone();
        async move { h.store.latest_posted(1).await.unwrap().is_some() }
    })
    .await;
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fx::reaction_event(&msg, ALICE, "4️⃣", true),
    );
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fx::reaction_event(&msg, SAM, "3️⃣", true),
    );
    let h = w.h.clone();
    wait_db("both check-ins stored", || {
        let h = h.clone();
        async move { h.store.checkin_reactions(1, 0).await.unwrap().len() == 2 }
    })
    .await;
    // Sunday 19:00 UTC: the digest's default time.
    w.at(utc(2026, 6, 7, 19, 0));
    w.fake
        .wait_for("the digest is posted", 20, |f| {
            f.messages_in(CHANNEL_ID)
                .iter()
                .any(|m| footer(m).as_deref() == Some("hearth-digest-1"))
        })
        .await;
    w
}

fn digests(w: &World) -> Vec<Value> {
    w.fake
        .messages_in(CHANNEL_ID)
        .into_iter()
        .filter(|m| footer(m).is_some_and(|f| f.starts_with("hearth-digest-")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_is_an_embed_with_the_chart_uploaded_as_its_image() {
    let w = week_with_checkins(false).await;
    let posted = digests(&w);
    assert_eq!(posted.len(), 1);
    let m = &posted[0];
    let embed = &m["embeds"][0];
    assert_eq!(embed["title"], "🫶 Your week together", "{m}");
    let text = embed["description"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "<@{ALICE}> to <@{SAM}>: “for the coffee before my early shift”"
        )),
        "{text}"
    );
    assert!(
        text.contains("💬 Prompts talked about: 1 of the 1"),
        "{text}"
    );
    assert!(
        !text.contains("Check-ins by week"),
        "the picture shows it: {text}"
    );
    assert_eq!(
        embed["image"]["url"], "attachment://hearth-checkins.png",
        "{m}"
    );
    assert_eq!(
        m["attachments"][0]["filename"], "hearth-checkins.png",
        "{m}"
    );
    let files = w.fake.files_of(m["id"].as_str().unwrap());
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].content_type, "image/png");
    let decoder = png::Decoder::new(std::io::Cursor::new(files[0].bytes.clone()));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert_eq!((info.width, info.height), (800, 400));
    // Nobody is pinged by a digest.
    assert_eq!(
        w.fake
            .requests()
            .iter()
            .rfind(|r| r.path.ends_with("/messages") && r.method == "POST")
            .map(|r| r.body["allowed_mentions"]["parse"].clone()),
        Some(json!([]))
    );
    // The message is there before the store hears back: wait for the record.
    let h = w.h.clone();
    wait_db("the digest is recorded as posted", || {
        let h = h.clone();
        async move {
            h.store.digests_of_couple(1).await.unwrap()
                == vec![(utc(2026, 6, 7, 19, 0).timestamp(), "posted".to_string())]
        }
    })
    .await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_permission_to_attach_files_the_chart_comes_as_text() {
    let w = week_with_checkins(true).await;
    let posted = digests(&w);
    assert_eq!(posted.len(), 1, "the refused upload made no message");
    let m = &posted[0];
    let embed = &m["embeds"][0];
    let text = embed["description"].as_str().unwrap();
    assert!(text.contains("Check-ins by week, last 12 weeks"), "{text}");
    assert!(text.contains("```"), "{text}");
    assert!(embed.get("image").is_none_or(Value::is_null), "{m}");
    assert_eq!(m["attachments"], json!([]), "{m}");
    // The refused try went out with the file, the one that landed without.
    let creates: Vec<_> = w
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.body["nonce"] == "hearth-digest-1")
        .collect();
    assert_eq!(creates.len(), 2, "{creates:?}");
    w.stop().await;
}
