//! Answer privately, reveal together: each member of a couple answers a conversation
//! (or appreciation) prompt on their own, and the answers are shown side by side once everyone has
//! answered (or at the couple's deadline), so nobody anchors on the other.
//!
//! Platform-free: adapters call [`answer_latest`] or [`answer_delivery`] and show the
//! [`Reply`]; the reveal itself is posted by the engine through the platform.

use crate::app::Hearth;
use crate::commands::Reply;
use crate::domain::PlatformKind;
use crate::error::{HandlerError, UserError};
use crate::store::{AnswerTarget, Couple, SubmitOutcome};

/// Longest answer accepted, in characters.
pub const MAX_ANSWER: usize = 1000;

/// What to tell someone who answers after the reveal.
pub const ALREADY_REVEALED: &str = "The answers to that prompt were already shown together, so they can no longer be changed. The next conversation prompt is a fresh chance.";

/// Kinds of prompt answered in writing: conversation prompts, and appreciation
/// prompts (whose answers go into the couple's appreciation jar once shown).
pub const ANSWERED_KINDS: [&str; 2] = ["conversation", "appreciation"];

const NOT_ANSWERABLE: &str =
    "Only conversation and appreciation prompts take written answers; react to this one instead.";

/// Whether prompts of `kind` take written answers.
pub fn takes_answers(kind: &str) -> bool {
    ANSWERED_KINDS.contains(&kind)
}

/// Checks an answer's text: not empty, not too long, no control characters.
pub fn clean_answer(text: &str) -> Result<String, UserError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(UserError::new(
            "Your answer is empty. Type it after the command, like `answer I'd go back to the lake`.",
        ));
    }
    let n = t.chars().count();
    if n > MAX_ANSWER {
        return Err(UserError::new(format!(
            "Your answer is {n} characters long; please keep it to {MAX_ANSWER}."
        )));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(UserError::new(
            "Your answer contains control characters; please type it again as plain text.",
        ));
    }
    Ok(t.to_string())
}

/// Answers the couple's most recent conversation or appreciation prompt (shell `answer <text>`, Matrix
/// direct messages).
pub async fn answer_latest(
    h: &Hearth,
    couple: &Couple,
    user: &str,
    text: &str,
) -> Result<Reply, HandlerError> {
    let text = clean_answer(text)?;
    let Some(target) = h.store.latest_answerable(couple.id).await? else {
        return Err(UserError::new(
            "There is no conversation or appreciation prompt to answer yet. `prompt` asks for one now.",
        )
        .into());
    };
    submit(h, couple, &target, user, &text).await
}

/// Answers the latest conversation or appreciation prompt of the one couple `user` belongs to on
/// `platform` (a direct message to hearth, which is no couple's channel).
pub async fn answer_as_member(
    h: &Hearth,
    platform: PlatformKind,
    user: &str,
    text: &str,
) -> Result<Reply, HandlerError> {
    let text = clean_answer(text)?;
    let couples = h.store.couples_of_member(platform, user).await?;
    let couple = match couples.as_slice() {
        [id] => h.store.couple(*id).await?,
        [] => None,
        _ => {
            return Err(UserError::new(
                "You are in more than one couple here, so I can't tell which prompt you mean: reply to the prompt I sent you instead.",
            )
            .into());
        }
    };
    let Some(couple) = couple else {
        return Err(UserError::new(
            "You are not in a couple hearth knows here, so there is nothing to answer.",
        )
        .into());
    };
    answer_latest(h, &couple, user, &text).await
}

/// Checks that `user` may answer delivery `delivery_id` on `platform` and returns the
/// couple, the target and `user`'s current answer (to show it back for editing).
pub async fn may_answer(
    h: &Hearth,
    platform: PlatformKind,
    delivery_id: i64,
    user: &str,
) -> Result<(Couple, AnswerTarget, Option<String>), HandlerError> {
    let target = h.store.answer_target(platform, delivery_id).await?;
    let couple = match &target {
        Some(t) => h.store.couple(t.couple_id).await?,
        None => None,
    };
    let (Some(target), Some(couple)) = (target, couple) else {
        return Err(UserError::new("That prompt is no longer here to answer.").into());
    };
    if !couple.has_member(user) {
        return Err(
            UserError::new("Only the couple this prompt was given to can answer it.").into(),
        );
    }
    if !takes_answers(&target.kind) {
        return Err(UserError::new(NOT_ANSWERABLE).into());
    }
    if target.revealed {
        return Err(UserError::new(ALREADY_REVEALED).into());
    }
    let own = h.store.own_answer(delivery_id, user).await?;
    Ok((couple, target, own))
}

/// Answers one given delivery (a Discord button on the prompt).
pub async fn answer_delivery(
    h: &Hearth,
    platform: PlatformKind,
    delivery_id: i64,
    user: &str,
    text: &str,
) -> Result<Reply, HandlerError> {
    let text = clean_answer(text)?;
    let (couple, target, _) = may_answer(h, platform, delivery_id, user).await?;
    submit(h, &couple, &target, user, &text).await
}

async fn submit(
    h: &Hearth,
    couple: &Couple,
    target: &AnswerTarget,
    user: &str,
    text: &str,
) -> Result<Reply, HandlerError> {
    if !couple.has_member(user) {
        return Err(UserError::new("Only the couple can answer its prompts.").into());
    }
    if !takes_answers(&target.kind) {
        return Err(UserError::new(NOT_ANSWERABLE).into());
    }
    let now = h.now_secs();
    let outcome = h
        .store
        .submit_answer(target.delivery_id, couple.id, user, text, now)
        .await?;
    let SubmitOutcome::Saved {
        edited,
        revealed,
        waiting_for,
    } = outcome
    else {
        return Err(UserError::new(ALREADY_REVEALED).into());
    };
    // The audit log knows an answer exists, never what it says.
    let action = if edited {
        "answer edited"
    } else {
        "answer recorded"
    };
    h.store
        .audit(
            &couple.channel,
            Some(couple.id),
            user,
            action,
            &format!("prompt #{}", target.delivery_id),
            now,
        )
        .await?;
    let saved = if edited {
        "Your answer is updated"
    } else {
        "Your answer is saved"
    };
    let id = target.delivery_id;
    if revealed {
        h.nudge();
        return Ok(Reply::private(format!(
            "{saved}. Everyone has answered prompt #{id}, so your answers are being shown together in your channel now."
        )));
    }
    let deadline = couple
        .reveal_after_secs
        .map(|s| {
            format!(
                " (or until {} after the prompt, when what is there is shown)",
                hours(s)
            )
        })
        .unwrap_or_default();
    Ok(Reply::private(format!(
        "{saved} and kept hidden until {} answer{} prompt #{id} too{deadline}. Nobody can read it before then. You can change it until then by answering again.",
        waiting_for.join(" & "),
        if waiting_for.len() > 1 { "" } else { "s" },
    )))
}

/// `24h`, `1h`.
pub fn hours(secs: i64) -> String {
    format!("{}h", secs / 3600)
}
