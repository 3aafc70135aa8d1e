//! A hearth on a fresh temporary database, a manual clock and a fake platform.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use hearth::Hearth;
use hearth::clock::ManualClock;
use hearth::commands::{Ctx, Reply, handle};
use hearth::config::Config;
use hearth::domain::{Actor, ChannelRef, PlatformKind};
use hearth::engine::Engine;
use hearth::platform::Platforms;
use hearth::platform::shell::{Output, ShellOptions, run_shell};
use hearth::reactions::ReactionEvent;

use super::fake_platform::FakePlatform;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub hearth: Hearth,
    pub fake: Arc<FakePlatform>,
    pub engine: Engine,
}

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid time")
}

pub fn channel() -> ChannelRef {
    ChannelRef::new(PlatformKind::Discord, "guild-1", "chan-1")
}

/// A reaction by `user` on Discord message `msg`, added or removed.
pub fn reaction(msg: &str, user: &str, emoji: &str, added: bool) -> ReactionEvent {
    ReactionEvent {
        platform: PlatformKind::Discord,
        message_id: msg.into(),
        user: user.into(),
        emoji: emoji.into(),
        added,
        by_bot: false,
        platform_ref: None,
    }
}

impl TestApp {
    /// Runs the shell adapter on `input` as piped lines; everything it printed.
    pub async fn shell(&self, opts: ShellOptions, input: &str) -> String {
        let buf = Buf::default();
        let out: Output = Arc::new(Mutex::new(Box::new(buf.clone())));
        run_shell(self.hearth.clone(), opts, input.as_bytes(), out)
            .await
            .expect("shell");
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(edit: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cfg = Config::defaults_in(dir.path());
        cfg.engine.backoff_base_secs = 5;
        edit(&mut cfg);
        let clock = Arc::new(ManualClock::new(utc(2026, 6, 1, 12, 0)));
        let hearth = hearth::open(cfg, clock.clone()).await.expect("open");
        let fake = Arc::new(FakePlatform::new(PlatformKind::Discord));
        let engine = Engine::new(hearth.clone(), Platforms::new().with(fake.clone()));
        TestApp {
            dir,
            clock,
            hearth,
            fake,
            engine,
        }
    }

    /// A second engine on the same database and platform: what a restart gives.
    pub fn restart_engine(&mut self) {
        self.engine = Engine::new(
            self.hearth.clone(),
            Platforms::new().with(self.fake.clone()),
        );
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.hearth.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    pub async fn tick(&self) -> hearth::engine::TickReport {
        self.engine.tick(self.now()).await.expect("tick")
    }

    /// Runs a command line as `actor` in the test channel, parsed as typed text is.
    pub async fn cmd_as(&self, actor: &Actor, line: &str) -> Reply {
        self.cmd_in(&channel(), actor, line).await
    }

    /// Runs a command line as `actor` in `channel`.
    pub async fn cmd_in(&self, channel: &ChannelRef, actor: &Actor, line: &str) -> Reply {
        match hearth::commands::parse_line(line, "!hearth", false) {
            Ok(Some(cmd)) => {
                handle(
                    &self.hearth,
                    &Ctx {
                        channel: channel.clone(),
                        actor: actor.clone(),
                    },
                    cmd,
                )
                .await
            }
            Ok(None) => Reply::error("not a command"),
            Err(e) => Reply::error(e.0),
        }
    }

    pub async fn moderator(&self, line: &str) -> Reply {
        self.cmd_as(&Actor::moderator("mod"), line).await
    }

    pub async fn member(&self, who: &str, line: &str) -> Reply {
        self.cmd_as(&Actor::member(who), line).await
    }

    /// Registers alice & sam with one schedule; returns the schedule id.
    pub async fn couple_with_schedule(&self, kind: &str, spec: &str, tz: &str) -> i64 {
        let r = self.moderator(&format!("couple add alice sam {tz}")).await;
        assert!(!r.is_error, "{}", r.text);
        let r = self
            .moderator(&format!("schedule add {kind} \"{spec}\""))
            .await;
        assert!(!r.is_error, "{}", r.text);
        let id: i64 = r
            .text
            .trim_start_matches("Schedule #")
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        id
    }
}
