//! Answering on Discord: the button under a conversation prompt opens a form only its
//! clicker sees; answers are acknowledged ephemerally and revealed once, together.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::app::utc;
use crate::support::discord_fake::fixtures::{self as fx, CHANNEL_ID};
use crate::support::discord_world::*;

const ALICE_FIRST: &str = "The lake, where we got lost";
const ALICE_EDIT: &str = "The mountains, I've changed my mind";
const SAM_ANSWER: &str = "Wherever you are";

/// Messages carrying the reveal of delivery 1 in `channel`.
fn reveals_in(w: &World, channel: &str) -> Vec<Value> {
    w.fake
        .messages_in(channel)
        .into_iter()
        .filter(|m| footer(m).as_deref() == Some("hearth-reveal-1"))
        .collect()
}

/// The text field of a modal response.
fn modal_field(r: &Value) -> &Value {
    &r["data"]["components"][0]["components"][0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn button_form_submit_twice_gives_one_reveal_with_both_answers() {
    let mut w = World::start().await;
    w.post_first_prompt().await;
    let prompt = w.prompts_posted()[0].clone();
    let button = &prompt["components"][0]["components"][0];
    assert_eq!(button["custom_id"], "hearth-answer:1", "{prompt}");
    assert_eq!(button["type"], 2);
    // The click opens a form (response type 9) with one paragraph field.
    let r = w.click(ALICE, &prompt, "hearth-answer:1").await;
    assert_eq!(r["type"], 9, "{r}");
    assert_eq!(r["data"]["custom_id"], "hearth-answer:1");
    assert_eq!(modal_field(&r)["type"], 4, "{r}");
    assert_eq!(modal_field(&r)["custom_id"], "answer");
    assert_eq!(modal_field(&r)["style"], 2, "a paragraph: {r}");
    assert!(
        modal_field(&r).get("value").is_none(),
        "nothing to prefill: {r}"
    );
    let r = w
        .submit(ALICE, "hearth-answer:1", "answer", ALICE_FIRST)
        .await;
    assert_eq!(r["type"], 4, "{r}");
    assert!(ephemeral(&r), "only alice sees it: {r}");
    assert!(
        content(&r).contains(&format!("kept hidden until <@{SAM}> answers")),
        "{r}"
    );
    assert_eq!(r["data"]["allowed_mentions"]["parse"], json!([]), "{r}");
    // Clicking again shows her own answer back, to change it.
    let r = w.click(ALICE, &prompt, "hearth-answer:1").await;
    assert_eq!(modal_field(&r)["value"], ALICE_FIRST, "{r}");
    let r = w
        .submit(ALICE, "hearth-answer:1", "answer", ALICE_EDIT)
        .await;
    assert!(content(&r).starts_with("Your answer is updated"), "{r}");
    // Someone outside the couple gets no form.
    let r = w.click(KEEPER, &prompt, "hearth-answer:1").await;
    assert_eq!(r["type"], 4, "{r}");
    assert!(
        ephemeral(&r) && content(&r).contains("Only the couple"),
        "{r}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(reveals_in(&w, CHANNEL_ID).is_empty(), "nothing shown yet");
    let r = w.click(SAM, &prompt, "hearth-answer:1").await;
    assert_eq!(r["type"], 9, "{r}");
    let r = w.submit(SAM, "hearth-answer:1", "answer", SAM_ANSWER).await;
    assert!(ephemeral(&r), "{r}");
    assert!(content(&r).contains("Everyone has answered"), "{r}");
    w.fake
        .wait_for("the reveal", 20, |f| {
            f.messages_in(CHANNEL_ID)
                .iter()
                .any(|m| footer(m).as_deref() == Some("hearth-reveal-1"))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reveals = reveals_in(&w, CHANNEL_ID);
    assert_eq!(reveals.len(), 1, "{reveals:?}");
    let text = reveals[0]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        text.contains(&format!("<@{ALICE}>\n{ALICE_EDIT}")),
        "{text}"
    );
    assert!(text.contains(&format!("<@{SAM}>\n{SAM_ANSWER}")), "{text}");
    assert!(!text.contains(ALICE_FIRST), "{text}");
    let create = w
        .fake
        .requests()
        .into_iter()
        .find(|r| r.body["nonce"] == "hearth-reveal-1")
        .unwrap();
    assert_eq!(create.body["enforce_nonce"], true);
    assert_eq!(create.body["allowed_mentions"]["parse"], json!([]));
    // After the reveal: no form, and a late submission changes nothing.
    let r = w.click(ALICE, &prompt, "hearth-answer:1").await;
    assert!(
        ephemeral(&r) && content(&r).contains("already shown together"),
        "{r}"
    );
    let r = w
        .submit(ALICE, "hearth-answer:1", "answer", "too late")
        .await;
    assert!(
        ephemeral(&r) && content(&r).contains("already shown together"),
        "{r}"
    );
    assert_eq!(
        w.h.store.own_answer(1, ALICE).await.unwrap().as_deref(),
        Some(ALICE_EDIT)
    );
    assert_eq!(reveals_in(&w, CHANNEL_ID).len(), 1);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_threads_the_answers_are_revealed_in_the_prompts_thread() {
    let mut w = World::start().await;
    let both = vec![
        fx::opt("member1", 6, json!(ALICE)),
        fx::opt("member2", 6, json!(SAM)),
    ];
    w.slash(MODERATOR, &["couple", "add"], both).await;
    let opts = vec![
        fx::opt("kind", 3, json!("conversation")),
        fx::opt("when", 3, json!("daily 20:00")),
        fx::opt("thread", 5, json!(true)),
    ];
    w.slash(MODERATOR, &["schedule", "add"], opts).await;
    w.at(utc(2026, 6, 1, 20, 0));
    w.fake
        .wait_for("a thread on the prompt", 20, |f| {
            f.requests()
                .iter()
                .any(|r| r.method == "POST" && r.path.ends_with("/threads"))
        })
        .await;
    let prompt = w.prompts_posted()[0].clone();
    let thread = prompt["id"].as_str().unwrap().to_string();
    let h = w.h.clone();
    wait_db("the prompt is recorded", || {
        let h = h.clone();
        async move { h.store.latest_answerable(1).await.unwrap().is_some() }
    })
    .await;
    w.submit(ALICE, "hearth-answer:1", "answer", ALICE_FIRST)
        .await;
    // `/hearth answer` does the same as the form, and answers only its writer.
    let r = w
        .slash(
            SAM,
            &["answer"],
            vec![fx::opt("text", 3, json!(SAM_ANSWER))],
        )
        .await;
    assert!(ephemeral(&r), "{r}");
    assert!(
        content(&r).contains("Everyone has answered prompt #1"),
        "{r}"
    );
    w.fake
        .wait_for("the reveal in the thread", 20, |f| {
            !f.messages_in(&thread).is_empty()
        })
        .await;
    let reveals = reveals_in(&w, &thread);
    assert_eq!(reveals.len(), 1, "{reveals:?}");
    assert!(reveals_in(&w, CHANNEL_ID).is_empty(), "not in the channel");
    w.stop().await;
}
