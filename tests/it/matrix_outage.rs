//! Matrix under faults: the homeserver goes away while a slot comes due.

use std::time::Duration;

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;

use crate::support::app::utc;
use crate::support::matrix_world::*;

/// Synapse goes down while hearth runs and a slot comes due; when it is back, the
/// prompt is posted once and a reaction made then is stored: the sync loop and the
/// sender both recover on their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synapse_down_and_up_again_loses_nothing() {
    let mut w = World::start(false).await;
    w.command(
        &w.alice,
        "!hearth couple add @alice:localhost @sam:localhost UTC",
    )
    .await;
    w.command(
        &w.alice,
        "!hearth schedule add conversation \"daily 20:00\"",
    )
    .await;
    w._s.stop().await;
    w.clock.set(utc(2026, 6, 1, 20, 0));
    w.h.nudge();
    w.wait_db("a failed try is recorded", async |h| {
        h.store
            .deliveries_by_state()
            .await
            .unwrap()
            .iter()
            .any(|(s, n)| s == "pending" && *n == 1)
            && h.store.pending_count().await.unwrap() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    w._s.restart().await;
    // Retries come due on hearth's clock.
    let mut t = utc(2026, 6, 1, 20, 0);
    for _ in 0..60 {
        if w.h.store.posted_of_all().await.unwrap().0 == 1 {
            break;
        }
        t += chrono::Duration::seconds(30);
        w.clock.set(t);
        w.h.nudge();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let states = w.h.store.deliveries_by_state().await.unwrap();
    assert_eq!(
        w.h.store.posted_of_all().await.unwrap(),
        (1, 1),
        "posted after the outage: {states:?}"
    );
    sync_until(&w.alice, "the prompt", || w.prompt().is_some()).await;
    let (event_id, _) = w.prompt().unwrap();
    let room = w.alice.get_room(&w.room).unwrap();
    room.send(ReactionEventContent::new(Annotation::new(
        event_id.clone(),
        "❤️".into(),
    )))
    .await
    .unwrap();
    w.wait_db("the reaction made after the outage is stored", async |h| {
        h.store.active_reactions(1).await.unwrap().len() == 1
    })
    .await;
    for _ in 0..3 {
        w.alice
            .sync_once(SyncSettings::default().timeout(Duration::from_millis(200)))
            .await
            .unwrap();
    }
    let prompts = w
        .alice_seen
        .lock()
        .unwrap()
        .iter()
        .filter(|v| v["content"]["org.hearth.delivery"].is_string())
        .count();
    assert_eq!(prompts, 1, "posted once");
    w.stop().await;
}
