//! Discord end to end: the real adapter and the unmodified serenity client, started
//! as `hearth run` starts them, against the wire-level fake on 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as ChronoDuration;
use hearth::Hearth;
use hearth::clock::ManualClock;
use hearth::config::{Config, Secret};
use hearth::run::{Tokens, serve};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::support::app::utc;
use crate::support::discord_fake::fixtures::{
    self as fx, CHANNEL_ID, GUILD_ID, MANAGE_CHANNELS, MOD_ROLE_ID,
};
use crate::support::discord_fake::{FakeDiscord, Fault, Route};

const MODERATOR: &str = "970000000000000001";
const KEEPER: &str = "970000000000000002";
const ALICE: &str = "970000000000000011";
const SAM: &str = "970000000000000012";

fn members() -> Vec<Value> {
    vec![
        fx::member(MODERATOR, "mo", MANAGE_CHANNELS, &[]),
        fx::member(KEEPER, "kee", "0", &[MOD_ROLE_ID]),
        fx::member(ALICE, "alice", "0", &[]),
        fx::member(SAM, "sam", "0", &[]),
    ]
}

struct World {
    fake: FakeDiscord,
    h: Hearth,
    clock: Arc<ManualClock>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
    next_interaction: u64,
}

impl World {
    async fn start() -> World {
        let fake = FakeDiscord::start(members()).await;
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::defaults_in(dir.path());
        cfg.discord.enabled = true;
        cfg.discord.rest_proxy = Some(fake.rest_base());
        cfg.discord.guild_ids = vec![GUILD_ID.parse().unwrap()];
        cfg.discord.moderator_roles = vec!["hearth keepers".into()];
        let clock = Arc::new(ManualClock::new(utc(2026, 6, 1, 12, 0)));
        let h = hearth::open(cfg, clock.clone()).await.unwrap();
        let stop = CancellationToken::new();
        let tokens = Tokens {
            discord: Some(Secret::new("fake-bot-token")),
            ..Tokens::default()
        };
        let task = tokio::spawn(serve(h.clone(), tokens, stop.clone()));
        fake.wait_for("the bot identifies", 20, |f| f.identify_count() >= 1)
            .await;
        fake.wait_for("/hearth is registered", 20, |f| !f.commands().is_empty())
            .await;
        World {
            fake,
            h,
            clock,
            stop,
            task,
            _dir: dir,
            next_interaction: 0,
        }
    }

    /// Invokes `/hearth <path…> options` as `who`; returns the interaction response.
    async fn slash(&mut self, who: &str, path: &[&str], options: Vec<Value>) -> Value {
        self.next_interaction += 1;
        let id = format!("99{:016}", self.next_interaction);
        let member = members()
            .into_iter()
            .find(|m| m["user"]["id"] == who)
            .unwrap();
        let users: Vec<Value> = members().iter().map(|m| m["user"].clone()).collect();
        let mut opts = options;
        for (i, name) in path.iter().enumerate().rev() {
            let kind = if i == path.len() - 1 { 1 } else { 2 };
            opts = vec![fx::sub(name, kind, opts)];
        }
        self.fake.dispatch(
            "INTERACTION_CREATE",
            fx::command_interaction(&id, "tok", member, opts, &users, 2),
        );
        let key = id.clone();
        self.fake
            .wait_for("an interaction response", 20, |f| {
                f.interaction_responses().iter().any(|(i, _)| *i == key)
            })
            .await;
        self.fake
            .interaction_responses()
            .into_iter()
            .find(|(i, _)| *i == id)
            .unwrap()
            .1
    }

    /// Sends an autocomplete interaction with `focused` being typed; returns the choices.
    async fn autocomplete(&mut self, who: &str, path: &[&str], focused: Value) -> Vec<Value> {
        self.next_interaction += 1;
        let id = format!("98{:016}", self.next_interaction);
        let member = members()
            .into_iter()
            .find(|m| m["user"]["id"] == who)
            .unwrap();
        let mut opts = vec![focused];
        for (i, name) in path.iter().enumerate().rev() {
            let kind = if i == path.len() - 1 { 1 } else { 2 };
            opts = vec![fx::sub(name, kind, opts)];
        }
        self.fake.dispatch(
            "INTERACTION_CREATE",
            fx::command_interaction(&id, "tok", member, opts, &[], 4),
        );
        let key = id.clone();
        self.fake
            .wait_for("an autocomplete answer", 20, |f| {
                f.interaction_responses().iter().any(|(i, _)| *i == key)
            })
            .await;
        let r = self
            .fake
            .interaction_responses()
            .into_iter()
            .find(|(i, _)| *i == id)
            .unwrap()
            .1;
        assert_eq!(r["type"], 8, "{r}");
        r["data"]["choices"].as_array().cloned().unwrap_or_default()
    }

    async fn set_up_couple_and_schedule(&mut self) {
        let r = self
            .slash(
                MODERATOR,
                &["couple", "add"],
                vec![
                    fx::opt("member1", 6, json!(ALICE)),
                    fx::opt("member2", 6, json!(SAM)),
                    fx::opt("timezone", 3, json!("UTC")),
                ],
            )
            .await;
        assert!(content(&r).contains("Registered"), "{r}");
        let r = self
            .slash(
                MODERATOR,
                &["schedule", "add"],
                vec![
                    fx::opt("kind", 3, json!("conversation")),
                    fx::opt("when", 3, json!("daily 20:00")),
                ],
            )
            .await;
        assert!(content(&r).contains("Schedule #1"), "{r}");
    }

