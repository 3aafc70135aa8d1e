//! `prompt-admin`: a community's own prompts, checked like the built-in catalog.

use super::{Ctx, Reply};
use crate::app::Hearth;
use crate::catalog::{Prompt, validate_custom};
use crate::error::{HandlerError, UserError};
use crate::store::CustomPrompt;

type R = Result<Reply, HandlerError>;

/// Most custom prompts one community may keep.
const MAX_CUSTOM: usize = 500;

pub async fn add(h: &Hearth, ctx: &Ctx, draft: CustomPrompt) -> R {
    let kind = draft.kind.clone();
    let id = add_checked(h, ctx, draft, "That prompt can't be added").await?;
    Ok(Reply::private(format!(
        "Added custom-{id}: couples on this server can now get it among their {kind} prompts."
    )))
}

/// Checks a prompt like the catalog's, stores it for the community and audits it;
/// returns its id. Problems are answered starting with `refusal`.
pub async fn add_checked(
    h: &Hearth,
    ctx: &Ctx,
    draft: CustomPrompt,
    refusal: &str,
) -> Result<i64, HandlerError> {
    let text = check(h, ctx, &draft, refusal).await?;
    let draft = CustomPrompt { text, ..draft };
    let now = h.now_secs();
    let id = h
        .store
        .add_custom_prompt(&ctx.channel, &draft, &ctx.actor.user, now)
        .await?;
    let detail = format!(
        "custom-{id} {} {} {} {}",
        draft.kind, draft.practice, draft.intimacy, draft.depth
    );
    h.store
        .audit(
            &ctx.channel,
            None,
            &ctx.actor.user,
            "prompt-admin add",
            &detail,
            now,
        )
        .await?;
    Ok(id)
}

/// Checks a prompt like the catalog's against the community's own prompts; returns
/// its trimmed text.
pub async fn check(
    h: &Hearth,
    ctx: &Ctx,
    draft: &CustomPrompt,
    refusal: &str,
) -> Result<String, HandlerError> {
    let existing = h.store.custom_prompts(&ctx.channel).await?;
    if existing.len() >= MAX_CUSTOM {
        return Err(UserError::new(format!(
            "This server already has {MAX_CUSTOM} prompts of its own."
        ))
        .into());
    }
    let others: Vec<Prompt> = existing.iter().filter_map(Prompt::from_custom).collect();
    let text = draft.text.trim().to_string();
    validate_custom(
        &draft.kind,
        &draft.practice,
        &draft.intimacy,
        &draft.depth,
        &text,
        &h.catalog,
        &others,
    )
    .map_err(|problems| UserError::new(format!("{refusal}: {}.", problems.join("; "))))?;
    Ok(text)
}

pub async fn list(h: &Hearth, ctx: &Ctx) -> R {
    let list = h.store.custom_prompts(&ctx.channel).await?;
    if list.is_empty() {
        return Ok(Reply::private(
            "This server has no prompts of its own yet. `prompt-admin add <kind> <practice> <intimacy> <depth> <text>` adds one.",
        ));
    }
    let mut out = format!("This server's own prompts ({}):\n", list.len());
    for c in list {
        out.push_str(&format!(
            "{} · {} · {} · {} · {} · {}\n",
            c.prompt_id(),
            c.kind,
            c.practice,
            c.intimacy,
            c.depth,
            c.text
        ));
    }
    Ok(Reply::private(out.trim_end()))
}

pub async fn remove(h: &Hearth, ctx: &Ctx, id: i64) -> R {
    if !h.store.remove_custom_prompt(&ctx.channel, id).await? {
        return Err(UserError::new(format!(
            "This server has no prompt custom-{id}; `prompt-admin list` shows them."
        ))
        .into());
    }
    h.store
        .audit(
            &ctx.channel,
            None,
            &ctx.actor.user,
            "prompt-admin remove",
            &format!("custom-{id}"),
            h.now_secs(),
        )
        .await?;
    Ok(Reply::private(format!("Removed custom-{id}.")))
}
