//! Suggested prompts: any member suggests one, a moderator approves it (it joins the
//! server's own prompts, checked like the catalog) or rejects it, and the author is
//! told the outcome in the channel where they suggested it.

use super::custom::{add_checked, check};
use super::{Ctx, Reply};
use crate::app::Hearth;
use crate::catalog::tags::{Depth, Intimacy, Kind, Practice};
use crate::error::{HandlerError, UserError};
use crate::store::{CustomPrompt, Decision, Suggestion};

type R = Result<Reply, HandlerError>;

/// Suggestions one person may have waiting in a community.
const MAX_PENDING: i64 = 5;
/// Longest rejection reason.
const MAX_REASON: usize = 300;

/// The tags a suggestion of `kind` gets unless the moderator names others.
fn default_tags(kind: Kind) -> (Practice, Intimacy, Depth) {
    match kind {
        Kind::Conversation | Kind::CheckIn => (
            Practice::MeaningfulConversation,
            Intimacy::Emotional,
            Depth::Light,
        ),
        Kind::Appreciation => (Practice::Appreciation, Intimacy::Emotional, Depth::Light),
        Kind::Closeness => (
            Practice::PhysicalCloseness,
            Intimacy::Physical,
            Depth::Light,
        ),
        Kind::Experience => (
            Practice::NewExperiences,
            Intimacy::Experiential,
            Depth::Light,
        ),
    }
}

/// The kind's defaults with the moderator's words put in: each word is a practice,
/// an intimacy or a depth, at most one of each.
fn tags(kind: Kind, words: &[String]) -> Result<(Practice, Intimacy, Depth), UserError> {
    let (mut p, mut i, mut d) = default_tags(kind);
    let mut seen = [false; 3];
    for w in words {
        let slot = if let Ok(v) = w.parse::<Practice>() {
            p = v;
            0
        } else if let Ok(v) = w.parse::<Intimacy>() {
            i = v;
            1
        } else if let Ok(v) = w.parse::<Depth>() {
            d = v;
            2
        } else {
            let word: String = w.chars().take(30).collect();
            return Err(UserError::new(format!(
                "'{word}' is not a tag. Practices: {}; intimacy: {}; depth: {}.",
                Practice::NAMES.join(", "),
                Intimacy::NAMES.join(", "),
                Depth::NAMES.join(", ")
            )));
        };
        if std::mem::replace(&mut seen[slot], true) {
            let what = ["practice", "intimacy", "depth"][slot];
            return Err(UserError::new(format!(
                "Give at most one {what}; nothing was approved."
            )));
        }
    }
    Ok((p, i, d))
}

fn draft(kind: &str, (p, i, d): (Practice, Intimacy, Depth), text: &str) -> CustomPrompt {
    CustomPrompt {
        id: 0,
        kind: kind.to_string(),
        practice: p.as_str().into(),
        intimacy: i.as_str().into(),
        depth: d.as_str().into(),
        text: text.to_string(),
    }
}

pub async fn suggest(h: &Hearth, ctx: &Ctx, kind: Kind, text: &str) -> R {
    if h.store
        .pending_suggestions_by(&ctx.channel, &ctx.actor.user)
        .await?
        >= MAX_PENDING
    {
        return Err(UserError::new(format!(
            "You already have {MAX_PENDING} suggestions waiting for the moderators; \
             please wait until they have looked at them."
        ))
        .into());
    }
    let d = draft(kind.as_str(), default_tags(kind), text);
    let text = check(
        h,
        ctx,
        &d,
        "That suggestion can't be sent to the moderators",
    )
    .await?;
    let id = h
        .store
        .add_suggestion(
            &ctx.channel,
            &ctx.actor.user,
            &ctx.actor.display,
            kind.as_str(),
            &text,
            h.now_secs(),
        )
        .await?;
    Ok(Reply::private(format!(
        "Thank you! Your {kind} prompt is suggestion #{id}, waiting for a moderator; \
         you'll hear in this channel what they decide."
    )))
}

