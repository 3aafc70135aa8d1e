//! Commands: written once, platform-neutral. An adapter parses (or builds) a
//! [`Command`], calls [`handle`] with who asked where, and shows the [`Reply`].
//! Permission checks happen here, from the rights the adapter reports.

mod command;
mod couple;
mod custom;
pub mod help;
// The appreciation jar and the weekly digest.
mod jar;
mod moderate;
pub mod parse;
mod parse_answers;
pub(crate) mod pause;
mod suggest;
mod zones;

use crate::app::Hearth;
use crate::domain::{Actor, ChannelRef};
use crate::error::{HandlerError, UserError};
use crate::store::{Couple, CustomPrompt};

pub use parse::{Command, ParseError, parse_line, parse_words};

/// Who asked, and where.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub channel: ChannelRef,
    pub actor: Actor,
}

/// A file attached to a reply (exports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content: Vec<u8>,
}

/// What to show the person who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// Only the asker should see it (Discord ephemeral); errors and refusals are.
    pub private: bool,
    pub is_error: bool,
    pub attachment: Option<Attachment>,
}

impl Reply {
    pub fn public(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            private: false,
            is_error: false,
            attachment: None,
        }
    }

    pub fn private(text: impl Into<String>) -> Self {
        Self {
            private: true,
            ..Self::public(text)
        }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self {
            private: true,
            is_error: true,
            ..Self::public(text)
        }
    }
}

/// Who may use a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    Anyone,
    CoupleMember,
    CoupleOrModerator,
    Moderator,
}

pub fn required_right(cmd: &Command) -> Right {
    use Command as C;
    match cmd {
        C::Help { .. } | C::ForgetMe { .. } => Right::Anyone,
        // Suggested prompts: anyone suggests, moderators decide.
        C::Suggest { .. } => Right::Anyone,
        C::SuggestionsList | C::Approve { .. } | C::Reject { .. } => Right::Moderator,
        C::Prompt { .. }
        | C::Skip
        | C::Answer { .. }
        | C::Reveal { .. }
        | C::Pause { .. }
        | C::Resume
        | C::History { .. }
        | C::Stats
        | C::Export
        | C::Appreciate { .. }
        | C::Jar => Right::CoupleMember,
        C::Digest { .. } => Right::CoupleOrModerator,
        C::CoupleShow => Right::CoupleOrModerator,
        // Two timezones: the couple keeps its own zones; previews change nothing.
        C::CoupleZone { .. } | C::SchedulePreview { .. } => Right::CoupleOrModerator,
        C::CoupleAdd { .. }
        | C::CoupleRemove
        | C::ScheduleAdd { .. }
        | C::ScheduleList
        | C::ScheduleRemove { .. }
        | C::SchedulePause { .. }
        | C::ScheduleResume { .. }
        | C::Settings { .. }
        | C::Audit { .. }
        | C::PromptAdminAdd { .. }
        | C::PromptAdminList
        | C::PromptAdminRemove { .. } => Right::Moderator,
    }
}

/// Runs a command and always returns something to show: errors become a clear
/// reply, internal failures are logged and answered with an apology.
pub async fn handle(h: &Hearth, ctx: &Ctx, cmd: Command) -> Reply {
    let name = cmd.name();
    match run(h, ctx, cmd).await {
        Ok(r) => r,
        Err(HandlerError::User(e)) => Reply::error(e.0),
        Err(HandlerError::Internal(e)) => {
            tracing::error!(command = name, channel = %ctx.channel, error = format!("{e:#}"), "command failed");
            Reply::error(
                "Sorry, something went wrong on my side and nothing was changed. The operator can find the details in the log.",
            )
        }
    }
}

/// Parses and runs a text line; `None` if the line is not addressed to hearth.
pub async fn handle_line(
    h: &Hearth,
    ctx: &Ctx,
    line: &str,
    prefix: &str,
    require_prefix: bool,
) -> Option<Reply> {
    if ctx.actor.is_bot {
        return None;
    }
    match parse_line(line, prefix, require_prefix) {
        Ok(Some(cmd)) => Some(handle(h, ctx, cmd).await),
        Ok(None) => None,
        Err(e) => Some(Reply::error(e.0)),
    }
}

