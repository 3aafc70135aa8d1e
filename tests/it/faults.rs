//! The Discord fake enforces Discord's limits and fails a seeded 20 % of message
//! creates with 500, 502, 429 or a timeout; every delivery still lands exactly once,
//! and hearth never goes over a limit the fake announces.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Duration as ChronoDuration;

use crate::support::app::utc;
use crate::support::discord_world::{World, footer, seed_couples};

const COUPLES: u64 = 120;
const FIRST_CHANNEL: u64 = 950_000_000_000_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_faults_and_enforced_limits_still_give_exactly_one_post_each() {
    let w = World::start_with(|fake, cfg| {
        fake.enforce_discord_limits();
        fake.random_faults(20_261_130, 0.20, Duration::from_secs(3));
        cfg.discord.request_timeout_secs = 1;
        cfg.engine.backoff_base_secs = 5;
        cfg.engine.backoff_max_secs = 20;
        cfg.engine.max_attempts = 50;
        // Below the default 49: the fake counts requests as they arrive, and this test
        // shares two cores with the rest of the suite, so arrivals can bunch by tens of
        // milliseconds. The default itself is measured at full rate by the fan-out
        // bench (`cargo bench --bench fanout`).
        cfg.discord.max_requests_per_second = 45;
    })
    .await;
    seed_couples(&w.h, FIRST_CHANNEL, COUPLES, "daily 20:00").await;

    // The slot comes; the manual clock then moves on in 10-second steps so that
    // backed-off retries come due, while real time lets the fake's limits work.
    let mut t = utc(2026, 6, 1, 20, 0);
    w.at(t);
    let mut all_posted = false;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (posted, total) = w.h.store.posted_of_all().await.unwrap();
        if total == COUPLES as i64 && posted == total {
            all_posted = true;
            break;
        }
        t += ChronoDuration::seconds(10);
        w.at(t);
    }
    // Let a stray repeat show itself before judging.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(all_posted, "not every delivery was posted");

    let injected = w.fake.injected();
    for kind in ["500", "502", "429", "timeout"] {
        assert!(
            injected.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} was injected: {injected:?}"
        );
    }
    let all = w.fake.all_messages();
    let mut keys = HashSet::new();
    for i in 0..COUPLES {
        let ch = (FIRST_CHANNEL + i).to_string();
        let prompts: Vec<String> = all
            .get(&ch)
            .map(|v| v.iter().filter_map(footer).collect())
            .unwrap_or_default();
        assert_eq!(prompts.len(), 1, "channel {ch}: {prompts:?}");
        assert!(keys.insert(prompts[0].clone()), "{} twice", prompts[0]);
    }
    let over = w.fake.violations();
    assert!(
        over.is_empty(),
        "{} requests over a limit, first: {:?}",
        over.len(),
        &over[..over.len().min(5)]
    );
    // Printed, not asserted: the fake's own windows (what Discord enforces) are the
    // judge above; a sliding one-second window can see one more by network jitter.
    let busiest = w.fake.busiest_second();
    println!("injected {injected:?}; busiest second {busiest} requests");
    w.stop().await;
}
