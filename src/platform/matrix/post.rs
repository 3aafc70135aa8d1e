//! Posting prompts to Matrix rooms, and finding one posted before a crash.

use async_trait::async_trait;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId, RoomId, UInt};
use matrix_sdk::{Client, Room};
use serde_json::json;

use crate::domain::{ChannelRef, PlatformKind};
use crate::platform::{OutboundDigest, OutboundPrompt, OutboundReveal, Platform, SendError};

/// The content field that carries a delivery's key.
pub const DELIVERY_FIELD: &str = "org.hearth.delivery";
/// How many recent events are searched for a delivery's key.
const SCAN: u32 = 50;

/// How long a send waits for the first sync before giving up for now.
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

pub struct MatrixPlatform {
    client: Client,
    notice: bool,
    /// True once the first sync is done: until then the client does not know which
    /// rooms hearth is in, and a send must not conclude it left one.
    ready: tokio::sync::watch::Receiver<bool>,
    /// Where to read a couple's members from, to forward conversation and appreciation prompts to
    /// each of them in a direct chat (for private answers).
    forward: Option<crate::app::Hearth>,
}

impl MatrixPlatform {
    pub fn new(client: Client, notice: bool, ready: tokio::sync::watch::Receiver<bool>) -> Self {
        Self {
            client,
            notice,
            ready,
            forward: None,
        }
    }

    /// Forwards each conversation and appreciation prompt to every member of the couple in a direct
    /// chat with hearth (opened, encrypted, the first time), where they answer.
    pub fn with_forwarding(mut self, h: crate::app::Hearth) -> Self {
        self.forward = Some(h);
        self
    }

    /// Whether hearth posts as notices (`m.notice`) rather than plain messages.
    pub(super) fn notice(&self) -> bool {
        self.notice
    }

    pub(super) async fn room(&self, c: &ChannelRef) -> Result<Room, SendError> {
        let mut ready = self.ready.clone();
        match tokio::time::timeout(READY_WAIT, ready.wait_for(|r| *r)).await {
            Ok(Ok(_)) => {}
            _ => {
                return Err(SendError::Transient {
                    reason: "the Matrix client has not caught up with the homeserver yet".into(),
                    retry_after: None,
                });
            }
        }
        let id = <&RoomId>::try_from(c.channel.as_str()).map_err(|_| SendError::Permanent {
            reason: format!("'{}' is not a Matrix room id", c.channel),
        })?;
        match self.client.get_room(id) {
            Some(r) if r.state() == matrix_sdk::RoomState::Joined => Ok(r),
            _ => Err(SendError::Permanent {
                reason: "hearth is not in this room any more".into(),
            }),
        }
    }
}

