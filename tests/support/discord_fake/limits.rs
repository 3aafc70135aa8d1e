//! Discord's rate limits and seeded random failures, as middleware in front of every
//! REST route.
//!
//! Limits, when switched on, work the way Discord documents them: a global limit of
//! requests per second per bot (interaction callbacks exempt), and per-route buckets
//! keyed by route and channel, each announced on every answer in `X-RateLimit-Limit`,
//! `-Remaining`, `-Reset-After` and `-Bucket`. A request over a limit gets a 429 with
//! Discord's body and headers and is recorded as a violation.
//!
//! Random faults answer a seeded share of message creates with 500, 502, 429 (with
//! retry-after) or a timeout: the message is created but the answer comes too late.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State as Ax};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::time::Instant;

use super::State;

/// One per-route bucket rule: `limit` requests per `per` for each channel.
#[derive(Debug, Clone, Copy)]
struct Rule {
    name: &'static str,
    limit: u32,
    per: Duration,
}

/// Discord's published limits, as far as hearth's calls meet them.
#[derive(Debug)]
pub struct Limits {
    pub global_per_second: u32,
    global_window: (Instant, u32),
    buckets: HashMap<(&'static str, String), (Instant, u32)>,
}

impl Limits {
    pub fn discord() -> Limits {
        Limits {
            global_per_second: 50,
            global_window: (Instant::now(), 0),
            buckets: HashMap::new(),
        }
    }
}

/// Seeded faults on message creates.
#[derive(Debug)]
pub struct RandomFaults {
    /// Share of creates that fail, 0.0–1.0.
    pub share: f64,
    state: u64,
    /// How long a "timeout" answer is held back (longer than the client waits).
    pub hang: Duration,
    pub injected: HashMap<&'static str, u32>,
}

impl RandomFaults {
    pub fn new(seed: u64, share: f64, hang: Duration) -> RandomFaults {
        RandomFaults {
            share,
            state: seed.max(1),
            hang,
            injected: HashMap::new(),
        }
    }

