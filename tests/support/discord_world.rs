//! The Discord test world: the real adapter started as `hearth run` starts it, against the fake.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use hearth::Hearth;
use hearth::clock::ManualClock;
use hearth::config::{Config, Secret};
use hearth::run::{Tokens, serve};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::app::utc;
use super::discord_fake::FakeDiscord;
use super::discord_fake::fixtures::{
    self as fx, CHANNEL_ID, GUILD_ID, MANAGE_CHANNELS, MOD_ROLE_ID,
};

pub const MODERATOR: &str = "970000000000000001";
pub const KEEPER: &str = "970000000000000002";
pub const ALICE: &str = "970000000000000011";
pub const SAM: &str = "970000000000000012";

pub fn members() -> Vec<Value> {
    vec![
        fx::member(MODERATOR, "mo", MANAGE_CHANNELS, &[]),
        fx::member(KEEPER, "kee", "0", &[MOD_ROLE_ID]),
        fx::member(ALICE, "alice", "0", &[]),
        fx::member(SAM, "sam", "0", &[]),
    ]
}

pub struct World {
    pub fake: FakeDiscord,
    pub h: Hearth,
    pub clock: Arc<ManualClock>,
    pub stop: CancellationToken,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
    pub _dir: tempfile::TempDir,
    pub next_interaction: u64,
}

impl World {
    pub async fn start() -> World {
        Self::start_with(|_, _| {}).await
    }

    /// Like [`start`](Self::start), with the fake and the config adjusted first.
    pub async fn start_with(edit: impl FnOnce(&FakeDiscord, &mut Config)) -> World {
        let fake = FakeDiscord::start(members()).await;
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::defaults_in(dir.path());
        cfg.discord.enabled = true;
        cfg.discord.rest_proxy = Some(fake.rest_base());
        cfg.discord.guild_ids = vec![GUILD_ID.parse().unwrap()];
        cfg.discord.moderator_roles = vec!["hearth keepers".into()];
        edit(&fake, &mut cfg);
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
    pub async fn slash(&mut self, who: &str, path: &[&str], options: Vec<Value>) -> Value {
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
    pub async fn autocomplete(&mut self, who: &str, path: &[&str], focused: Value) -> Vec<Value> {
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

    /// Sends an interaction built by `make(id, member)` as `who`; returns its response.
    async fn interact(&mut self, who: &str, make: impl FnOnce(&str, Value) -> Value) -> Value {
        self.next_interaction += 1;
        let id = format!("97{:016}", self.next_interaction);
        let member = members()
            .into_iter()
            .find(|m| m["user"]["id"] == who)
            .unwrap();
        self.fake.dispatch("INTERACTION_CREATE", make(&id, member));
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

    /// `who` clicks the button `custom_id` on `message` (as posted); returns the response.
    pub async fn click(&mut self, who: &str, message: &Value, custom_id: &str) -> Value {
        let message = message.clone();
        self.interact(who, |id, member| {
            fx::component_interaction(id, "tok", member, message, custom_id)
        })
        .await
    }

    /// `who` submits the form `custom_id` with `value` in its field `field`.
    pub async fn submit(&mut self, who: &str, custom_id: &str, field: &str, value: &str) -> Value {
        self.interact(who, |id, member| {
            fx::modal_submit(id, "tok", member, custom_id, field, value)
        })
        .await
    }

    pub async fn set_up_couple_and_schedule(&mut self) {
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

    pub fn at(&self, t: chrono::DateTime<chrono::Utc>) {
        self.clock.set(t);
        self.h.nudge();
    }

    pub fn prompts_posted(&self) -> Vec<Value> {
        self.fake
            .messages_in(CHANNEL_ID)
            .into_iter()
            .filter(|m| m["embeds"].as_array().is_some_and(|e| !e.is_empty()))
            .collect()
    }

    pub async fn post_first_prompt(&mut self) -> String {
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

    pub async fn stop(self) {
        self.stop.cancel();
        let r = tokio::time::timeout(Duration::from_secs(20), self.task).await;
        assert!(matches!(r, Ok(Ok(Ok(())))), "clean shutdown: {r:?}");
    }
}

pub fn content(r: &Value) -> String {
    r["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn ephemeral(r: &Value) -> bool {
    r["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

pub async fn wait_db<F, Fut>(what: &str, mut check: F)
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

/// Registers `n` couples (alice & sam) in channels `first`, `first + 1`, …, each with
/// a conversation schedule `spec` in UTC, as a moderator would.
pub async fn seed_couples(h: &Hearth, first: u64, n: u64, spec: &str) {
    use hearth::commands::{Ctx, handle, parse_words};
    use hearth::domain::{Actor, ChannelRef, PlatformKind};
    for i in 0..n {
        let ctx = Ctx {
            channel: ChannelRef::new(PlatformKind::Discord, GUILD_ID, (first + i).to_string()),
            actor: Actor::moderator("mod"),
        };
        for line in [
            vec!["couple", "add", ALICE, SAM, "UTC"],
            vec!["schedule", "add", "conversation", spec],
        ] {
            let words: Vec<String> = line.iter().map(|s| (*s).to_string()).collect();
            let r = handle(h, &ctx, parse_words(&words).unwrap()).await;
            assert!(!r.is_error, "{}", r.text);
        }
    }
}

/// The delivery key in a posted prompt's embed footer.
pub fn footer(m: &Value) -> Option<String> {
    m["embeds"][0]["footer"]["text"]
        .as_str()
        .map(str::to_string)
}
