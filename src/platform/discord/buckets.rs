//! Discord's per-route rate limits, learned from the `X-RateLimit-*` headers of
//! hearth's own calls.
//!
//! serenity has a limiter of its own, but it is off behind `rest_proxy`, and it lets
//! several calls to one bucket run at once. Here each bucket (a route and its
//! channel) takes one call at a time: it waits while the bucket is spent, takes its
//! turn at the global [`Pace`], and updates the bucket from the answer's headers. A
//! 429 empties the bucket for the time Discord asks (or a second).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serenity::all::{Http, Request};
use tokio::time::Instant;

use super::pace::Pace;

#[derive(Debug, Default)]
struct Bucket {
    remaining: Option<u64>,
    reset_at: Option<Instant>,
}

/// The buckets hearth has seen, and the global pace, for one bot.
#[derive(Debug)]
pub struct Limiter {
    pace: Arc<Pace>,
    buckets: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Bucket>>>>,
}

fn header<T: std::str::FromStr>(r: &reqwest::Response, name: &str) -> Option<T> {
    r.headers().get(name)?.to_str().ok()?.parse().ok()
}

impl Limiter {
    pub fn new(pace: Arc<Pace>) -> Limiter {
        Limiter {
            pace,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn pace(&self) -> &Pace {
        &self.pace
    }

    fn bucket(&self, key: &str) -> Arc<tokio::sync::Mutex<Bucket>> {
        let mut map = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key.to_string()).or_default().clone()
    }

    /// Runs one call in bucket `key`: waits its turn, sends, learns from the answer.
    pub async fn call<F, Fut>(&self, key: &str, send: F) -> serenity::Result<reqwest::Response>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = serenity::Result<reqwest::Response>>,
    {
        let bucket = self.bucket(key);
        let mut b = bucket.lock().await;
        if b.remaining == Some(0)
            && let Some(at) = b.reset_at
            && at > Instant::now()
        {
            tracing::debug!(
                bucket = key,
                wait_ms = (at - Instant::now()).as_millis() as u64,
                "waiting for a rate-limit bucket"
            );
            tokio::time::sleep_until(at).await;
        }
        self.pace.turn().await;
        let result = send().await;
        let now = Instant::now();
        match &result {
            Ok(r) => {
                b.remaining = header(r, "x-ratelimit-remaining");
                b.reset_at = header::<f64>(r, "x-ratelimit-reset-after")
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| now + Duration::from_secs_f64(s.min(3600.0)));
            }
            Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(e)))
                if e.status_code.as_u16() == 429 =>
            {
                b.remaining = Some(0);
                b.reset_at = Some(now + Duration::from_secs(1));
            }
            Err(_) => {}
        }
        result
    }

    /// [`call`](Self::call) with a serenity request, answered by its JSON body.
    pub async fn json<T: serde::de::DeserializeOwned>(
        &self,
        http: &Http,
        key: &str,
        request: Request<'_>,
    ) -> serenity::Result<T> {
        let r = self.call(key, || http.request(request)).await?;
        let bytes = r.bytes().await.map_err(serenity::Error::from)?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// [`call`](Self::call) with a serenity request whose answer has no body.
    pub async fn empty(
        &self,
        http: &Http,
        key: &str,
        request: Request<'_>,
    ) -> serenity::Result<()> {
        self.call(key, || http.request(request)).await.map(|_| ())
    }
}
