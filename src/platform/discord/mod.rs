//! The Discord adapter on serenity: `/hearth` slash commands, reactions on posted
//! prompts, and the [`Platform`](crate::platform::Platform) the engine posts through.
//!
//! Gateway intents are only GUILDS and GUILD_MESSAGE_REACTIONS (no privileged ones).

mod answer;
// The weekly digest, with the check-in chart attached.
pub mod buckets;
mod digest;
mod events;
pub mod pace;
mod post;
pub mod slash;
mod words;

use std::sync::Arc;
use std::time::Duration;

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

/// Builds the serenity client and the platform the engine posts through. With
/// `rest_proxy`, requests go to that proxy and serenity's own rate limiter is off, as
/// shared rate-limiting proxies expect. Either way hearth keeps its own calls within
/// the per-route buckets Discord announces ([`buckets::Limiter`]) and under the
/// global limit ([`pace::Pace`]), and gives up on a call after `request_timeout_secs`.
pub async fn client(
    h: Hearth,
    cfg: &DiscordConfig,
    token: &Secret,
) -> anyhow::Result<(Client, DiscordPlatform)> {
    let reqwest = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(Duration::from_secs(cfg.request_timeout_secs))
        .connect_timeout(Duration::from_secs(cfg.request_timeout_secs.min(10)))
        .build()
        .map_err(|e| anyhow::anyhow!("could not set up the HTTP client: {e}"))?;
    let mut http = HttpBuilder::new(token.expose()).client(reqwest);
    let base = |s: &str| s.trim().trim_end_matches('/').to_string();
    if let Some(proxy) = cfg.rest_proxy.as_deref().filter(|p| !p.trim().is_empty()) {
        http = http.proxy(base(proxy)).ratelimiter_disabled(true);
    }
    let limits = Arc::new(buckets::Limiter::new(Arc::new(pace::Pace::per_second(
        cfg.max_requests_per_second,
    ))));
    let handler = Arc::new(Handler::new(h, cfg.clone(), limits.clone()));
    let client = serenity::client::ClientBuilder::new_with_http(http.build(), intents())
        .event_handler_arc(handler.clone())
        .raw_event_handler(RawHandler(handler))
        .await
        .map_err(|e| anyhow::anyhow!("could not set up the Discord client: {e}"))?;
    let platform = DiscordPlatform::new(client.http.clone(), limits);
    Ok((client, platform))
}
