//! Posting prompts to Discord, and finding a prompt that was posted before a crash.

use async_trait::async_trait;
use serenity::all::{
    ChannelId, CreateAllowedMentions, CreateEmbed, CreateEmbedFooter, CreateMessage, CreateThread,
    Http, LightMethod, Message, MessageId, Nonce, ReactionType, Request, Route,
};
use std::sync::Arc;
use tokio::sync::OnceCell;

use super::buckets::Limiter;
use crate::domain::{ChannelRef, PlatformKind};
use crate::platform::{OutboundDigest, OutboundPrompt, OutboundReveal, Platform, SendError};

/// How many recent messages are searched for a delivery's key.
const SCAN_LIMIT: u8 = 50;

/// The engine's view of Discord: REST calls through serenity's `Http`.
pub struct DiscordPlatform {
    http: Arc<Http>,
    limits: Arc<Limiter>,
    /// The bot's own user id, asked once.
    me: OnceCell<serenity::all::UserId>,
}

impl DiscordPlatform {
    pub fn new(http: Arc<Http>, limits: Arc<Limiter>) -> Self {
        Self {
            http,
            limits,
            me: OnceCell::new(),
        }
    }

    pub(super) fn http(&self) -> &Http {
        &self.http
    }

    pub(super) fn limiter(&self) -> &Limiter {
        &self.limits
    }

    /// Creates a message through the channel's message bucket.
    pub(super) async fn create_message(
        &self,
        channel: ChannelId,
        msg: &CreateMessage,
    ) -> serenity::Result<Message> {
        let body = serde_json::to_vec(msg)?;
        let req = Request::new(
            Route::ChannelMessages {
                channel_id: channel,
            },
            LightMethod::Post,
        )
        .body(Some(body));
        self.limits
            .json(&self.http, &format!("messages:{channel}"), req)
            .await
    }
}

pub(super) fn channel_id(c: &ChannelRef) -> Result<ChannelId, SendError> {
    c.channel
        .parse::<u64>()
        .ok()
        .filter(|n| *n != 0)
        .map(ChannelId::new)
        .ok_or_else(|| SendError::Permanent {
            reason: format!("'{}' is not a Discord channel id", c.channel),
        })
}

/// Sorts serenity's errors into "try again" and "will not work until fixed".
pub(super) fn classify(e: serenity::Error) -> SendError {
    use serenity::http::HttpError;
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            let reason = format!("Discord answered {status}: {}", r.error.message);
            match status {
                403 => SendError::Permanent {
                    reason: format!("hearth lacks permission here ({})", r.error.message),
                },
                404 => SendError::Permanent {
                    reason: format!("the channel or message is gone ({})", r.error.message),
                },
                408 | 429 | 500..=599 => SendError::Transient {
                    reason,
                    retry_after: None,
                },
                _ => SendError::Permanent { reason },
            }
        }
        other => SendError::Transient {
            reason: format!("Discord request failed: {other}"),
            retry_after: None,
        },
    }
}