async fn run(h: &Hearth, ctx: &Ctx, cmd: Command) -> Result<Reply, HandlerError> {
    if ctx.actor.is_bot {
        return Err(UserError::new("hearth does not take commands from bots").into());
    }
    let couple = h.store.couple_in_channel(&ctx.channel).await?;
    check_right(required_right(&cmd), &cmd, ctx, couple.as_ref())?;
    use Command as C;
    match cmd {
        C::Help { topic } => Ok(Reply::private(help::help_text(topic.as_deref()))),
        C::ForgetMe { confirm } => couple::forget_me(h, ctx, confirm).await,
        C::CoupleAdd { members, timezone } => moderate::couple_add(h, ctx, members, timezone).await,
        C::Settings { timezone, depth } => moderate::settings(h, ctx, timezone, depth).await,
        C::Audit { limit } => moderate::audit(h, ctx, limit).await,
        C::PromptAdminAdd {
            kind,
            practice,
            intimacy,
            depth,
            text,
        } => {
            let draft = CustomPrompt {
                id: 0,
                kind,
                practice,
                intimacy,
                depth,
                text,
            };
            custom::add(h, ctx, draft).await
        }
        C::PromptAdminList => custom::list(h, ctx).await,
        C::PromptAdminRemove { id } => custom::remove(h, ctx, id).await,
        C::Suggest { kind, text } => suggest::suggest(h, ctx, kind, &text).await,
        C::SuggestionsList => suggest::list(h, ctx).await,
        C::Approve { id, tags } => suggest::approve(h, ctx, id, &tags).await,
        C::Reject { id, reason } => suggest::reject(h, ctx, id, reason).await,
        cmd => {
            let Some(couple) = couple else {
                return Err(UserError::new(
                    "No couple is registered in this channel yet. A moderator can add one with `couple add <member> <member> [timezone]`.",
                )
                .into());
            };
            match cmd {
                C::Prompt { kind } => couple::prompt(h, ctx, &couple, kind).await,
                C::Skip => couple::skip(h, ctx, &couple).await,
                C::Answer { text } => {
                    crate::answers::answer_latest(h, &couple, &ctx.actor.user, &text).await
                }
                C::Reveal { policy } => couple::reveal(h, ctx, &couple, policy).await,
                C::Pause { until } => pause::pause(h, ctx, &couple, until).await,
                C::Resume => pause::resume(h, ctx, &couple).await,
                C::History { limit } => couple::history(h, &couple, limit).await,
                C::Stats => couple::stats(h, &couple).await,
                C::Export => couple::export(h, ctx, &couple).await,
                C::CoupleShow => Ok(moderate::couple_show(&couple)),
                C::CoupleRemove => moderate::couple_remove(h, ctx, &couple).await,
                C::ScheduleAdd {
                    kind,
                    spec,
                    timezone,
                    grace,
                    thread,
                    fair,
                } => {
                    let opts = moderate::ScheduleOptions {
                        timezone,
                        grace,
                        thread,
                    };
                    match fair {
                        None => moderate::schedule_add(h, ctx, &couple, kind, *spec, opts).await,
                        Some(f) => zones::schedule_add_fair(h, ctx, &couple, kind, &f, opts).await,
                    }
                }
                C::ScheduleList => moderate::schedule_list(h, &couple).await,
                C::ScheduleRemove { id } => moderate::schedule_remove(h, ctx, &couple, id).await,
                C::SchedulePause { id } => {
                    moderate::schedule_pause(h, ctx, &couple, id, true).await
                }
                C::ScheduleResume { id } => {
                    moderate::schedule_pause(h, ctx, &couple, id, false).await
                }
                C::CoupleZone { member, zone } => {
                    zones::couple_zone(h, ctx, &couple, &member, zone).await
                }
                C::SchedulePreview { target } => zones::schedule_preview(h, &couple, target).await,
                C::Appreciate { to, text } => {
                    jar::appreciate(h, ctx, &couple, to.as_deref(), &text).await
                }
                C::Jar => jar::show(h, &couple).await,
                C::Digest { action } => jar::digest(h, ctx, &couple, action).await,
                _ => Err(UserError::new("that command cannot be used here").into()),
            }
        }
    }
}

fn check_right(
    right: Right,
    cmd: &Command,
    ctx: &Ctx,
    couple: Option<&Couple>,
) -> Result<(), UserError> {
    let member = couple.is_some_and(|c| c.has_member(&ctx.actor.user));
    let ok = match right {
        Right::Anyone => true,
        Right::CoupleMember => member || couple.is_none(),
        Right::CoupleOrModerator => member || ctx.actor.is_moderator || couple.is_none(),
        Right::Moderator => ctx.actor.is_moderator,
    };
    if ok {
        return Ok(());
    }
    let name = cmd.name();
    Err(UserError::new(match right {
        Right::Moderator => format!(
            "`{name}` is for moderators, and you don't have moderator rights in this channel. Nothing was changed."
        ),
        _ => format!(
            "`{name}` is for the couple registered in this channel, and you are not one of its members."
        ),
    }))
}
