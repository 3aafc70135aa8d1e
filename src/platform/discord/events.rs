//! Gateway events: slash commands and autocomplete, reactions, and reconciling
//! reactions after a (re)connect.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serenity::all::{
    AutocompleteChoice, CommandInteraction, Context, CreateAllowedMentions, CreateAttachment,
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage,
    EventHandler, GuildId, Interaction, Permissions, Reaction, ReactionType, Ready, ResumedEvent,
    RoleId, UserId,
};
use serenity::async_trait;

use super::buckets::Limiter;
use super::post::{channel_id, message_id};
use super::slash;
use super::words::mention_ids;
use crate::app::Hearth;
use crate::commands::{Ctx, Reply, handle, parse_words};
use crate::config::DiscordConfig;
use crate::domain::{Actor, ChannelRef, PlatformKind};
use crate::reactions::{ReactionEvent, on_reaction, on_reactions_cleared, reconcile};

/// Discord's limit on a message's length.
const MAX_CONTENT: usize = 2000;

pub struct Handler {
    pub(super) h: Hearth,
    pub(super) cfg: DiscordConfig,
    bot: OnceLock<UserId>,
    /// Shared with the platform: REST calls hearth makes on its own count against it.
    limits: Arc<Limiter>,
    /// Role names per guild, from GUILD_CREATE, for `moderator_roles`.
    roles: Mutex<HashMap<GuildId, HashMap<RoleId, String>>>,
}

impl Handler {
    pub fn new(h: Hearth, cfg: DiscordConfig, limits: Arc<Limiter>) -> Self {
        Self {
            h,
            cfg,
            bot: OnceLock::new(),
            limits,
            roles: Mutex::new(HashMap::new()),
        }
    }

    fn is_bot(&self, user: UserId) -> bool {
        self.bot.get() == Some(&user)
    }