pub async fn list(h: &Hearth, ctx: &Ctx) -> R {
    let list = h.store.pending_suggestions(&ctx.channel).await?;
    if list.is_empty() {
        return Ok(Reply::private("No suggested prompts are waiting."));
    }
    let mut out = format!(
        "Suggested prompts waiting ({}). `approve <id> [practice] [intimacy] [depth]` or `reject <id> [reason]`:\n",
        list.len()
    );
    for s in list {
        let tags = s.kind.parse::<Kind>().map(default_tags).map_or_else(
            |_| String::new(),
            |(p, i, d)| format!(" (default tags: {p} {i} {d})"),
        );
        out.push_str(&format!(
            "#{} · {} · by {}{tags} · {}\n",
            s.id, s.kind, s.author_name, s.text
        ));
    }
    Ok(Reply::private(out.trim_end()))
}

async fn pending(h: &Hearth, ctx: &Ctx, id: i64) -> Result<Suggestion, HandlerError> {
    match h.store.suggestion(&ctx.channel, id).await? {
        Some(s) if s.state == "pending" => Ok(s),
        Some(s) => Err(UserError::new(format!(
            "Suggestion #{id} was already {}; `suggestions list` shows the ones waiting.",
            s.state
        ))
        .into()),
        None => Err(UserError::new(format!(
            "There is no suggestion #{id} on this server; `suggestions list` shows them."
        ))
        .into()),
    }
}

pub async fn approve(h: &Hearth, ctx: &Ctx, id: i64, words: &[String]) -> R {
    let s = pending(h, ctx, id).await?;
    let kind = s
        .kind
        .parse::<Kind>()
        .map_err(|e| anyhow::anyhow!("stored suggestion #{id}: {e}"))?;
    let (p, i, d) = tags(kind, words)?;
    let custom = add_checked(
        h,
        ctx,
        draft(&s.kind, (p, i, d), &s.text),
        &format!("Suggestion #{id} can't be approved"),
    )
    .await?;
    let now = h.now_secs();
    h.store
        .decide_suggestion(
            id,
            &Decision::Approved {
                custom_prompt_id: custom,
            },
            &ctx.actor.user,
            now,
        )
        .await?;
    let note = format!(
        "{}: your suggested {} prompt (#{id}) was approved. Couples on this server may now get it: \"{}\" Thank you!",
        s.author_name, s.kind, s.text
    );
    let detail = format!("#{id} as custom-{custom} {p} {i} {d}");
    tell_author(h, ctx, &s, &note, ("suggestion approve", &detail), now).await?;
    Ok(Reply::private(format!(
        "Approved suggestion #{id} as custom-{custom} ({p}, {i}, {d}). {} will be told in the channel where they suggested it.",
        s.author_name
    )))
}

pub async fn reject(h: &Hearth, ctx: &Ctx, id: i64, reason: Option<String>) -> R {
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON)
    {
        return Err(UserError::new(format!(
            "Keep the reason under {MAX_REASON} characters; nothing was rejected."
        ))
        .into());
    }
    let s = pending(h, ctx, id).await?;
    let now = h.now_secs();
    h.store
        .decide_suggestion(
            id,
            &Decision::Rejected {
                reason: reason.clone(),
            },
            &ctx.actor.user,
            now,
        )
        .await?;
    let note = format!(
        "{}: thank you for suggesting a {} prompt (#{id}). The moderators did not add it this time{}",
        s.author_name,
        s.kind,
        reason
            .as_deref()
            .map_or_else(|| ".".to_string(), |r| format!(": {r}"))
    );
    let detail = format!("#{id}");
    tell_author(h, ctx, &s, &note, ("suggestion reject", &detail), now).await?;
    Ok(Reply::private(format!(
        "Rejected suggestion #{id}. {} will be told in the channel where they suggested it.",
        s.author_name
    )))
}

/// Queues `note` for the suggestion's author (posted by the engine where they
/// suggested it), records the decision in the audit log as `(action, detail)`, and
/// wakes the engine.
async fn tell_author(
    h: &Hearth,
    ctx: &Ctx,
    s: &Suggestion,
    note: &str,
    (action, detail): (&str, &str),
    now: i64,
) -> Result<(), HandlerError> {
    h.store
        .queue_notice(&s.channel, note, Some(&s.author), now)
        .await?;
    h.store
        .audit(&ctx.channel, None, &ctx.actor.user, action, detail, now)
        .await?;
    h.nudge();
    Ok(())
}
