//! hearth: a chat bot that helps couples keep their relationship close.
//!
//! One core, thin adapters: [`commands`], [`engine`], [`catalog`] and [`schedule`]
//! know nothing of any chat platform; [`platform`] holds the adapters; all SQL lives
//! in [`store`].

pub mod answers;
pub mod app;
pub mod catalog;
pub mod checkin;
pub mod clock;
pub mod commands;
pub mod config;
pub mod digest;
pub mod domain;
pub mod engine;
pub mod error;
pub mod health;
pub mod platform;
pub mod reactions;
pub mod run;
pub mod schedule;
pub mod status;
pub mod store;
pub mod streak;

use std::sync::Arc;

use anyhow::Context;

pub use app::Hearth;

/// Opens the store and the catalog named by `config`, with the given clock.
pub async fn open(config: config::Config, clock: Arc<dyn clock::Clock>) -> anyhow::Result<Hearth> {
    let catalog = match &config.catalog_dir {
        Some(dir) => catalog::Catalog::load_dir(dir).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => catalog::Catalog::embedded().map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let store = store::Store::open(&config.database)
        .await
        .with_context(|| format!("while opening {}", config.database.display()))?;
    Ok(Hearth::new(
        store,
        Arc::new(catalog),
        clock,
        Arc::new(config),
    ))
}
