//! Who may do what, checked for every command and every kind of caller; nothing of
//! one couple reaches another; secrets never reach the log.

use std::process::Stdio;
use std::time::Duration;

use hearth::commands::Reply;
use hearth::domain::Actor;

use crate::support::app::{TestApp, utc};
use crate::support::discord_fake::FakeDiscord;
use crate::support::discord_world::members;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Moderator,
    CoupleMember,
    OtherMember,
    TheBot,
}

const CALLERS: [Caller; 4] = [
    Caller::Moderator,
    Caller::CoupleMember,
    Caller::OtherMember,
    Caller::TheBot,
];

fn actor(c: Caller) -> Actor {
    match c {
        Caller::Moderator => Actor::moderator("mod"),
        Caller::CoupleMember => Actor::member("alice"),
        Caller::OtherMember => Actor::member("eve"),
        Caller::TheBot => Actor {
            is_bot: true,
            ..Actor::member("hearth-bot")
        },
    }
}

#[derive(Debug, Clone, Copy)]
enum Who {
    Anyone,
    Couple,
    CoupleOrModerator,
    Moderators,
}

impl Who {
    fn allows(self, c: Caller) -> bool {
        match (self, c) {
            (_, Caller::TheBot) => false,
            (Who::Anyone, _) => true,
            (Who::Couple, c) => c == Caller::CoupleMember,
            (Who::CoupleOrModerator, c) => c != Caller::OtherMember,
            (Who::Moderators, c) => c == Caller::Moderator,
        }
    }
}

/// Every command, as typed, with who may run it.
const TABLE: &[(&str, Who)] = &[
    ("help", Who::Anyone),
    ("help schedule", Who::Anyone),
    ("forget-me", Who::Anyone),
    ("prompt", Who::Couple),
    ("prompt appreciation", Who::Couple),
    ("skip", Who::Couple),
    ("answer I'd say the lake, \"always\"", Who::Couple),
    ("reveal", Who::Couple),
    ("reveal after 24h", Who::Couple),
    ("pause", Who::Couple),
    ("resume", Who::Couple),
    ("history", Who::Couple),
    ("stats", Who::Couple),
    ("export", Who::Couple),
    ("appreciate @sam for the tea, it's perfect", Who::Couple),
    ("jar", Who::Couple),
    ("digest", Who::CoupleOrModerator),
    ("digest weekly fri 18:00", Who::CoupleOrModerator),
    ("couple", Who::CoupleOrModerator),
    ("couple add bob kim UTC", Who::Moderators),
    ("couple remove", Who::Moderators),
    ("couple zone sam America/Vancouver", Who::CoupleOrModerator),
    (
        "schedule add appreciation \"weekly sun 19:00\"",
        Who::Moderators,
    ),
    ("schedule list", Who::Moderators),
    ("schedule preview 1", Who::CoupleOrModerator),
    ("schedule remove 1", Who::Moderators),
    ("schedule pause 1", Who::Moderators),
    ("schedule resume 1", Who::Moderators),
    ("settings timezone Europe/Berlin", Who::Moderators),
    ("audit", Who::Moderators),
    (
        "prompt-admin add conversation vulnerability emotional medium \"What would you like to be asked about more often?\"",
        Who::Moderators,
    ),
    ("prompt-admin list", Who::Moderators),
    ("prompt-admin remove 1", Who::Moderators),
    (
        "suggest conversation \"Which sound from your childhood home do you still miss?\"",
        Who::Anyone,
    ),
    ("suggestions list", Who::Moderators),
    ("approve 1", Who::Moderators),
    ("reject 1 not this time", Who::Moderators),
];

fn refused(r: &Reply) -> bool {
    r.is_error
        && (r.text.contains("is for moderators")
            || r.text.contains("is for the couple registered")
            || r.text.contains("does not take commands from bots"))
}

/// A couple (alice & sam) with a schedule, a posted prompt and a custom prompt.
async fn world() -> TestApp {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    let r = app
        .moderator("prompt-admin add conversation appreciation emotional light \"Which small kindness from this week would you like to thank each other for?\"")
        .await;
    assert!(!r.is_error, "{}", r.text);
    let r = app
        .member(
            "eve",
            "suggest appreciation \"Which chore did your partner take off your hands lately?\"",
        )
        .await;
    assert!(!r.is_error, "{}", r.text);
    app.set(utc(2026, 6, 1, 20, 0));
    app.tick().await;
    app
}

