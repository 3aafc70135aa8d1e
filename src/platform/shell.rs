//! The shell adapter: a terminal chat where you play a couple in one channel (and a
//! moderator with `--moderator`). Same core, store and engine as Discord and Matrix;
//! only the platform differs. Works with piped input, so it can be scripted.

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio_util::sync::CancellationToken;

use super::{OutboundDigest, OutboundPrompt, OutboundReveal, Platform, Platforms, SendError};
use crate::app::Hearth;
use crate::commands::{Ctx, handle_line};
use crate::domain::{Actor, ChannelRef, PlatformKind, parse_delivery_key};
use crate::engine::Engine;
use crate::reactions::{ReactionEvent, ReactionOutcome, on_reaction};
use crate::schedule::ScheduleSpec;
use crate::store::NewSchedule;

/// Where the shell writes (stdout, or a buffer in tests).
pub type Output = Arc<Mutex<Box<dyn Write + Send>>>;

fn say(out: &Output, text: &str) {
    let mut w = out.lock().unwrap_or_else(|e| e.into_inner());
    // A closed terminal is not worth a crash; the data is safe in the store.
    let _ = writeln!(w, "{text}");
    let _ = w.flush();
}

/// The channel the shell plays in.
pub fn shell_channel() -> ChannelRef {
    ChannelRef::new(PlatformKind::Shell, "local", "living-room")
}

/// Prints prompts to the terminal. A prompt's message number is its delivery id,
/// so it stays the same across runs.
pub struct ShellPlatform {
    out: Output,
    posted: Mutex<HashSet<String>>,
}

impl ShellPlatform {
    pub fn new(out: Output) -> Self {
        Self {
            out,
            posted: Mutex::new(HashSet::new()),
        }
    }
}

#[async_trait]
impl Platform for ShellPlatform {
    fn kind(&self) -> PlatformKind {
        PlatformKind::Shell
    }

    async fn post_prompt(&self, p: &OutboundPrompt) -> Result<String, SendError> {
        let id = p.delivery_id.to_string();
        let mut text = format!(
            "\n── hearth · #{id} · {} · {} ──\n{}",
            p.kind, p.practice, p.text
        );
        if let Some(f) = &p.follow_up {
            text.push_str(&format!("\n  ↳ then: {f}"));
        }
        if let Some(a) = &p.apart {
            text.push_str(&format!("\n  (apart today? {a})"));
        }
        if crate::answers::takes_answers(&p.kind) {
            text.push_str(
                "\n  answer privately: `answer <your answer>` (shown once you both have)",
            );
        }
        if !p.reactions.is_empty() {
            text.push_str(&format!(
                "\n  react: {}   e.g. `react {id} {}`",
                p.reactions.join(" "),
                p.reactions[0]
            ));
        }
        say(&self.out, &text);
        self.posted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p.key.clone());
        Ok(id)
    }

    async fn find_posted(
        &self,
        _channel: &ChannelRef,
        key: &str,
    ) -> Result<Option<String>, SendError> {
        let seen = self
            .posted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(key);
        Ok(seen
            .then(|| parse_delivery_key(key).map(|d| d.to_string()))
            .flatten())
    }

    async fn send_notice(&self, _channel: &ChannelRef, text: &str) -> Result<(), SendError> {
        say(&self.out, &format!("[notice] {text}"));
        Ok(())
    }

    /// A terminal shows no pictures: the check-in chart comes as text.
    async fn post_digest(&self, d: &OutboundDigest) -> Result<Option<String>, SendError> {
        say(
            &self.out,
            &format!(
                "\n── hearth · weekly digest ──\n{}",
                d.text_with_sparkline()
            ),
        );
        Ok(None)
    }

    async fn post_reveal(&self, r: &OutboundReveal) -> Result<Option<String>, SendError> {
        let text = r.plain_text(str::to_string);
        say(
            &self.out,
            &format!("\n── hearth · answers to #{} ──\n{text}", r.delivery_id),
        );
        Ok(None)
    }
}

/// Options of `hearth shell`.
#[derive(Debug, Clone, Default)]
pub struct ShellOptions {
    /// Act as a moderator too.
    pub moderator: bool,
    /// Post a conversation prompt right away.
    pub now: bool,
    /// Who you are (a couple member name); default "you".
    pub user: Option<String>,
}

const WELCOME: &str = "hearth shell: you and your partner share the channel #living-room.\n\
  Type `help` for commands, `prompt` for a prompt now, `react <n> ❤️` to react to prompt #n,\n\
  `unreact <n> ❤️` to take it back, `answer <text>` to answer the latest conversation prompt\n\
  (hidden until you both have), `appreciate <text>` to put a thank-you in your jar,\n\
  `as partner` / `as you` to switch who is typing, `quit` to leave.";

