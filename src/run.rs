//! `hearth run`: the adapters enabled in the config and the engine, until a signal.

use std::sync::Arc;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::app::{Hearth, shutdown_signal};
use crate::clock::SystemClock;
use crate::config::{Config, Secret};
use crate::engine::Engine;
use crate::platform::Platforms;

/// The secrets of the enabled platforms.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    pub discord: Option<Secret>,
    /// Needed only for the first Matrix login; later starts restore the saved session.
    pub matrix_password: Option<Secret>,
    /// Or an access token, for the first start.
    pub matrix_access_token: Option<Secret>,
}

impl Tokens {
    /// Reads each enabled platform's secret from the environment variable its config names.
    pub fn from_env(cfg: &Config) -> anyhow::Result<Tokens> {
        let mut t = Tokens::default();
        if cfg.discord.enabled {
            t.discord = Some(
                Secret::from_env(&cfg.discord.token_env)
                    .map_err(|e| anyhow::anyhow!("discord: {e}"))?,
            );
        }
        if cfg.matrix.enabled {
            t.matrix_password = Secret::from_env(&cfg.matrix.password_env).ok();
            t.matrix_access_token = Secret::from_env(&cfg.matrix.access_token_env).ok();
        }
        Ok(t)
    }
}

/// `hearth run`: opens the store, reads secrets from the environment, serves until
/// Ctrl-C or SIGTERM.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    if !cfg.discord.enabled && !cfg.matrix.enabled {
        anyhow::bail!(
            "no chat platform is enabled in the config ([discord] or [matrix] enabled = true). To try hearth locally, run `hearth shell`."
        );
    }
    let tokens = Tokens::from_env(&cfg)?;
    let h = crate::open(cfg, Arc::new(SystemClock)).await?;
    let result = serve(h.clone(), tokens, CancellationToken::new()).await;
    h.store.close().await;
    result
}

/// Runs the enabled adapters and the engine until `stop` is cancelled, Ctrl-C or
/// SIGTERM. Sends under way finish; what is not yet sent stays pending.
pub async fn serve(h: Hearth, tokens: Tokens, stop: CancellationToken) -> anyhow::Result<()> {
    let cfg = h.config.clone();
    let mut platforms = Platforms::new();
    let mut tasks = tokio::task::JoinSet::new();

    if cfg.health.enabled {
        let (h2, addr, s) = (h.clone(), cfg.health.listen, stop.clone());
        tasks.spawn(async move { crate::health::serve(h2, addr, s).await });
    }

    if cfg.discord.enabled {
        h.status.set_connected("discord", false);
        let token = tokens
            .discord
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("discord: no token"))?;
        let (mut client, platform) =
            crate::platform::discord::client(h.clone(), &cfg.discord, token).await?;
        platforms = platforms.with(Arc::new(platform));
        let shards = client.shard_manager.clone();
        {
            // The health listener's view of the gateway: every shard connected.
            let (shards, status, s) = (shards.clone(), h.status.clone(), stop.clone());
            tasks.spawn(async move {
                loop {
                    let up = {
                        let runners = shards.runners.lock().await;
                        !runners.is_empty()
                            && runners
                                .values()
                                .all(|r| r.stage == serenity::gateway::ConnectionStage::Connected)
                    };
                    status.set_connected("discord", up);
                    tokio::select! {
                        () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                        () = s.cancelled() => return Ok(()),
                    }
                }
            });
        }
        let s = stop.clone();
        tasks.spawn(async move {
            tokio::select! {
                r = client.start() => r.context("the Discord connection ended"),
                () = s.cancelled() => {
                    shards.shutdown_all().await;
                    Ok(())
                }
            }
        });
    }

    if cfg.matrix.enabled {
        h.status.set_connected("matrix", false);
        let client = crate::platform::matrix::client(&h, &cfg.matrix, &tokens).await?;
        let (ready, ready_rx) = tokio::sync::watch::channel(false);
        platforms = platforms.with(Arc::new(
            crate::platform::matrix::MatrixPlatform::new(
                client.clone(),
                cfg.matrix.notice,
                ready_rx,
            )
            .with_forwarding(h.clone()),
        ));
        let (h2, mcfg, s) = (h.clone(), cfg.matrix.clone(), stop.clone());
        tasks
            .spawn(async move { crate::platform::matrix::serve(h2, mcfg, client, ready, s).await });
    }

    let engine = Arc::new(Engine::new(h.clone(), platforms));
    {
        let (engine, s) = (engine.clone(), stop.clone());
        tasks.spawn(async move {
            engine.run(s).await;
            Ok(())
        });
    }
    let result = tokio::select! {
        () = shutdown_signal() => Ok(()),
        () = stop.cancelled() => Ok(()),
        Some(r) = tasks.join_next() => r.map_err(anyhow::Error::from).and_then(|r| r),
    };
    stop.cancel();
    while let Some(r) = tasks.join_next().await {
        if let Ok(Err(e)) = r {
            tracing::warn!(error = format!("{e:#}"), "while stopping");
        }
    }
    tracing::info!("hearth stopped");
    result
}