    fn is_moderator(&self, cmd: &CommandInteraction) -> bool {
        let Some(member) = &cmd.member else {
            return false;
        };
        if member
            .permissions
            .is_some_and(|p| p.contains(Permissions::MANAGE_CHANNELS))
        {
            return true;
        }
        let Some(guild) = cmd.guild_id else {
            return false;
        };
        let roles = self.roles.lock().unwrap_or_else(|e| e.into_inner());
        let names = roles.get(&guild);
        member.roles.iter().any(|r| {
            names.and_then(|n| n.get(r)).is_some_and(|name| {
                self.cfg
                    .moderator_roles
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(name))
            })
        })
    }

    fn ctx_of(&self, cmd: &CommandInteraction) -> Ctx {
        let scope = cmd
            .guild_id
            .map_or_else(|| "dm".to_string(), |g| g.to_string());
        Ctx {
            channel: ChannelRef::new(PlatformKind::Discord, scope, cmd.channel_id.to_string()),
            actor: Actor {
                user: cmd.user.id.to_string(),
                display: cmd.user.name.clone(),
                is_moderator: self.is_moderator(cmd),
                is_bot: cmd.user.bot,
            },
        }
    }

    async fn command(&self, ctx: &Context, cmd: &CommandInteraction) {
        let words = slash::to_words(&cmd.data.options());
        let c = self.ctx_of(cmd);
        let reply = if cmd.guild_id.is_none() {
            Reply::error("hearth works in a server channel, not in direct messages.")
        } else {
            match parse_words(&words) {
                Ok(command) => handle(&self.h, &c, command).await,
                Err(e) => Reply::error(e.0),
            }
        };
        let mut msg = CreateInteractionResponseMessage::new()
            .ephemeral(reply.private)
            .allowed_mentions(CreateAllowedMentions::new());
        let text = mention_ids(&reply.text);
        if text.chars().count() > MAX_CONTENT {
            msg = msg
                .content("The answer is long, so it is attached as a file.")
                .add_file(CreateAttachment::bytes(text.into_bytes(), "hearth.txt"));
        } else {
            msg = msg.content(text);
        }
        if let Some(a) = reply.attachment {
            msg = msg.add_file(CreateAttachment::bytes(a.content, a.filename));
        }
        if let Err(e) = cmd
            .create_response(&ctx.http, CreateInteractionResponse::Message(msg))
            .await
        {
            tracing::warn!(error = %e, "could not answer a slash command");
        }
    }

    async fn autocomplete(&self, ctx: &Context, cmd: &CommandInteraction) {
        let Some(focused) = cmd.data.autocomplete() else {
            return;
        };
        let typed = focused.value.to_lowercase();
        let choices: Vec<AutocompleteChoice> = match focused.name {
            "timezone" => chrono_tz::TZ_VARIANTS
                .iter()
                .map(|t| t.name())
                .filter(|n| n.to_lowercase().contains(&typed))
                .take(25)
                .map(|n| AutocompleteChoice::new(n, n))
                .collect(),
            "id" => self.schedule_choices(cmd, &typed).await,
            _ => Vec::new(),
        };
        let resp = CreateInteractionResponse::Autocomplete(
            CreateAutocompleteResponse::new().set_choices(choices),
        );
        if let Err(e) = cmd.create_response(&ctx.http, resp).await {
            tracing::debug!(error = %e, "autocomplete answer failed");
        }
    }

    async fn schedule_choices(
        &self,
        cmd: &CommandInteraction,
        typed: &str,
    ) -> Vec<AutocompleteChoice> {
        let c = self.ctx_of(cmd);
        if !c.actor.is_moderator {
            return Vec::new();
        }
        let Ok(Some(couple)) = self.h.store.couple_in_channel(&c.channel).await else {
            return Vec::new();
        };
        let Ok(list) = self.h.store.schedules_of_couple(couple.id).await else {
            return Vec::new();
        };
        list.into_iter()
            .map(|s| (s.id, format!("#{} {} · {}", s.id, s.kind, s.spec)))
            .filter(|(_, label)| label.to_lowercase().contains(typed))
            .take(25)
            .map(|(id, label)| AutocompleteChoice::new(label, id))
            .collect()
    }

    async fn reaction(&self, r: &Reaction, added: bool) {
        let Some(user) = r.user_id else { return };
        let ev = ReactionEvent {
            platform: PlatformKind::Discord,
            message_id: r.message_id.to_string(),
            user: user.to_string(),
            emoji: emoji_text(&r.emoji),
            added,
            by_bot: self.is_bot(user),
            platform_ref: None,
        };
        if let Err(e) = on_reaction(&self.h, &ev).await {
            tracing::error!(error = format!("{e:#}"), "could not store a reaction");
        }
    }

    /// Compares recent prompts' reactions on Discord with the store and fixes the store.
    async fn reconcile_recent(&self, ctx: &Context) {
        let hours = i64::from(self.cfg.reconcile_hours);
        let recent = crate::reactions::to_reconcile(&self.h, PlatformKind::Discord, hours).await;
        let bot = self.bot.get().map(ToString::to_string).unwrap_or_default();
        for p in recent {
            let c = ChannelRef::new(PlatformKind::Discord, "", p.channel.clone());
            let (Ok(channel), Some(mid)) = (channel_id(&c), message_id(&p.message_id)) else {
                continue;
            };
            self.limits.pace().turn().await;
            let msg = match ctx.http.get_message(channel, mid).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::debug!(delivery = p.delivery_id, error = %e, "reconcile: message not readable");
                    continue;
                }
            };
            let mut present = Vec::new();
            for r in &msg.reactions {
                let mut after = None;
                loop {
                    self.limits.pace().turn().await;
                    let users = match ctx
                        .http
                        .get_reaction_users(channel, mid, &r.reaction_type, 100, after)
                        .await
                    {
                        Ok(u) => u,
                        Err(e) => {
                            tracing::warn!(error = %e, "reconcile: cannot list reaction users");
                            break;
                        }
                    };
                    let n = users.len();
                    after = users.last().map(|u| u.id.get());
                    present.extend(
                        users
                            .into_iter()
                            .map(|u| (u.id.to_string(), emoji_text(&r.reaction_type), None)),
                    );
                    if n < 100 {
                        break;
                    }
                }
            }
            if let Err(e) = reconcile(
                &self.h,
                PlatformKind::Discord,
                &p.message_id,
                &present,
                &bot,
            )
            .await
            {
                tracing::error!(error = format!("{e:#}"), "reconcile failed");
            }
        }
    }

    async fn register_commands(&self, ctx: &Context) {
        let def = slash::definition();
        if self.cfg.guild_ids.is_empty() {
            if let Err(e) = serenity::all::Command::set_global_commands(&ctx.http, vec![def]).await
            {
                tracing::error!(error = %e, "could not register the global /hearth command");
            }
        } else {
            for g in &self.cfg.guild_ids {
                if let Err(e) = GuildId::new(*g)
                    .set_commands(&ctx.http, vec![def.clone()])
                    .await
                {
                    tracing::error!(guild = g, error = %e, "could not register /hearth in a guild");
                }
            }
        }
    }
}

