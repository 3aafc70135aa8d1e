//! The weekly digest on Matrix, against Synapse, in an end-to-end encrypted room: the
//! digest's text and the check-in chart as an encrypted image the couple can open;
//! `!hearth appreciate` fills the jar.

use matrix_sdk::media::{MediaFormat, MediaRequestParameters};
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::message::ImageMessageEventContent;
use serde_json::Value;

use crate::support::app::utc;
use crate::support::matrix_world::*;

fn digest_events(w: &World) -> (Option<Value>, Option<Value>) {
    let seen = w.alice_seen.lock().unwrap();
    let text = seen
        .iter()
        .find(|v| v["content"]["org.hearth.delivery"] == "hearth-digest-1")
        .cloned();
    let image = seen
        .iter()
        .find(|v| v["content"]["msgtype"] == "m.image")
        .cloned();
    (text, image)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_and_its_chart_reach_an_encrypted_room() {
    let w = World::start(true).await;
    let a = w
        .command(
            &w.alice,
            "!hearth couple add @alice:localhost @sam:localhost UTC",
        )
        .await;
    assert!(a.contains("Registered"), "{a}");
    let a = w
        .command(
            &w.alice,
            "!hearth appreciate @sam for the tea, it's perfect",
        )
        .await;
    assert!(a.contains("Into your jar, for @sam:localhost"), "{a}");
    let a = w.command(&w.alice, "!hearth prompt check-in").await;
    assert!(!a.is_empty());
    sync_until(&w.alice, "the check-in", || w.prompt().is_some()).await;
    let (event_id, _) = w.prompt().unwrap();
    w.wait_db("the check-in is recorded", async |h| {
        h.store.latest_posted(1).await.unwrap().is_some()
    })
    .await;
    for (client, emoji) in [(&w.alice, "4️⃣"), (&w.sam, "3️⃣")] {
        client
            .get_room(&w.room)
            .unwrap()
            .send(ReactionEventContent::new(Annotation::new(
                event_id.clone(),
                emoji.into(),
            )))
            .await
            .unwrap();
    }
    w.wait_db("both check-ins are stored", async |h| {
        h.store.checkin_reactions(1, 0).await.unwrap().len() == 2
    })
    .await;
    w.clock.set(utc(2026, 6, 7, 19, 0));
    w.h.nudge();
    sync_until(&w.alice, "the digest and its chart", || {
        let (t, i) = digest_events(&w);
        t.is_some() && i.is_some()
    })
    .await;
    let (text, image) = digest_events(&w);
    let body = text.unwrap()["content"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(body.starts_with("🫶 Your week together"), "{body}");
    assert!(
        body.contains("@alice:localhost to @sam:localhost: “for the tea, it's perfect”"),
        "{body}"
    );
    assert!(
        !body.contains("Check-ins by week"),
        "the picture shows it: {body}"
    );
    let image = image.unwrap();
    assert_eq!(image["content"]["body"], "hearth-checkins.png");
    assert!(
        image["content"].get("file").is_some(),
        "encrypted media in an encrypted room: {image}"
    );
    let content: ImageMessageEventContent =
        serde_json::from_value(image["content"].clone()).unwrap();
    let png = w
        .alice
        .media()
        .get_media_content(
            &MediaRequestParameters {
                source: content.source,
                format: MediaFormat::File,
            },
            false,
        )
        .await
        .unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert_eq!((info.width, info.height), (800, 400));
    // The events are there before the store hears back: wait for the record.
    w.wait_db("the digest is recorded as posted", async |h| {
        h.store.digests_of_couple(1).await.unwrap()
            == vec![(utc(2026, 6, 7, 19, 0).timestamp(), "posted".to_string())]
    })
    .await;
    w.stop().await;
}
