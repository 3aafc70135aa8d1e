//! The shared context every part of the core works with.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::config::Config;
use crate::reactions::ingest::ReactionIngest;
use crate::store::Store;

/// Store, catalog, clock and config, plus the bell that wakes the engine when a
/// schedule or a delivery changes. Cheap to clone.
#[derive(Clone)]
pub struct Hearth {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub wake: Arc<Notify>,
    /// What this process knows about itself, for the health listener.
    pub status: Arc<crate::status::Status>,
    /// The queue every reaction event is written through, a batch per transaction.
    pub reactions: Arc<ReactionIngest>,
}

impl Hearth {
    pub fn new(
        store: Store,
        catalog: Arc<Catalog>,
        clock: Arc<dyn Clock>,
        config: Arc<Config>,
    ) -> Self {
        let wake = Arc::new(Notify::new());
        let status: Arc<crate::status::Status> = Arc::default();
        let reactions = Arc::new(ReactionIngest::new(
            store.clone(),
            clock.clone(),
            &config,
            status.clone(),
            wake.clone(),
        ));
        Self {
            store,
            catalog,
            clock,
            config,
            wake,
            status,
            reactions,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn now_secs(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// Tells the engine something changed (a schedule, an on-demand prompt).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }
}

/// Resolves on Ctrl-C or SIGTERM: the signal for a graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing sends under way");
}