fn title(p: &OutboundPrompt) -> String {
    let kind = p
        .kind
        .parse::<crate::catalog::tags::Kind>()
        .map_or("💬", |k| k.emoji());
    format!(
        "{kind} {} · {}",
        capitalise(&p.kind),
        p.practice.replace('-', " ")
    )
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

#[async_trait]
impl Platform for DiscordPlatform {
    fn kind(&self) -> PlatformKind {
        PlatformKind::Discord
    }

    async fn post_prompt(&self, p: &OutboundPrompt) -> Result<String, SendError> {
        let channel = channel_id(&p.channel)?;
        let mut embed = CreateEmbed::new()
            .title(title(p))
            .description(&p.text)
            .footer(CreateEmbedFooter::new(&p.key));
        if let Some(f) = &p.follow_up {
            embed = embed.field("Then", f, false);
        }
        if let Some(a) = &p.apart {
            embed = embed.field("Apart today?", a, false);
        }
        let mut msg = CreateMessage::new()
            .embed(embed)
            .nonce(Nonce::String(p.key.clone()))
            .enforce_nonce(true)
            .allowed_mentions(CreateAllowedMentions::new());
        if crate::answers::takes_answers(&p.kind) {
            msg = msg.components(vec![super::answer::answer_button(p.delivery_id)]);
        }
        let posted = self.create_message(channel, &msg).await.map_err(classify)?;
        // The prompt is out; a failed pre-reaction or thread is logged, never a reason
        // to post again.
        for emoji in &p.reactions {
            let data = ReactionType::Unicode(emoji.clone()).as_data();
            let req = Request::new(
                Route::ChannelMessageReactionMe {
                    channel_id: channel,
                    message_id: posted.id,
                    reaction: &data,
                },
                LightMethod::Put,
            );
            let key = format!("reactions:{channel}");
            if let Err(e) = self.limits.empty(&self.http, &key, req).await {
                tracing::warn!(delivery = p.delivery_id, error = %e, "could not pre-add a reaction");
            }
        }
        if p.thread {
            let t = CreateThread::new("Talk about it here")
                .auto_archive_duration(serenity::all::AutoArchiveDuration::OneDay);
            self.limits.pace().turn().await;
            if let Err(e) = channel
                .create_thread_from_message(&self.http, posted.id, t)
                .await
            {
                tracing::warn!(delivery = p.delivery_id, error = %e, "could not open a thread");
            }
        }
        Ok(posted.id.to_string())
    }

    async fn find_posted(&self, c: &ChannelRef, key: &str) -> Result<Option<String>, SendError> {
        let channel = channel_id(c)?;
        let me = *self
            .me
            .get_or_try_init(|| async {
                self.limits.pace().turn().await;
                self.http.get_current_user().await.map(|u| u.id)
            })
            .await
            .map_err(classify)?;
        let req = Request::new(
            Route::ChannelMessages {
                channel_id: channel,
            },
            LightMethod::Get,
        )
        .params(Some(vec![("limit", SCAN_LIMIT.to_string())]));
        let recent: Vec<Message> = self
            .limits
            .json(&self.http, &format!("messages-read:{channel}"), req)
            .await
            .map_err(classify)?;
        Ok(recent
            .iter()
            .find(|m| {
                m.author.id == me
                    && m.embeds
                        .iter()
                        .any(|e| e.footer.as_ref().is_some_and(|f| f.text == key))
            })
            .map(|m| m.id.to_string()))
    }

    async fn send_notice(&self, c: &ChannelRef, text: &str) -> Result<(), SendError> {
        let channel = channel_id(c)?;
        let msg = CreateMessage::new()
            .content(text)
            .allowed_mentions(CreateAllowedMentions::new());
        self.create_message(channel, &msg).await.map_err(classify)?;
        Ok(())
    }

    /// `<@id>` shows the member's name; embeds and empty allowed mentions ping nobody.
    fn mention(&self, user: &str) -> String {
        format!("<@{user}>")
    }

    async fn post_digest(&self, d: &OutboundDigest) -> Result<Option<String>, SendError> {
        self.send_digest(d).await
    }

    async fn post_reveal(&self, r: &OutboundReveal) -> Result<Option<String>, SendError> {
        // A thread started from a message has that message's id.
        let target = match &r.thread_root {
            Some(root) => ChannelRef::new(PlatformKind::Discord, "", root.clone()),
            None => r.channel.clone(),
        };
        let msg = super::answer::reveal_message(r);
        let posted = match self.create_message(channel_id(&target)?, &msg).await {
            // The thread could not be opened, or was deleted: the channel will do.
            Err(e) if r.thread_root.is_some() => match classify(e) {
                SendError::Permanent { reason } => {
                    tracing::warn!(delivery = r.delivery_id, %reason, "the prompt's thread is not there; revealing in the channel");
                    self.create_message(channel_id(&r.channel)?, &msg).await
                }
                transient => return Err(transient),
            },
            other => other,
        };
        Ok(Some(posted.map_err(classify)?.id.to_string()))
    }
}

pub(super) fn message_id(s: &str) -> Option<MessageId> {
    s.parse::<u64>()
        .ok()
        .filter(|n| *n != 0)
        .map(MessageId::new)
}
