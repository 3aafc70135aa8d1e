//! Discord end to end: the real adapter and the unmodified serenity client, started
//! as `hearth run` starts them, against the wire-level fake on 127.0.0.1.

use std::time::Duration;

use chrono::Duration as ChronoDuration;
use serde_json::json;

use crate::support::app::utc;
use crate::support::discord_fake::fixtures::{self as fx, CHANNEL_ID};
use crate::support::discord_fake::{Fault, Route};
use crate::support::discord_world::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_schedules_by_slash_command_and_the_prompt_is_posted_at_the_slot() {
    let mut w = World::start().await;
    let cmd = &w.fake.commands()[0];
    assert_eq!(cmd["name"], "hearth");
    let names: Vec<&str> = cmd["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    for n in [
        "prompt",
        "schedule",
        "couple",
        "stats",
        "export",
        "forget-me",
        "settings",
        "audit",
    ] {
        assert!(names.contains(&n), "{n} missing: {names:?}");
    }
    // Only GUILDS (1) and GUILD_MESSAGE_REACTIONS (1 << 10): no privileged intents.
    assert_eq!(w.fake.identify_payloads()[0]["intents"], 1025);
    let msg_id = w.post_first_prompt().await;
    let create = w
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .unwrap();
    assert_eq!(create.body["nonce"], "hearth-1");
    assert_eq!(create.body["enforce_nonce"], true);
    assert_eq!(create.body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        create.body["embeds"][0]["footer"]["text"], "hearth-1",
        "the delivery is recoverable from the message"
    );
    assert!(
        create.body["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .len()
            > 10
    );
    w.fake
        .wait_for("pre-added reactions", 20, |f| {
            f.reactions_on(&msg_id).len() == 4
        })
        .await;
    assert_eq!(w.prompts_posted().len(), 1);
    // Nothing more at the next tick.
    w.at(utc(2026, 6, 1, 20, 30));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(w.prompts_posted().len(), 1);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_reactions_added_and_removed_are_stored_and_the_bots_are_not() {
    let mut w = World::start().await;
    let msg = w.post_first_prompt().await;
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fx::reaction_event(&msg, fx::BOT_ID, "❤️", false),
    );
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fx::reaction_event(&msg, ALICE, "❤️", true),
    );
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fx::reaction_event(&msg, SAM, "✅", true),
    );
    let h = w.h.clone();
    wait_db("two reactions stored", || {
        let h = h.clone();
        async move { h.store.active_reactions(1).await.unwrap().len() == 2 }
    })
    .await;
    let active = w.h.store.active_reactions(1).await.unwrap();
    assert!(
        active.contains(&(ALICE.to_string(), "❤".to_string())),
        "{active:?}"
    );
    w.fake.dispatch(
        "MESSAGE_REACTION_REMOVE",
        fx::reaction_event(&msg, ALICE, "❤️", false),
    );
    wait_db("removal stored", || {
        let h = h.clone();
        async move {
            h.store.active_reactions(1).await.unwrap() == vec![(SAM.to_string(), "✅".to_string())]
        }
    })
    .await;
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fx::reaction_event(&msg, ALICE, "⭐", true),
    );
    wait_db("star stored", || {
        let h = h.clone();
        async move { h.store.active_reactions(1).await.unwrap().len() == 2 }
    })
    .await;
    w.fake.dispatch(
        "MESSAGE_REACTION_REMOVE_EMOJI",
        fx::reaction_remove_emoji(&msg, "⭐"),
    );
    wait_db("one emoji cleared", || {
        let h = h.clone();
        async move {
            let a = h.store.active_reactions(1).await.unwrap();
            a == vec![(SAM.to_string(), "✅".to_string())]
        }
    })
    .await;
    w.fake
        .dispatch("MESSAGE_REACTION_REMOVE_ALL", fx::reaction_remove_all(&msg));
    wait_db("all cleared", || {
        let h = h.clone();
        async move { h.store.active_reactions(1).await.unwrap().is_empty() }
    })
    .await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_moderator_is_refused_ephemerally_and_nothing_changes() {
    let mut w = World::start().await;
    w.set_up_couple_and_schedule().await;
    let before = w.h.store.schedules_of_couple(1).await.unwrap().len();
    let r = w
        .slash(
            ALICE,
            &["schedule", "add"],
            vec![
                fx::opt("kind", 3, json!("closeness")),
                fx::opt("when", 3, json!("weekends 10:00")),
            ],
        )
        .await;
    assert!(ephemeral(&r), "{r}");
    assert!(content(&r).contains("moderator"), "{r}");
    assert_eq!(
        w.h.store.schedules_of_couple(1).await.unwrap().len(),
        before
    );
    // A holder of the configured moderator role may.
    let r = w.slash(KEEPER, &["schedule", "list"], vec![]).await;
    assert!(content(&r).contains("#1 conversation"), "{r}");
    // The couple's own commands answer the couple.
    let r = w.slash(SAM, &["stats"], vec![]).await;
    assert!(content(&r).contains("Prompts so far: 0"), "{r}");
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_and_a_500_on_message_create_still_give_exactly_one_message() {
    let mut w = World::start().await;
    w.set_up_couple_and_schedule().await;
    w.fake.fail_next(
        Route::CreateMessage,
        Fault::RateLimited {
            retry_after: 0.5,
            global: false,
        },
    );
    w.fake.fail_next(Route::CreateMessage, Fault::Status(500));
    w.at(utc(2026, 6, 1, 20, 0));
    let mut t = utc(2026, 6, 1, 20, 0);
    for _ in 0..20 {
        if !w.prompts_posted().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        t += ChronoDuration::seconds(15);
        w.at(t);
    }
    w.fake
        .wait_for("one message after retries", 20, |f| {
            !f.messages_in(CHANNEL_ID).is_empty()
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(w.prompts_posted().len(), 1);
    let creates = w
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .count();
    assert_eq!(creates, 3, "two failures, one success");
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_disables_the_schedule_with_a_recorded_reason() {
    let mut w = World::start().await;
    w.set_up_couple_and_schedule().await;
    w.fake.fail_next(Route::CreateMessage, Fault::Status(403));
    w.at(utc(2026, 6, 1, 20, 0));
    let h = w.h.clone();
    wait_db("the schedule is stopped", || {
        let h = h.clone();
        async move { !h.store.schedule(1).await.unwrap().unwrap().enabled }
    })
    .await;
    let s = w.h.store.schedule(1).await.unwrap().unwrap();
    assert!(s.disabled_reason.unwrap().contains("permission"));
    w.fake
        .wait_for("the moderators are told", 20, |f| {
            f.messages_in(CHANNEL_ID).iter().any(|m| {
                m["content"]
                    .as_str()
                    .unwrap_or("")
                    .contains("stopped schedule #1")
            })
        })
        .await;
    assert!(w.prompts_posted().is_empty());
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_made_while_the_gateway_was_down_are_reconciled() {
    let mut w = World::start().await;
    let msg = w.post_first_prompt().await;
    let identifies = w.fake.identify_count();
    w.fake.drop_gateway();
    w.fake.add_reaction_silently(&msg, "❤️", ALICE);
    w.fake.add_reaction_silently(&msg, "⭐", SAM);
    w.fake.restore_gateway();
    w.fake
        .wait_for("the bot reconnects", 60, |f| {
            f.identify_count() > identifies
        })
        .await;
    let h = w.h.clone();
    wait_db("reconciled reactions", || {
        let h = h.clone();
        async move { h.store.active_reactions(1).await.unwrap().len() == 2 }
    })
    .await;
    let active = w.h.store.active_reactions(1).await.unwrap();
    assert!(
        active.contains(&(SAM.to_string(), "⭐".to_string())),
        "{active:?}"
    );
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_with_thread_opens_a_thread_under_each_prompt() {
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
    let r = w.slash(MODERATOR, &["schedule", "add"], opts).await;
    assert!(content(&r).contains("thread for answers"), "{r}");
    w.at(utc(2026, 6, 1, 20, 0));
    w.fake
        .wait_for("a thread on the prompt", 20, |f| {
            f.requests()
                .iter()
                .any(|r| r.method == "POST" && r.path.ends_with("/threads"))
        })
        .await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timezones_and_schedule_ids_autocomplete() {
    let mut w = World::start().await;
    w.set_up_couple_and_schedule().await;
    let typed = json!({"name": "timezone", "type": 3, "value": "berl", "focused": true});
    let choices = w.autocomplete(MODERATOR, &["settings"], typed).await;
    assert!(
        choices.iter().any(|c| c["value"] == "Europe/Berlin"),
        "{choices:?}"
    );
    let typed = json!({"name": "id", "type": 4, "value": "", "focused": true});
    let choices = w
        .autocomplete(MODERATOR, &["schedule", "pause"], typed.clone())
        .await;
    assert_eq!(choices.len(), 1, "{choices:?}");
    assert_eq!(choices[0]["value"], 1);
    assert!(
        choices[0]["name"]
            .as_str()
            .unwrap()
            .contains("conversation")
    );
    // Not a moderator: no schedule ids offered.
    assert!(
        w.autocomplete(ALICE, &["schedule", "pause"], typed)
            .await
            .is_empty()
    );
    w.stop().await;
}