#[tokio::test]
async fn every_command_for_every_caller() {
    let mut checked = 0;
    for (line, who) in TABLE {
        for caller in CALLERS {
            let app = world().await;
            let before = app.hearth.store.all_text_values().await.unwrap();
            let r = app.cmd_as(&actor(caller), line).await;
            let want = who.allows(caller);
            assert!(
                !r.text.trim().is_empty(),
                "{line:?} by {caller:?}: an empty reply"
            );
            if want {
                assert!(
                    !refused(&r),
                    "{line:?} by {caller:?} should be allowed: {}",
                    r.text
                );
            } else {
                assert!(
                    refused(&r),
                    "{line:?} by {caller:?} should be refused: {}",
                    r.text
                );
                assert!(r.private, "{line:?}: a refusal is shown only to the asker");
                let after = app.hearth.store.all_text_values().await.unwrap();
                assert_eq!(before, after, "{line:?} by {caller:?} changed something");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, TABLE.len() * CALLERS.len());
}

#[tokio::test]
async fn the_table_covers_every_command_in_help() {
    let help = hearth::commands::help::help_text(None);
    for (line, _) in TABLE {
        let name: String = line.split_whitespace().take(1).collect();
        assert!(help.contains(&name), "{name} is not in help");
    }
    // And every command in help is in the table.
    for name in hearth::commands::help::command_names() {
        assert!(
            TABLE.iter().any(|(l, _)| l.starts_with(name)),
            "{name} is not in the security table"
        );
    }
}

/// A member of one couple reads nothing of another: not from the other couple's
/// channel, not by asking in their own.
#[tokio::test]
async fn one_couple_reads_nothing_of_another() {
    let app = world().await;
    let other =
        hearth::domain::ChannelRef::new(hearth::domain::PlatformKind::Discord, "guild-1", "chan-2");
    let ctx_mod = hearth::commands::Ctx {
        channel: other.clone(),
        actor: Actor::moderator("mod"),
    };
    for line in [
        "couple add bob kim UTC",
        "schedule add conversation \"daily 21:00\"",
    ] {
        let words = hearth::commands::parse::tokenize(line).unwrap();
        let cmd = hearth::commands::parse_words(&words).unwrap();
        let r = hearth::commands::handle(&app.hearth, &ctx_mod, cmd).await;
        assert!(!r.is_error, "{}", r.text);
    }
    app.set(utc(2026, 6, 1, 21, 0));
    app.tick().await;
    let their_prompt = app
        .hearth
        .store
        .history(2, 10)
        .await
        .unwrap()
        .first()
        .and_then(|h| h.text.clone())
        .expect("the other couple got a prompt");

    // alice, in the other couple's channel: refused, and nothing of theirs shown.
    for line in ["stats", "history", "export", "couple"] {
        let words = hearth::commands::parse::tokenize(line).unwrap();
        let cmd = hearth::commands::parse_words(&words).unwrap();
        let ctx = hearth::commands::Ctx {
            channel: other.clone(),
            actor: Actor::member("alice"),
        };
        let r = hearth::commands::handle(&app.hearth, &ctx, cmd).await;
        assert!(refused(&r), "{line}: {}", r.text);
        assert!(!r.text.contains(&their_prompt), "{line} leaked a prompt");
        assert!(
            !r.text.contains("bob") && !r.text.contains("kim"),
            "{line} leaked members"
        );
        assert!(r.attachment.is_none(), "{line} attached something");
    }
    // alice, in her own channel: her export and history hold nothing of theirs.
    for line in ["export", "history 100", "stats"] {
        let r = app.member("alice", line).await;
        assert!(!r.is_error, "{line}: {}", r.text);
        let attached = r
            .attachment
            .as_ref()
            .map(|a| String::from_utf8_lossy(&a.content).to_string())
            .unwrap_or_default();
        for text in [&r.text, &attached] {
            assert!(!text.contains(&their_prompt), "{line} leaked their prompt");
            assert!(
                !text.contains("\"bob\"") && !text.contains("kim"),
                "{line} leaked members"
            );
        }
    }
}

const TOKEN: &str = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.Zx9_realLookingSecretTokenValue42";
const PASSWORD: &str = "correct-horse-battery-staple-7781";

/// Runs `hearth run` with `config` and both secrets in the environment until `done`
/// holds (or it exits), then returns all it wrote.
async fn run_and_capture(config: &str, done: impl Fn() -> bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, config).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("--config")
        .arg(&cfg)
        .arg("run")
        .env("HEARTH_DISCORD_TOKEN", TOKEN)
        .env("HEARTH_MATRIX_PASSWORD", PASSWORD)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Read both pipes as it writes: at trace level it writes more than a pipe holds
    // before it connects, and a full pipe would stop it.
    let drain = |pipe: Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>| {
        tokio::spawn(async move {
            let mut all = Vec::new();
            if let Some(mut p) = pipe {
                let _ = tokio::io::AsyncReadExt::read_to_end(&mut p, &mut all).await;
            }
            all
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    for _ in 0..600 {
        if done() || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = child.start_kill();
    let _ = child.wait().await;
    format!(
        "{}{}",
        String::from_utf8_lossy(&stdout.await.unwrap()),
        String::from_utf8_lossy(&stderr.await.unwrap())
    )
}

fn assert_no_secrets(log: &str) {
    for secret in [TOKEN, "realLookingSecret", PASSWORD, "battery-staple"] {
        assert!(!log.contains(secret), "{secret} is in the log");
    }
}

/// `hearth run` with real-looking secrets at the most verbose log level: neither the
/// Discord token (sent on every request and in IDENTIFY) nor the Matrix password
/// (sent at login) appears in what it writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_log() {
    let fake = FakeDiscord::start(members()).await;
    let log = run_and_capture(
        &format!(
            "[log]\nlevel = \"trace\"\n\n[discord]\nenabled = true\nrest_proxy = \"{}\"\n",
            fake.rest_base()
        ),
        || fake.identify_count() >= 1 && !fake.commands().is_empty(),
    )
    .await;
    assert!(fake.identify_count() >= 1, "the bot identified: {log}");
    assert!(
        log.contains("serenity"),
        "serenity's own trace is in: {log}"
    );
    assert_no_secrets(&log);

    // Matrix: the login is refused (nothing answers there); the error is logged.
    let log = run_and_capture(
        "[log]\nlevel = \"trace\"\n\n[matrix]\nenabled = true\nhomeserver = \"http://127.0.0.1:9\"\nuser = \"@hearth:localhost\"\n",
        || false,
    )
    .await;
    assert!(
        log.contains("matrix"),
        "the Matrix adapter was at work: {log}"
    );
    assert_no_secrets(&log);
}