/// Unicode emoji as themselves, custom emoji as `<:name:id>`.
fn emoji_text(e: &ReactionType) -> String {
    match e {
        ReactionType::Unicode(s) => s.clone(),
        other => other.to_string(),
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.bot.set(ready.user.id);
        self.h.status.set_connected("discord", true);
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
        self.register_commands(&ctx).await;
        self.reconcile_recent(&ctx).await;
    }

    async fn resume(&self, ctx: Context, _: ResumedEvent) {
        self.h.status.set_connected("discord", true);
        tracing::info!("Discord session resumed");
        self.reconcile_recent(&ctx).await;
    }

    async fn guild_create(
        &self,
        _ctx: Context,
        guild: serenity::all::Guild,
        _is_new: Option<bool>,
    ) {
        let names = guild
            .roles
            .iter()
            .map(|(id, r)| (*id, r.name.clone()))
            .collect();
        self.roles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(guild.id, names);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(cmd) => self.command(&ctx, &cmd).await,
            Interaction::Autocomplete(cmd) => self.autocomplete(&ctx, &cmd).await,
            Interaction::Component(c) => self.answer_click(&ctx, &c).await,
            Interaction::Modal(m) => self.answer_submit(&ctx, &m).await,
            _ => {}
        }
    }

    async fn reaction_add(&self, _ctx: Context, r: Reaction) {
        self.reaction(&r, true).await;
    }

    async fn reaction_remove(&self, _ctx: Context, r: Reaction) {
        self.reaction(&r, false).await;
    }

    async fn reaction_remove_all(
        &self,
        _ctx: Context,
        _channel: serenity::all::ChannelId,
        msg: serenity::all::MessageId,
    ) {
        if let Err(e) =
            on_reactions_cleared(&self.h, PlatformKind::Discord, &msg.to_string(), None).await
        {
            tracing::error!(error = format!("{e:#}"), "could not clear reactions");
        }
    }

    async fn reaction_remove_emoji(&self, _ctx: Context, r: Reaction) {
        self.emoji_cleared(&r.message_id.to_string(), &emoji_text(&r.emoji))
            .await;
    }
}

impl Handler {
    async fn emoji_cleared(&self, message_id: &str, emoji: &str) {
        if let Err(e) =
            on_reactions_cleared(&self.h, PlatformKind::Discord, message_id, Some(emoji)).await
        {
            tracing::error!(error = format!("{e:#}"), "could not clear reactions");
        }
    }
}

/// Catches events serenity could not parse. Discord sends MESSAGE_REACTION_REMOVE_EMOJI
/// without the `burst` and `type` fields serenity 0.12 requires, so it arrives here
/// as `Unknown` instead of reaching [`Handler`]; it is handled all the same.
pub struct RawHandler(pub std::sync::Arc<Handler>);

#[async_trait]
impl serenity::all::RawEventHandler for RawHandler {
    async fn raw_event(&self, _ctx: Context, ev: serenity::all::Event) {
        if let serenity::all::Event::Unknown(u) = ev {
            if u.kind == "MESSAGE_REACTION_REMOVE_EMOJI" {
                let msg = u.value["message_id"].as_str().unwrap_or_default();
                let emoji = match (
                    u.value["emoji"]["id"].as_str(),
                    u.value["emoji"]["name"].as_str(),
                ) {
                    (None, Some(name)) => name.to_string(),
                    (Some(id), name) => format!("<:{}:{id}>", name.unwrap_or("_")),
                    (None, None) => return,
                };
                self.0.emoji_cleared(msg, &emoji).await;
            } else {
                tracing::debug!(event = %u.kind, "Discord event serenity could not read");
            }
        }
    }
}
