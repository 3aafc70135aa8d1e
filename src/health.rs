//! The optional health listener: `/healthz` (platforms, engine, database) and
//! `/metrics` (Prometheus text). Off by default; bound to 127.0.0.1 unless configured.

use std::fmt::Write as _;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use crate::app::Hearth;

/// Binds `addr` and serves until `stop` is cancelled.
pub async fn serve(h: Hearth, addr: SocketAddr, stop: CancellationToken) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("health listener: cannot listen on {addr}: {e}"))?;
    tracing::info!(%addr, "health listener up (/healthz, /metrics)");
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(h);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
        .map_err(|e| anyhow::anyhow!("health listener: {e}"))
}

/// 200 when every platform is connected, the engine runs and the database answers;
/// 503 otherwise. The body says which part is not well, as JSON.
async fn healthz(State(h): State<Hearth>) -> Response {
    let platforms = h.status.connections();
    let database = h.store.health().await.is_ok();
    let pending = h.store.pending_count().await.ok();
    let engine = h.status.engine_running();
    let ok = database && engine && platforms.values().all(|up| *up);
    let body = serde_json::json!({
        "status": if ok { "ok" } else { "degraded" },
        "platforms": platforms
            .iter()
            .map(|(k, up)| ((*k).to_string(), serde_json::Value::from(if *up { "connected" } else { "disconnected" })))
            .collect::<serde_json::Map<_, _>>(),
        "engine": {
            "running": engine,
            "last_tick": h.status.last_tick(),
            "pending_deliveries": pending,
        },
        "database": if database { "ok" } else { "failing" },
    });
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body)).into_response()
}

async fn metrics(State(h): State<Hearth>) -> Response {
    match render(&h).await {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response(),
        Err(e) => {
            tracing::error!(
                error = format!("{e:#}"),
                "metrics: cannot read the database"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// The metrics page in Prometheus' text format.
pub async fn render(h: &Hearth) -> anyhow::Result<String> {
    use std::sync::atomic::Ordering::Relaxed;
    let s = &h.status;
    let mut out = String::new();
    let by_state = h.store.deliveries_by_state().await?;
    out.push_str("# HELP hearth_deliveries Deliveries in the database, by state.\n");
    out.push_str("# TYPE hearth_deliveries gauge\n");
    for state in ["pending", "sending", "posted", "skipped", "failed"] {
        let n = by_state
            .iter()
            .find(|(k, _)| k == state)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "hearth_deliveries{{state=\"{state}\"}} {n}");
    }
    for (name, help, v) in [
        (
            "hearth_sends_total",
            "Prompts posted since start.",
            s.sent.load(Relaxed),
        ),
        (
            "hearth_send_retries_total",
            "Sends that failed for now and will be retried, since start.",
            s.retried.load(Relaxed),
        ),
        (
            "hearth_send_failures_total",
            "Sends given up for good, since start.",
            s.failed.load(Relaxed),
        ),
        (
            "hearth_reactions_recorded_total",
            "Reaction events stored, since start.",
            s.reactions.load(Relaxed),
        ),
    ] {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
        );
    }
    let reactions = h.store.active_reaction_count().await?;
    let _ = writeln!(
        out,
        "# HELP hearth_reactions Active reactions in the database.\n# TYPE hearth_reactions gauge\nhearth_reactions {reactions}"
    );
    let l = s.latency();
    out.push_str("# HELP hearth_send_latency_seconds Time to post one prompt on its platform.\n");
    out.push_str("# TYPE hearth_send_latency_seconds histogram\n");
    for (bound, n) in &l.buckets {
        let _ = writeln!(
            out,
            "hearth_send_latency_seconds_bucket{{le=\"{bound}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "hearth_send_latency_seconds_bucket{{le=\"+Inf\"}} {}",
        l.count
    );
    let _ = writeln!(out, "hearth_send_latency_seconds_sum {}", l.sum_secs);
    let _ = writeln!(out, "hearth_send_latency_seconds_count {}", l.count);
    out.push_str(
        "# HELP hearth_platform_connected Whether each platform is connected (1) or not (0).\n",
    );
    out.push_str("# TYPE hearth_platform_connected gauge\n");
    for (p, up) in s.connections() {
        let _ = writeln!(
            out,
            "hearth_platform_connected{{platform=\"{p}\"}} {}",
            u8::from(up)
        );
    }
    let _ = writeln!(
        out,
        "# HELP hearth_engine_last_tick_seconds When the engine last looked for due work (Unix time).\n# TYPE hearth_engine_last_tick_seconds gauge\nhearth_engine_last_tick_seconds {}",
        s.last_tick()
    );
    Ok(out)
}
