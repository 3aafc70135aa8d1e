//! What the running process knows about itself, for `/healthz` and `/metrics`:
//! platform connections, the engine's last tick, send counts and latency, reactions.
//! Counts since start; totals over all time come from the database.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the send-latency histogram's buckets.
pub const LATENCY_BUCKETS: [f64; 9] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Debug, Default)]
pub struct Status {
    connected: Mutex<BTreeMap<&'static str, bool>>,
    engine_running: AtomicBool,
    last_tick: AtomicI64,
    pub sent: AtomicU64,
    pub retried: AtomicU64,
    pub failed: AtomicU64,
    pub reactions: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

/// A copy of the send-latency histogram: cumulative bucket counts, count, sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    pub buckets: Vec<(f64, u64)>,
    pub count: u64,
    pub sum_secs: f64,
}

impl Status {
    pub fn set_connected(&self, platform: &'static str, up: bool) {
        self.connected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(platform, up);
    }

    /// Each platform this process runs, and whether it is connected now.
    pub fn connections(&self) -> BTreeMap<&'static str, bool> {
        self.connected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn set_engine_running(&self, running: bool) {
        self.engine_running.store(running, Ordering::Relaxed);
    }

    pub fn engine_running(&self) -> bool {
        self.engine_running.load(Ordering::Relaxed)
    }

    pub fn ticked(&self, at_secs: i64) {
        self.last_tick.store(at_secs, Ordering::Relaxed);
    }

    /// When the engine last looked for due work (Unix seconds), 0 if never.
    pub fn last_tick(&self) -> i64 {
        self.last_tick.load(Ordering::Relaxed)
    }

    /// Records how long one post took on the platform.
    pub fn observe_send(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    pub fn latency(&self) -> Latency {
        Latency {
            buckets: LATENCY_BUCKETS
                .iter()
                .zip(&self.latency_buckets)
                .map(|(b, n)| (*b, n.load(Ordering::Relaxed)))
                .collect(),
            count: self.latency_count.load(Ordering::Relaxed),
            sum_secs: self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative() {
        let s = Status::default();
        s.observe_send(Duration::from_millis(30));
        s.observe_send(Duration::from_millis(700));
        s.observe_send(Duration::from_secs(60));
        let l = s.latency();
        assert_eq!(l.count, 3);
        assert_eq!(l.buckets[0], (0.05, 1));
        assert_eq!(l.buckets[4], (1.0, 2));
        assert_eq!(l.buckets[8], (30.0, 2));
        assert!((l.sum_secs - 60.73).abs() < 1e-6);
    }
}
