//! Reaction events that arrive together are committed together, each with the outcome
//! it would get alone, in the order submitted; failures reach their callers.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::task::Poll;

use hearth::Hearth;
use hearth::domain::PlatformKind;
use hearth::reactions::{ReactionEvent, ReactionOutcome, on_reaction, on_reaction_ref_removed};

use crate::support::app::{TestApp, reaction as ev, utc};

/// alice & sam with `n` posted prompts; their message ids.
async fn app_with_posts(n: i64) -> (TestApp, Vec<String>) {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    for _ in 1..n {
        let r = app.member("alice", "prompt").await;
        assert!(!r.is_error, "{}", r.text);
        app.tick().await;
    }
    let msgs = (1..=n)
        .map(|d| app.fake.message_of(d).expect("posted"))
        .collect();
    (app, msgs)
}

/// Submits every event before waiting for any (all are queued, in this order, before
/// the writer runs), then collects the outcomes.
async fn submit_together(
    h: &Hearth,
    evs: &[ReactionEvent],
) -> Vec<anyhow::Result<ReactionOutcome>> {
    let mut futs: Vec<_> = evs.iter().map(|e| Box::pin(on_reaction(h, e))).collect();
    let mut out: Vec<Option<anyhow::Result<ReactionOutcome>>> = Vec::new();
    for f in &mut futs {
        out.push(match futures::poll!(f.as_mut()) {
            Poll::Ready(r) => Some(r),
            Poll::Pending => None,
        });
    }
    for (slot, f) in out.iter_mut().zip(futs) {
        if slot.is_none() {
            *slot = Some(f.await);
        }
    }
    out.into_iter().flatten().collect()
}

