//! The Discord adapter on serenity: `/hearth` slash commands, reactions on posted
//! prompts, and the [`Platform`](crate::platform::Platform) the engine posts through.
//!
//! Gateway intents are only GUILDS and GUILD_MESSAGE_REACTIONS (no privileged ones).

mod events;
mod post;
pub mod slash;

use serenity::Client;
use serenity::all::{GatewayIntents, HttpBuilder};

pub use events::{Handler, RawHandler};
pub use post::DiscordPlatform;

use crate::app::Hearth;
use crate::config::{DiscordConfig, Secret};

/// The intents hearth asks for.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGE_REACTIONS
}

/// Builds the serenity client. With `rest_proxy`, requests go to that proxy and
/// serenity's own rate limiter is off, as shared rate-limiting proxies expect.
pub async fn client(h: Hearth, cfg: &DiscordConfig, token: &Secret) -> anyhow::Result<Client> {
    let mut http = HttpBuilder::new(token.expose());
    if let Some(proxy) = cfg.rest_proxy.as_deref().filter(|p| !p.trim().is_empty()) {
        http = http
            .proxy(proxy.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let handler = std::sync::Arc::new(Handler::new(h, cfg.clone()));
    let client = serenity::client::ClientBuilder::new_with_http(http.build(), intents())
        .event_handler_arc(handler.clone())
        .raw_event_handler(RawHandler(handler))
        .await
        .map_err(|e| anyhow::anyhow!("could not set up the Discord client: {e}"))?;
    Ok(client)
}
