//! Prompt choice through the engine: no repeat within a cycle, depth respected,
//! balance over a year.

use std::collections::{BTreeMap, HashSet};

use chrono::Duration;
use hearth::catalog::tags::{Depth, Kind};

use crate::support::app::{TestApp, utc};

async fn daily_ids(app: &TestApp, days: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..days {
        let next = app
            .hearth
            .store
            .earliest_slot(r#"["discord"]"#)
            .await
            .unwrap()
            .unwrap();
        app.set(chrono::DateTime::from_timestamp(next, 0).unwrap());
        let r = app.tick().await;
        assert_eq!(r.posted, 1);
    }
    let catalog = &app.hearth.catalog;
    for p in app.fake.posts() {
        let found = catalog
            .prompts()
            .iter()
            .find(|c| c.text == p.text)
            .expect("a catalog prompt");
        ids.push(found.id.clone());
    }
    ids
}

#[tokio::test]
async fn no_repeat_until_the_light_pool_is_used_up() {
    let app = TestApp::new().await; // couples start at depth light
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    let pool: Vec<_> = app
        .hearth
        .catalog
        .of_kind(Kind::Conversation)
        .filter(|p| p.depth == Depth::Light)
        .collect();
    assert!(
        pool.len() >= 10,
        "the catalog has light conversation prompts"
    );
    let ids = daily_ids(&app, pool.len() + 1).await;
    let first_cycle: HashSet<&String> = ids[..pool.len()].iter().collect();
    assert_eq!(
        first_cycle.len(),
        pool.len(),
        "every light prompt once before any repeat"
    );
    assert!(
        ids[..pool.len()]
            .iter()
            .all(|id| pool.iter().any(|p| &p.id == id)),
        "only light prompts"
    );
    assert_ne!(
        ids[pool.len()],
        ids[pool.len() - 1],
        "a new cycle does not start with the last prompt"
    );
}

#[tokio::test]
async fn a_year_of_daily_conversation_is_varied_and_balanced() {
    let app = TestApp::new().await;
    app.moderator("settings depth deep").await;
    app.couple_with_schedule("conversation", "daily 20:00", "Europe/Berlin")
        .await;
    let pool = app.hearth.catalog.of_kind(Kind::Conversation).count();
    let days = pool.min(365);
    let ids = daily_ids(&app, days).await;
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), days, "no repeat within the year");
    let mut practice: BTreeMap<String, usize> = BTreeMap::new();
    let mut intimacy: BTreeMap<String, usize> = BTreeMap::new();
    for id in &ids {
        let p = app.hearth.catalog.get(id).unwrap();
        *practice.entry(p.practice.to_string()).or_default() += 1;
        *intimacy.entry(p.intimacy.to_string()).or_default() += 1;
    }
    if days == 365 {
        for (name, n) in practice.iter() {
            let share = 365.0 / 6.0;
            assert!(
                (*n as f64 - share).abs() <= share * 0.25,
                "practice {name}: {n} {practice:?}"
            );
        }
        for (name, n) in intimacy.iter() {
            let share = 365.0 / 4.0;
            assert!(
                (*n as f64 - share).abs() <= share * 0.25,
                "intimacy {name}: {n} {intimacy:?}"
            );
        }
    }
}

#[tokio::test]
async fn same_history_same_choice() {
    let a = TestApp::new().await;
    let b = TestApp::new().await;
    for app in [&a, &b] {
        app.couple_with_schedule("conversation", "daily 20:00", "UTC")
            .await;
        app.set(utc(2026, 6, 1, 19, 0));
    }
    let ia = daily_ids(&a, 5).await;
    let ib = daily_ids(&b, 5).await;
    assert_eq!(ia, ib, "deterministic for the same couple and history");
    a.advance(Duration::days(1));
}