/// Sorts the SDK's errors into "try again" and "will not work until fixed".
pub(super) fn classify(e: matrix_sdk::Error) -> SendError {
    use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};
    if let Some(kind) = e.client_api_error_kind() {
        match kind {
            ErrorKind::LimitExceeded(l) => {
                // Without a delay (or with a date instead), Synapse's default pace for
                // messages: one every five seconds.
                let retry_after = match l.retry_after {
                    Some(RetryAfter::Delay(d)) => d,
                    _ => std::time::Duration::from_secs(5),
                };
                return SendError::Transient {
                    reason: "the homeserver is rate-limiting us".into(),
                    retry_after: Some(retry_after),
                };
            }
            ErrorKind::Forbidden | ErrorKind::NotFound => {
                return SendError::Permanent {
                    reason: format!("the homeserver refused: {e}"),
                };
            }
            _ => {}
        }
    }
    SendError::Transient {
        reason: format!("Matrix request failed: {e}"),
        retry_after: None,
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[async_trait]
impl Platform for MatrixPlatform {
    fn kind(&self) -> PlatformKind {
        PlatformKind::Matrix
    }

    async fn post_prompt(&self, p: &OutboundPrompt) -> Result<String, SendError> {
        let room = self.room(&p.channel).await?;
        let heading = format!("{} · {}", p.kind, p.practice.replace('-', " "));
        let mut plain = format!("{heading}\n{}", p.text);
        let mut html = format!(
            "<p><em>{}</em></p><p><strong>{}</strong></p>",
            html_escape(&heading),
            html_escape(&p.text)
        );
        if let Some(f) = &p.follow_up {
            plain.push_str(&format!("\nThen: {f}"));
            html.push_str(&format!("<p>Then: {}</p>", html_escape(f)));
        }
        if let Some(a) = &p.apart {
            plain.push_str(&format!("\nApart today? {a}"));
            html.push_str(&format!("<p>Apart today? {}</p>", html_escape(a)));
        }
        let content = json!({
            "msgtype": if self.notice { "m.notice" } else { "m.text" },
            "body": plain,
            "format": "org.matrix.custom.html",
            "formatted_body": html,
            DELIVERY_FIELD: p.key,
        });
        let event = send_keyed(&room, content, format!("{}-prompt", p.key))
            .await
            .map_err(classify)?;
        if p.thread {
            // A first message in a thread rooted at the prompt, where the couple can answer.
            let root = event.to_string();
            let starter = json!({
                "msgtype": "m.notice",
                "body": "Answers here 🧵",
                "m.relates_to": {
                    "rel_type": "m.thread",
                    "event_id": root,
                    "is_falling_back": true,
                    "m.in_reply_to": {"event_id": root},
                },
            });
            if let Err(e) = send_keyed(&room, starter, format!("{}-thread", p.key)).await {
                tracing::warn!(delivery = p.delivery_id, error = %e, "could not open a thread");
            }
        }
        for emoji in &p.reactions {
            let r = ReactionEventContent::new(Annotation::new(event.clone(), emoji.clone()));
            if let Err(e) = room.send(r).with_request_config(send_config()).await {
                tracing::warn!(delivery = p.delivery_id, error = %e, "could not pre-add a reaction");
            }
        }
        if crate::answers::takes_answers(&p.kind)
            && let Some(h) = &self.forward
        {
            super::answer::forward_prompt(h, &self.client, p).await;
        }
        Ok(event.to_string())
    }

    async fn find_posted(&self, c: &ChannelRef, key: &str) -> Result<Option<String>, SendError> {
        let room = self.room(c).await?;
        let me = self
            .client
            .user_id()
            .map(ToString::to_string)
            .unwrap_or_default();
        let mut opts = MessagesOptions::backward();
        opts.limit = UInt::from(SCAN);
        let msgs = room.messages(opts).await.map_err(classify)?;
        for ev in msgs.chunk {
            let Ok(v) = ev.raw().deserialize_as::<serde_json::Value>() else {
                continue;
            };
            if v["sender"] == me.as_str() && v["content"][DELIVERY_FIELD] == key {
                let id: Option<OwnedEventId> =
                    v["event_id"].as_str().and_then(|s| s.try_into().ok());
                return Ok(id.map(|i| i.to_string()));
            }
        }
        Ok(None)
    }

    async fn send_notice(&self, c: &ChannelRef, text: &str) -> Result<(), SendError> {
        let room = self.room(c).await?;
        room.send_raw(
            "m.room.message",
            json!({"msgtype": "m.notice", "body": text}),
        )
        .with_request_config(send_config())
        .await
        .map_err(classify)?;
        Ok(())
    }

    async fn post_digest(&self, d: &OutboundDigest) -> Result<Option<String>, SendError> {
        self.send_digest(d).await
    }

    async fn post_reveal(&self, r: &OutboundReveal) -> Result<Option<String>, SendError> {
        let room = self.room(&r.channel).await?;
        let mut content = json!({
            "msgtype": if self.notice { "m.notice" } else { "m.text" },
            "body": r.plain_text(str::to_string),
            DELIVERY_FIELD: r.key,
        });
        if let Some(root) = &r.thread_root {
            content["m.relates_to"] = json!({
                "rel_type": "m.thread",
                "event_id": root,
                "is_falling_back": true,
                "m.in_reply_to": {"event_id": root},
            });
        }
        let event = send_keyed(&room, content, r.key.clone())
            .await
            .map_err(classify)?;
        Ok(Some(event.to_string()))
    }
}

/// Sends an `m.room.message` whose transaction id is `txn` (derived from a delivery's
/// or digest's key), so a retry the homeserver already saw is not posted twice.
/// Returns the event id.
pub(super) async fn send_keyed(
    room: &Room,
    content: serde_json::Value,
    txn: String,
) -> Result<OwnedEventId, matrix_sdk::Error> {
    let txn: OwnedTransactionId = txn.into();
    let sent = room
        .send_raw("m.room.message", content)
        .with_transaction_id(&txn)
        .with_request_config(send_config())
        .await?;
    Ok(sent.response.event_id)
}

/// Sends give up after a few tries instead of matrix-sdk's default of retrying for
/// as long as the homeserver is unreachable: the engine then records the failure and
/// retries on its own schedule, and one unreachable homeserver cannot hold up a tick.
pub(super) fn send_config() -> matrix_sdk::config::RequestConfig {
    matrix_sdk::config::RequestConfig::new()
        .retry_limit(2)
        .max_retry_time(std::time::Duration::from_secs(30))
}
