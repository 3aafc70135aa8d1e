//! hearth's own pace for Discord REST calls, under Discord's global limit of 50
//! requests per second per bot.
//!
//! serenity keeps each route's bucket from the `X-RateLimit-*` headers, but it does
//! not hold back before the global limit: it only waits once Discord has answered
//! 429. A fan-out to many channels is many routes, each with room to spare, that
//! together would cross the global limit. This spaces our requests evenly instead:
//! never two closer than `1 / rate`, so any one-second window holds at most `rate`.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Spaces calls evenly at a fixed rate, shared by every task that holds it.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pace {
    /// `per_second` calls a second at most; 0 means no pacing.
    pub fn per_second(per_second: u32) -> Pace {
        let interval = if per_second == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(1) / per_second
        };
        Pace {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this caller's turn.
    pub async fn turn(&self) {
        if self.interval.is_zero() {
            return;
        }
        let at = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn turns_are_spaced_evenly_and_never_bunch_up() {
        let pace = std::sync::Arc::new(Pace::per_second(50));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let p = pace.clone();
            tasks.push(tokio::spawn(async move {
                p.turn().await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap());
        }
        times.sort();
        for w in times.windows(2) {
            assert!(
                w[1] - w[0] >= Duration::from_millis(20),
                "{:?}",
                w[1] - w[0]
            );
        }
        // 100 turns at 50/s: the last is two seconds (less one interval) after the first.
        assert_eq!(*times.last().unwrap() - start, Duration::from_millis(1980));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_means_no_pacing() {
        let pace = Pace::per_second(0);
        let start = Instant::now();
        for _ in 0..1000 {
            pace.turn().await;
        }
        assert_eq!(Instant::now(), start);
    }
}