    /// xorshift64*: a small, reproducible stream.
    fn next(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn roll(&mut self) -> Option<&'static str> {
        let r = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        if r >= self.share {
            return None;
        }
        let kind = ["500", "502", "429", "timeout"][(self.next() % 4) as usize];
        *self.injected.entry(kind).or_default() += 1;
        Some(kind)
    }
}

/// Which bucket a request falls in, and the channel it is keyed by.
fn rule_for(method: &Method, path: &str) -> Option<(Rule, String)> {
    let rest = path.strip_prefix("/api/v10/channels/")?;
    let mut parts = rest.split('/');
    let channel = parts.next()?.to_string();
    let tail: Vec<&str> = parts.collect();
    let rule = match (method.as_str(), tail.as_slice()) {
        ("POST", ["messages"]) => Rule {
            name: "create-message",
            limit: 5,
            per: Duration::from_secs(5),
        },
        ("PUT", ["messages", _, "reactions", _, "@me"]) => Rule {
            name: "create-reaction",
            limit: 1,
            per: Duration::from_millis(250),
        },
        ("GET", ["messages"]) => Rule {
            name: "get-messages",
            limit: 5,
            per: Duration::from_secs(5),
        },
        ("GET", _) => Rule {
            name: "channel-read",
            limit: 5,
            per: Duration::from_secs(1),
        },
        _ => Rule {
            name: "channel-other",
            limit: 5,
            per: Duration::from_secs(5),
        },
    };
    Some((rule, channel))
}

fn too_many(retry_after: f64, global: bool, bucket: &str, limit: u32) -> Response {
    let body = json!({
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": global,
        "code": 0
    });
    let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    set(h, "retry-after", format!("{}", retry_after.ceil() as u64));
    set(h, "x-ratelimit-limit", limit.to_string());
    set(h, "x-ratelimit-remaining", "0".into());
    set(h, "x-ratelimit-reset-after", format!("{retry_after:.3}"));
    set(h, "x-ratelimit-bucket", bucket.to_string());
    set(
        h,
        "x-ratelimit-scope",
        if global { "global" } else { "user" }.into(),
    );
    if global {
        set(h, "x-ratelimit-global", "true".into());
    }
    r
}

/// What the limits say about one request: go ahead (with the headers to announce),
/// or a 429.
enum Verdict {
    Go(Option<(String, u32, u32, f64)>),
    Refuse(Response),
}

fn judge(st: &mut State, method: &Method, path: &str, now: Instant) -> Verdict {
    let Some(limits) = st.limits.as_mut() else {
        return Verdict::Go(None);
    };
    // Interaction callbacks are not bound by the global limit.
    if !path.starts_with("/api/v10/interactions/") {
        let (start, count) = &mut limits.global_window;
        if now.duration_since(*start) >= Duration::from_secs(1) {
            *start = now;
            *count = 0;
        }
        if *count >= limits.global_per_second {
            let retry = (*start + Duration::from_secs(1))
                .saturating_duration_since(now)
                .as_secs_f64();
            st.violations.push(format!("global limit: {method} {path}"));
            return Verdict::Refuse(too_many(retry, true, "global", limits.global_per_second));
        }
        *count += 1;
    }
    let Some((rule, channel)) = rule_for(method, path) else {
        return Verdict::Go(None);
    };
    let (start, count) = limits
        .buckets
        .entry((rule.name, channel.clone()))
        .or_insert((now, 0));
    if now.duration_since(*start) >= rule.per {
        *start = now;
        *count = 0;
    }
    let reset = (*start + rule.per)
        .saturating_duration_since(now)
        .as_secs_f64();
    let bucket = format!("{}-{channel}", rule.name);
    if *count >= rule.limit {
        st.violations
            .push(format!("route limit {}: {method} {path}", rule.name));
        return Verdict::Refuse(too_many(reset, false, &bucket, rule.limit));
    }
    *count += 1;
    Verdict::Go(Some((bucket, rule.limit, rule.limit - *count, reset)))
}

fn injected(kind: &str) -> Response {
    match kind {
        "429" => too_many(0.3, false, "create-message", 5),
        code => {
            let status = code
                .parse::<u16>()
                .ok()
                .and_then(|c| StatusCode::from_u16(c).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                Json(json!({"message": "Internal Server Error", "code": 0})),
            )
                .into_response()
        }
    }
}

/// The middleware: arrivals are timed, limits judged, faults rolled.
pub(super) async fn layer(
    Ax(st): Ax<Arc<Mutex<State>>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let now = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let is_rest = path.starts_with("/api/");
    let (verdict, fault, hang, hold) = {
        let mut s = st.lock().unwrap();
        if is_rest && !path.starts_with("/api/v10/interactions/") {
            s.arrivals.push(now);
        }
        let verdict = if is_rest {
            judge(&mut s, &method, &path, now)
        } else {
            Verdict::Go(None)
        };
        let is_create = method == Method::POST
            && path.starts_with("/api/v10/channels/")
            && path.ends_with("/messages");
        let mut fault = None;
        let mut hang = Duration::ZERO;
        if is_create
            && matches!(verdict, Verdict::Go(_))
            && let Some(r) = s.random.as_mut()
        {
            fault = r.roll();
            hang = r.hang;
        }
        let mut hold = None;
        if is_create && matches!(verdict, Verdict::Go(_)) {
            s.creates_seen += 1;
            if let Some((after, d)) = s.hold_after
                && s.creates_seen > after
            {
                hold = Some(d);
            }
        }
        (verdict, fault, hang, hold)
    };
    let announce = match verdict {
        Verdict::Refuse(r) => return r,
        Verdict::Go(a) => a,
    };
    match fault {
        Some("timeout") => {
            // Done, but the answer comes after the client has given up.
            let r = next.run(req).await;
            tokio::time::sleep(hang).await;
            return r;
        }
        Some(kind) => return injected(kind),
        None => {}
    }
    if let Some(d) = hold {
        // Done, but the answer is held back: what a crash between send and record sees.
        let r = next.run(req).await;
        st.lock().unwrap().held += 1;
        tokio::time::sleep(d).await;
        st.lock().unwrap().held -= 1;
        return r;
    }
    let mut r = next.run(req).await;
    if let Some((bucket, limit, remaining, reset)) = announce {
        let h = r.headers_mut();
        for (k, v) in [
            ("x-ratelimit-limit", limit.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset-after", format!("{reset:.3}")),
            ("x-ratelimit-bucket", bucket),
        ] {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(k, v);
            }
        }
    }
    r
}