/// Every reaction row as (message index, user, emoji, still active), oldest first.
async fn rows(app: &TestApp) -> Vec<(i64, String, String, bool)> {
    let export = app
        .member("alice", "export")
        .await
        .attachment
        .expect("export");
    let json: serde_json::Value = serde_json::from_slice(&export.content).unwrap();
    let mut v: Vec<_> = json["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["delivery_id"].as_i64().unwrap_or_default(),
                r["user"].as_str().unwrap_or_default().to_string(),
                r["emoji"].as_str().unwrap_or_default().to_string(),
                r["removed_at"].is_null(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A thousand events: chains of adds and removals per (prompt, member, emoji), all in
/// flight at once, plus strangers, unknown messages and the bot.
fn thousand_events(msgs: &[String]) -> Vec<Vec<ReactionEvent>> {
    let mut seed = 7u64;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut chains = Vec::new();
    for m in msgs {
        for user in ["alice", "sam", "stranger"] {
            // One chain per reaction: "❤️" and "❤" are the same one.
            for emoji in [["❤️", "❤"], ["✅"; 2], ["⭐"; 2], ["🎉"; 2], ["5️⃣"; 2]] {
                chains.push(Vec::new());
                let chain = chains.last_mut().expect("just pushed");
                for _ in 0..25 {
                    let spelling = emoji[usize::from(next(2) == 0)];
                    let mut e = ev(m, user, spelling, next(3) != 0);
                    match next(20) {
                        0 => e.by_bot = true,
                        1 => e.message_id = "not-a-prompt".into(),
                        _ => {}
                    }
                    chain.push(e);
                }
            }
        }
    }
    chains
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_events_end_as_sequential_application_does() {
    let (batched, msgs) = app_with_posts(3).await;
    let (sequential, msgs2) = app_with_posts(3).await;
    assert_eq!(msgs, msgs2, "both worlds post the same message ids");
    let chains = thousand_events(&msgs);
    assert_eq!(chains.iter().map(Vec::len).sum::<usize>(), 1_125);

    let mut tasks = Vec::new();
    for chain in chains.clone() {
        let h = batched.hearth.clone();
        tasks.push(tokio::spawn(
            async move { submit_together(&h, &chain).await },
        ));
    }
    let mut together = Vec::new();
    for t in tasks {
        together.push(t.await.unwrap());
    }

    let mut one_by_one = Vec::new();
    for chain in &chains {
        let mut outs = Vec::new();
        for e in chain {
            outs.push(on_reaction(&sequential.hearth, e).await);
        }
        one_by_one.push(outs);
    }

    let mut counts: HashMap<ReactionOutcome, usize> = HashMap::new();
    for (a, b) in together.iter().zip(&one_by_one) {
        for (x, y) in a.iter().zip(b) {
            let (x, y) = (*x.as_ref().unwrap(), *y.as_ref().unwrap());
            assert_eq!(x, y);
            *counts.entry(x).or_default() += 1;
        }
    }
    for o in [
        ReactionOutcome::Stored,
        ReactionOutcome::Unchanged,
        ReactionOutcome::IgnoredBot,
        ReactionOutcome::NotAPrompt,
        ReactionOutcome::NotMember,
    ] {
        assert!(
            counts.get(&o).copied().unwrap_or(0) > 0,
            "no {o:?} in {counts:?}"
        );
    }
    assert_eq!(rows(&batched).await, rows(&sequential).await);
    assert_eq!(
        batched.hearth.status.reactions.load(Ordering::Relaxed),
        counts[&ReactionOutcome::Stored] as u64
    );
}

#[tokio::test]
async fn same_reaction_added_removed_and_added_in_one_batch_keeps_its_order() {
    let (app, msgs) = app_with_posts(1).await;
    let m = &msgs[0];
    let out = submit_together(
        &app.hearth,
        &[
            ev(m, "alice", "❤️", false),
            ev(m, "alice", "❤️", true),
            ev(m, "alice", "❤", true),
            ev(m, "alice", "❤️", false),
            ev(m, "alice", "❤️", true),
        ],
    )
    .await;
    let out: Vec<_> = out.into_iter().map(Result::unwrap).collect();
    use ReactionOutcome::{Stored, Unchanged};
    assert_eq!(out, [Unchanged, Stored, Unchanged, Stored, Stored]);
    let r = rows(&app).await;
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r.iter().filter(|x| x.3).count(), 1, "one active: {r:?}");
    // And across batches: the active one is removed by the next event.
    let out = on_reaction(&app.hearth, &ev(m, "alice", "❤️", false)).await;
    assert_eq!(out.unwrap(), Stored);
    assert!(rows(&app).await.iter().all(|x| !x.3));
}

#[tokio::test]
async fn a_failing_event_fails_its_caller_and_only_it() {
    let (app, msgs) = app_with_posts(1).await;
    let m = &msgs[0];
    let db = app.dir.path().join("hearth.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER boom BEFORE INSERT ON reactions WHEN NEW.emoji = '💥'
         BEGIN SELECT RAISE(ABORT, 'no explosions here'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let evs = [
        ev(m, "alice", "❤️", true),
        ev(m, "sam", "✅", true),
        ev(m, "alice", "💥", true),
        ev(m, "sam", "⭐", true),
    ];
    let out = submit_together(&app.hearth, &evs).await;
    let err = out[2]
        .as_ref()
        .expect_err("the insert the trigger refuses fails");
    assert!(format!("{err:#}").contains("no explosions here"), "{err:#}");
    for i in [0, 1, 3] {
        assert_eq!(*out[i].as_ref().unwrap(), ReactionOutcome::Stored);
    }
    assert_eq!(rows(&app).await.len(), 3);
    assert_eq!(app.hearth.status.reactions.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn a_closed_database_is_an_error_not_silence() {
    let (app, msgs) = app_with_posts(1).await;
    app.hearth.store.close().await;
    let out = submit_together(
        &app.hearth,
        &[
            ev(&msgs[0], "alice", "❤️", true),
            ev(&msgs[0], "sam", "❤️", true),
        ],
    )
    .await;
    assert!(out.iter().all(Result::is_err), "{out:?}");
}

#[tokio::test]
async fn another_one_from_both_partners_at_once_brings_one_prompt() {
    let (app, msgs) = app_with_posts(2).await;
    // "Another one" on the older prompt does nothing; on the latest, one new prompt.
    let out = submit_together(
        &app.hearth,
        &[
            ev(&msgs[0], "alice", "🔁", true),
            ev(&msgs[1], "alice", "🔁", true),
            ev(&msgs[1], "sam", "🔁", true),
        ],
    )
    .await;
    assert!(
        out.iter()
            .all(|o| *o.as_ref().unwrap() == ReactionOutcome::Stored)
    );
    app.tick().await;
    let posts = app.fake.posts();
    assert_eq!(posts.len(), 3, "one extra prompt, not one per partner");
    assert_eq!(posts[2].kind, "conversation");
}

#[tokio::test]
async fn a_reaction_stored_with_its_platform_id_is_removed_by_that_id() {
    let (app, msgs) = app_with_posts(1).await;
    let mut add = ev(&msgs[0], "alice", "⭐", true);
    add.platform_ref = Some("$reaction-1".into());
    assert_eq!(
        on_reaction(&app.hearth, &add).await.unwrap(),
        ReactionOutcome::Stored
    );
    let h = &app.hearth;
    let removed = on_reaction_ref_removed(h, PlatformKind::Discord, "$reaction-1").await;
    assert_eq!(removed.unwrap(), ReactionOutcome::Stored);
    let again = on_reaction_ref_removed(h, PlatformKind::Discord, "$reaction-1").await;
    assert_eq!(again.unwrap(), ReactionOutcome::NotAPrompt);
    assert!(rows(&app).await.iter().all(|x| !x.3));
}
