//! The weekly digest on Discord: an embed (room for more than a message's 2,000
//! characters) with the check-in chart uploaded as its image. Where the bot may not
//! attach files (403), or the upload is refused, the digest goes out again without
//! the picture and with the chart as text: the same nonce, so at most one lands.

use serenity::all::{
    CreateAllowedMentions, CreateAttachment, CreateEmbed, CreateEmbedFooter, CreateMessage,
    LightMethod, Message, Multipart, MultipartUpload, Nonce, Request, Route,
};

use super::post::{DiscordPlatform, channel_id, classify};
use crate::platform::{OutboundDigest, SendError};

/// Discord's longest embed description.
const MAX_DESCRIPTION: usize = 4096;

/// The digest as a message; `with_chart`: the embed shows the uploaded chart,
/// otherwise the chart is in the text.
pub fn digest_message(d: &OutboundDigest, with_chart: bool) -> CreateMessage {
    let (title, body) = d
        .text
        .split_once('\n')
        .unwrap_or(("🫶 Your week together", d.text.as_str()));
    let mut description = body.to_string();
    if !with_chart && let Some(s) = &d.sparkline {
        // Monospace keeps the weeks of both lines aligned.
        let (head, lines) = s.split_once('\n').unwrap_or(("", s.as_str()));
        description.push_str(&format!("\n{head}\n```\n{lines}\n```"));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        description = description.chars().take(MAX_DESCRIPTION - 1).collect();
        description.push('…');
    }
    let mut embed = CreateEmbed::new()
        .title(title)
        .description(description)
        .footer(CreateEmbedFooter::new(&d.key));
    if with_chart {
        embed = embed.image(format!("attachment://{}", OutboundDigest::CHART_FILE));
    }
    CreateMessage::new()
        .embed(embed)
        .nonce(Nonce::String(d.key.clone()))
        .enforce_nonce(true)
        .allowed_mentions(CreateAllowedMentions::new())
}

impl DiscordPlatform {
    pub(super) async fn send_digest(
        &self,
        d: &OutboundDigest,
    ) -> Result<Option<String>, SendError> {
        let channel = channel_id(&d.channel)?;
        if let Some(png) = &d.chart {
            let msg = digest_message(d, true);
            let payload = serde_json::to_string(&msg).map_err(|e| SendError::Permanent {
                reason: format!("cannot encode the digest: {e}"),
            })?;
            let req = Request::new(
                Route::ChannelMessages {
                    channel_id: channel,
                },
                LightMethod::Post,
            )
            .multipart(Some(Multipart {
                upload: MultipartUpload::Attachments(vec![CreateAttachment::bytes(
                    png.clone(),
                    OutboundDigest::CHART_FILE,
                )]),
                fields: vec![],
                payload_json: Some(payload),
            }));
            let sent: serenity::Result<Message> = self
                .limiter()
                .json(self.http(), &format!("messages:{channel}"), req)
                .await;
            match sent.map_err(classify) {
                Ok(m) => return Ok(Some(m.id.to_string())),
                Err(SendError::Permanent { reason }) => {
                    tracing::warn!(digest = d.digest_id, %reason, "the chart could not be attached; posting the digest with the chart as text");
                }
                Err(transient) => return Err(transient),
            }
        }
        let msg = digest_message(d, false);
        let m = self.create_message(channel, &msg).await.map_err(classify)?;
        Ok(Some(m.id.to_string()))
    }
}
