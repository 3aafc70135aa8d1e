//! The reaction writer keeps posted prompts and couple members in memory between
//! batches; whatever changes them, through hearth or behind its back, is seen by the
//! next event.

use hearth::reactions::{ReactionOutcome, on_reaction};

use crate::support::app::{TestApp, reaction as ev, utc};

async fn posted_app() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    let msg = app.fake.message_of(1).expect("posted");
    (app, msg)
}

#[tokio::test]
async fn forget_me_ends_membership_and_a_removed_couple_has_no_prompts() {
    let (app, msg) = posted_app().await;
    let h = &app.hearth;
    // Both members known to the writer, and the prompt.
    for who in ["alice", "sam"] {
        let out = on_reaction(h, &ev(&msg, who, "❤️", true)).await.unwrap();
        assert_eq!(out, ReactionOutcome::Stored);
    }
    app.member("alice", "forget-me").await;
    let r = app.member("alice", "forget-me confirm").await;
    assert!(!r.is_error, "{}", r.text);
    assert_eq!(
        on_reaction(h, &ev(&msg, "alice", "✅", true))
            .await
            .unwrap(),
        ReactionOutcome::NotMember,
        "alice left the couple"
    );
    assert_eq!(
        on_reaction(h, &ev(&msg, "sam", "✅", true)).await.unwrap(),
        ReactionOutcome::Stored,
        "sam is still in it"
    );
    // The last member leaves: the couple and its prompts are gone.
    app.member("sam", "forget-me").await;
    let r = app.member("sam", "forget-me confirm").await;
    assert!(!r.is_error, "{}", r.text);
    assert_eq!(
        on_reaction(h, &ev(&msg, "sam", "⭐", true)).await.unwrap(),
        ReactionOutcome::NotAPrompt
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reactions")
        .fetch_one(&raw_pool(&app).await)
        .await
        .unwrap();
    assert_eq!(left, 0, "nothing of either is stored");
}

#[tokio::test]
async fn a_member_added_by_another_connection_is_a_member_at_once() {
    let (app, msg) = posted_app().await;
    let h = &app.hearth;
    assert_eq!(
        on_reaction(h, &ev(&msg, "alice", "❤️", true))
            .await
            .unwrap(),
        ReactionOutcome::Stored
    );
    assert_eq!(
        on_reaction(h, &ev(&msg, "robin", "❤️", true))
            .await
            .unwrap(),
        ReactionOutcome::NotMember
    );
    // Another process (or a code path that knows nothing of the writer) adds robin.
    let pool = raw_pool(&app).await;
    sqlx::query(
        "INSERT INTO couple_members (couple_id, user_id, added_at)
         SELECT couple_id, 'robin', 0 FROM deliveries WHERE message_id = ?",
    )
    .bind(&msg)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(
        on_reaction(h, &ev(&msg, "robin", "❤️", true))
            .await
            .unwrap(),
        ReactionOutcome::Stored
    );
    // And removes alice again: her reaction is no longer taken.
    sqlx::query("DELETE FROM couple_members WHERE user_id = 'alice'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        on_reaction(h, &ev(&msg, "alice", "❤️", false))
            .await
            .unwrap(),
        ReactionOutcome::NotMember
    );
    let rows: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT user_id, removed_at FROM reactions ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows, [("alice".into(), None), ("robin".into(), None)]);
}

#[tokio::test]
async fn a_prompt_deleted_behind_the_writers_back_is_no_longer_a_prompt() {
    let (app, msg) = posted_app().await;
    let h = &app.hearth;
    assert_eq!(
        on_reaction(h, &ev(&msg, "alice", "❤️", true))
            .await
            .unwrap(),
        ReactionOutcome::Stored
    );
    let pool = raw_pool(&app).await;
    sqlx::query("DELETE FROM deliveries WHERE message_id = ?")
        .bind(&msg)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        on_reaction(h, &ev(&msg, "sam", "❤️", true)).await.unwrap(),
        ReactionOutcome::NotAPrompt
    );
}

async fn raw_pool(app: &TestApp) -> sqlx::SqlitePool {
    let db = app.dir.path().join("hearth.db");
    sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(db)
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(10)),
        )
        .await
        .unwrap()
}
