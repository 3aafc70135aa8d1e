//! The optional health listener: `/healthz` follows the Discord connection and the
//! engine; `/metrics` counts what was posted and reacted, in Prometheus' format.

use std::time::Duration;

use crate::support::discord_fake::fixtures as fx;
use crate::support::discord_world::{ALICE, World};
use crate::support::synapse::http_get;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn get(port: u16, path: &str) -> (u16, String) {
    let raw = http_get(port, path).await.unwrap_or_default();
    let code = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (code, body)
}

async fn until(port: u16, path: &str, what: &str, check: impl Fn(u16, &str) -> bool) -> String {
    for _ in 0..300 {
        let (code, body) = get(port, path).await;
        if check(code, &body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (code, body) = get(port, path).await;
    panic!("timed out waiting for {what}; last answer {code}: {body}");
}

fn metric(body: &str, name: &str) -> Option<f64> {
    body.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_follow_what_happens() {
    let port = free_port();
    let mut w = World::start_with(|_, cfg| {
        cfg.health.enabled = true;
        cfg.health.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    })
    .await;
    let body = until(port, "/healthz", "healthy", |c, _| c == 200).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "ok", "{v}");
    assert_eq!(v["platforms"]["discord"], "connected", "{v}");
    assert_eq!(v["engine"]["running"], true, "{v}");
    assert_eq!(v["database"], "ok", "{v}");

    let msg = w.post_first_prompt().await;
    w.fake.dispatch(
        "MESSAGE_REACTION_ADD",
        fx::reaction_event(&msg, ALICE, "❤️", true),
    );
    let m = until(port, "/metrics", "a reaction counted", |_, b| {
        metric(b, "hearth_reactions_recorded_total") == Some(1.0)
    })
    .await;
    assert_eq!(
        metric(&m, "hearth_deliveries{state=\"posted\"}"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        metric(&m, "hearth_deliveries{state=\"pending\"}"),
        Some(0.0),
        "{m}"
    );
    assert_eq!(metric(&m, "hearth_sends_total"), Some(1.0), "{m}");
    assert_eq!(
        metric(&m, "hearth_send_latency_seconds_count"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(metric(&m, "hearth_reactions"), Some(1.0), "{m}");
    assert_eq!(
        metric(&m, "hearth_platform_connected{platform=\"discord\"}"),
        Some(1.0),
        "{m}"
    );
    assert!(
        m.contains("# TYPE hearth_send_latency_seconds histogram"),
        "{m}"
    );

    // The gateway goes away: degraded, and back to ok when it returns.
    w.fake.drop_gateway();
    let body = until(port, "/healthz", "degraded", |c, _| c == 503).await;
    assert!(body.contains("\"discord\":\"disconnected\""), "{body}");
    w.fake.restore_gateway();
    until(port, "/healthz", "healthy again", |c, _| c == 200).await;
    w.stop().await;
}

#[test]
fn the_listener_is_off_and_on_loopback_by_default_and_bad_addresses_are_refused() {
    let dir = std::path::Path::new("/tmp");
    let cfg = hearth::config::Config::parse("", "hearth.toml", dir).unwrap();
    assert!(!cfg.health.enabled);
    assert!(cfg.health.listen.ip().is_loopback());
    let e = hearth::config::Config::parse(
        "[health]\nenabled = true\nlisten = \"everywhere\"\n",
        "hearth.toml",
        dir,
    )
    .unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.to_string().contains("health.listen"), "{e}");
}