/// Sets up the shell's couple and default schedules on first use.
async fn ensure_couple(h: &Hearth) -> anyhow::Result<()> {
    let channel = shell_channel();
    if h.store.couple_in_channel(&channel).await?.is_some() {
        return Ok(());
    }
    let zone = h.config.defaults.timezone;
    let now = h.now();
    let members = vec!["you".to_string(), "partner".to_string()];
    let Some(id) = h
        .store
        .create_couple(
            &channel,
            &members,
            zone.name(),
            h.config.defaults.depth.as_str(),
            "shell",
            now.timestamp(),
        )
        .await?
    else {
        return Ok(());
    };
    for (kind, spec) in [
        ("conversation", "daily 20:00"),
        ("appreciation", "mon,wed,fri 12:30"),
        ("check-in", "weekly sun 19:00"),
    ] {
        let parsed = ScheduleSpec::parse(spec).map_err(|e| anyhow::anyhow!("{e}"))?;
        let next = parsed.next_after(now, zone).map(|t| t.timestamp());
        let s = NewSchedule {
            couple_id: id,
            kind,
            spec,
            timezone: zone.name(),
            grace_secs: i64::from(h.config.defaults.grace_minutes) * 60,
            next_slot_at: next,
            thread: false,
            created_by: "shell",
        };
        h.store.add_schedule(&s, now.timestamp()).await?;
    }
    h.store
        .audit(
            &channel,
            Some(id),
            "shell",
            "couple add",
            "you & partner, default schedules",
            now.timestamp(),
        )
        .await?;
    Ok(())
}

/// Runs the shell until `quit` or end of input.
pub async fn run_shell(
    h: Hearth,
    opts: ShellOptions,
    input: impl AsyncBufRead + Unpin,
    out: Output,
) -> anyhow::Result<()> {
    ensure_couple(&h).await?;
    let platform = Arc::new(ShellPlatform::new(out.clone()));
    let engine = Arc::new(Engine::new(h.clone(), Platforms::new().with(platform)));
    let stop = CancellationToken::new();
    let runner = {
        let (engine, stop) = (engine.clone(), stop.clone());
        tokio::spawn(async move { engine.run(stop).await })
    };
    say(&out, WELCOME);
    let mut user = opts.user.clone().unwrap_or_else(|| "you".into());
    let channel = shell_channel();
    if opts.now {
        let actor = actor(&user, opts.moderator);
        let ctx = Ctx {
            channel: channel.clone(),
            actor,
        };
        if let Some(r) = handle_line(&h, &ctx, "prompt", "!hearth", false).await
            && r.is_error
        {
            say(&out, &r.text);
        }
        engine.tick(h.now()).await?;
    }
    let mut lines = input.lines();
    let signal = crate::app::shutdown_signal();
    tokio::pin!(signal);
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line?,
            () = &mut signal => None,
        };
        let Some(line) = line else { break };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["quit" | "exit"] => break,
            ["as", name] => {
                user = (*name).to_string();
                say(&out, &format!("(you are now typing as {user})"));
            }
            [verb @ ("react" | "unreact"), n, emoji] => {
                let ev = ReactionEvent {
                    platform: PlatformKind::Shell,
                    message_id: n.trim_start_matches('#').to_string(),
                    user: user.clone(),
                    emoji: (*emoji).to_string(),
                    added: *verb == "react",
                    by_bot: false,
                    platform_ref: None,
                };
                let msg = match on_reaction(&h, &ev).await? {
                    ReactionOutcome::Stored => {
                        format!("({user} {verb}ed {emoji} on #{})", ev.message_id)
                    }
                    ReactionOutcome::Unchanged => "(nothing changed)".into(),
                    ReactionOutcome::NotAPrompt => {
                        format!("(there is no prompt #{})", ev.message_id)
                    }
                    ReactionOutcome::NotMember => {
                        format!("({user} is not in this couple, so the reaction is not recorded)")
                    }
                    ReactionOutcome::IgnoredBot => String::new(),
                };
                say(&out, &msg);
            }
            _ => {
                let ctx = Ctx {
                    channel: channel.clone(),
                    actor: actor(&user, opts.moderator),
                };
                if let Some(r) = handle_line(&h, &ctx, line, "!hearth", false).await {
                    say(&out, &r.text);
                    if let Some(a) = r.attachment {
                        let path = h.config.database.with_file_name(&a.filename);
                        crate::store::write_private_file(&path, &a.content)?;
                        say(&out, &format!("(saved to {})", path.display()));
                    }
                }
            }
        }
        // Deliver what the line asked for before reading the next one, so scripts
        // see prompts in order.
        engine.tick(h.now()).await?;
    }
    stop.cancel();
    runner.await?;
    say(&out, "bye — your data stays in the local database.");
    Ok(())
}

fn actor(user: &str, moderator: bool) -> Actor {
    Actor {
        is_moderator: moderator,
        ..Actor::member(user)
    }
}