    fn at(&self, t: chrono::DateTime<chrono::Utc>) {
        self.clock.set(t);
        self.h.nudge();
    }

    fn prompts_posted(&self) -> Vec<Value> {
        self.fake
            .messages_in(CHANNEL_ID)
            .into_iter()
            .filter(|m| m["embeds"].as_array().is_some_and(|e| !e.is_empty()))
            .collect()
    }

    async fn post_first_prompt(&mut self) -> String {
        self.set_up_couple_and_schedule().await;
        self.at(utc(2026, 6, 1, 20, 0));
        self.fake
            .wait_for("the prompt is posted", 20, |f| {
                !f.messages_in(CHANNEL_ID).is_empty()
            })
            .await;
        let id = self.prompts_posted()[0]["id"].as_str().unwrap().to_string();
        let h = self.h.clone();
        wait_db("the delivery is recorded", || {
            let h = h.clone();
            async move {
                h.store.deliveries_of_schedule(1).await.unwrap()
                    == vec![(utc(2026, 6, 1, 20, 0).timestamp(), "posted".into())]
            }
        })
        .await;
        id
    }

    async fn stop(self) {
        self.stop.cancel();
        let r = tokio::time::timeout(Duration::from_secs(20), self.task).await;
        assert!(matches!(r, Ok(Ok(Ok(())))), "clean shutdown: {r:?}");
    }
}

fn content(r: &Value) -> String {
    r["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn ephemeral(r: &Value) -> bool {
    r["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

async fn wait_db<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1000 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[test]
fn every_fixture_deserialises_into_serenity_types() {
    use serenity::model::prelude::*;
    let mut m = fx::member(ALICE, "alice", "0", &[]);
    m["guild_id"] = json!(GUILD_ID);
    serde_json::from_value::<Member>(m).expect("member");
    serde_json::from_value::<User>(fx::user(ALICE, "alice", false)).expect("user");
    serde_json::from_value::<Guild>(fx::guild(&members())).expect("guild");
    serde_json::from_value::<Ready>(fx::ready("s", "ws://127.0.0.1:1/ws")).expect("ready");
    let msg = fx::message(
        "981",
        CHANNEL_ID,
        fx::user(fx::BOT_ID, "hearth", true),
        "",
        json!([]),
        Some("hearth-1"),
    );
    serde_json::from_value::<Message>(msg).expect("message");
    serde_json::from_value::<GuildChannel>(fx::thread("982", CHANNEL_ID, "t")).expect("thread");
    serde_json::from_value::<Reaction>(fx::reaction_event("981", ALICE, "❤️", true))
        .expect("reaction");
    serde_json::from_value::<MessageReaction>(fx::reaction_count("❤️", 2, true))
        .expect("reaction count");
    let users: Vec<Value> = members().iter().map(|x| x["user"].clone()).collect();
    let i = fx::command_interaction(
        "1",
        "t",
        fx::member(ALICE, "alice", "0", &[]),
        vec![fx::sub("stats", 1, vec![])],
        &users,
        2,
    );
    let parsed = serde_json::from_value::<Interaction>(i).expect("interaction");
    assert!(matches!(parsed, Interaction::Command(_)));
    let cmds = fx::registered_commands(
        &json!([serde_json::to_value(hearth::platform::discord::slash::definition()).unwrap()]),
        Some(GUILD_ID),
    );
    serde_json::from_value::<Vec<Command>>(cmds).expect("registered commands");
    // As gateway frames: none of these may become Event::Unknown (a silent drop).
    for (t, d) in [
        ("READY", fx::ready("s", "ws://127.0.0.1:1/ws")),
        ("GUILD_CREATE", fx::guild(&members())),
        (
            "MESSAGE_REACTION_ADD",
            fx::reaction_event("981", ALICE, "❤️", true),
        ),
        (
            "MESSAGE_REACTION_REMOVE",
            fx::reaction_event("981", ALICE, "❤️", false),
        ),
        (
            "MESSAGE_REACTION_REMOVE_ALL",
            fx::reaction_remove_all("981"),
        ),
        (
            "INTERACTION_CREATE",
            fx::command_interaction(
                "1",
                "t",
                fx::member(ALICE, "a", "0", &[]),
                vec![fx::sub("stats", 1, vec![])],
                &users,
                2,
            ),
        ),
    ] {
        let frame = json!({"op": 0, "t": t, "s": 1, "d": d});
        let ev: serenity::model::event::GatewayEvent =
            serde_json::from_value(frame).unwrap_or_else(|e| panic!("{t}: {e}"));
        match ev {
            serenity::model::event::GatewayEvent::Dispatch(_, e) => {
                assert!(!matches!(e, Event::Unknown(_)), "{t} became Unknown")
            }
            _ => panic!("{t} is not a dispatch"),
        }
    }
    // Discord's MESSAGE_REACTION_REMOVE_EMOJI lacks fields serenity 0.12 requires: it
    // arrives as Unknown, which the adapter's raw handler covers (tested end to end).
    let frame = json!({"op": 0, "t": "MESSAGE_REACTION_REMOVE_EMOJI", "s": 1, "d": fx::reaction_remove_emoji("981", "❤️")});
    let ev: serenity::model::event::GatewayEvent = serde_json::from_value(frame).unwrap();
    assert!(matches!(
        ev,
        serenity::model::event::GatewayEvent::Dispatch(_, Event::Unknown(_))
    ));
}

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
