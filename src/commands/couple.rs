//! Commands for the couple: a prompt now, skip, pause, history, stats, export, forget-me.

use chrono::{DateTime, Utc};

use super::{Attachment, Ctx, Reply};
use crate::app::Hearth;
use crate::catalog::tags::Kind;
use crate::error::{HandlerError, UserError};
use crate::reactions::{Meaning, Meanings};
use crate::schedule::{ScheduleSpec, Zone};
use crate::store::Couple;

type R = Result<Reply, HandlerError>;

/// How long a `forget-me` waits for its confirmation.
const CONFIRM_SECS: i64 = 600;

pub async fn prompt(h: &Hearth, ctx: &Ctx, couple: &Couple, kind: Option<Kind>) -> R {
    let kind = kind.unwrap_or(Kind::Conversation);
    if h.store.has_open_on_demand(couple.id).await? {
        return Ok(Reply::private(
            "A prompt is already on its way; give it a moment.",
        ));
    }
    h.store
        .enqueue_on_demand(couple.id, kind.as_str(), &ctx.actor.user, h.now_secs())
        .await?;
    h.nudge();
    Ok(Reply::private(format!("A {kind} prompt is on its way.")))
}

pub async fn skip(h: &Hearth, ctx: &Ctx, couple: &Couple) -> R {
    let Some(latest) = h.store.latest_posted(couple.id).await? else {
        return Err(
            UserError::new("There is no prompt to skip yet. `prompt` asks for one.").into(),
        );
    };
    // A skip counts like the "another one" reaction, so it shapes future choices.
    let another = h
        .config
        .reactions
        .another
        .first()
        .cloned()
        .unwrap_or_else(|| "🔁".into());
    let now = h.now_secs();
    h.store
        .add_reaction(
            latest.delivery_id,
            &ctx.actor.user,
            &crate::domain::normalize_emoji(&another),
            now,
            None,
        )
        .await?;
    if !h.store.has_open_on_demand(couple.id).await? {
        h.store
            .enqueue_on_demand(couple.id, &latest.kind, &ctx.actor.user, now)
            .await?;
        h.nudge();
    }
    Ok(Reply::private("Skipped. Another one is on its way."))
}

pub(super) fn next_slot(spec: &str, zone: &str, after: DateTime<Utc>) -> Option<i64> {
    let spec = ScheduleSpec::parse(spec).ok()?;
    let zone = Zone::parse(zone).ok()?;
    spec.next_after(after, zone).map(|t| t.timestamp())
}

pub async fn history(h: &Hearth, couple: &Couple, limit: u32) -> R {
    let items = h.store.history(couple.id, i64::from(limit)).await?;
    if items.is_empty() {
        return Ok(Reply::private("No prompts yet. `prompt` asks for one now."));
    }
    let zone = Zone::parse(&couple.timezone).ok();
    let mut out = format!("Your last {} prompts:\n", items.len());
    for it in items {
        let when =
            DateTime::from_timestamp(it.posted_at, 0).map_or_else(String::new, |t| match zone {
                Some(z) => t.with_timezone(&z.tz()).format("%a %d %b").to_string(),
                None => t.format("%a %d %b").to_string(),
            });
        let reacts: String = it
            .reactions
            .iter()
            .map(|(_, e)| e.as_str())
            .collect::<Vec<_>>()
            .join("");
        out.push_str(&format!(
            "• {when} · {} · {}{}\n",
            it.kind,
            it.text.as_deref().unwrap_or("(prompt text not kept)"),
            if reacts.is_empty() {
                String::new()
            } else {
                format!("  {reacts}")
            }
        ));
        // Only answers already shown together; before that nobody reads them here.
        for (user, text) in h.store.revealed_answers(it.delivery_id).await? {
            out.push_str(&format!("    {user}: {text}\n"));
        }
    }
    Ok(Reply::private(out.trim_end()))
}

pub async fn stats(h: &Hearth, couple: &Couple) -> R {
    let counts = h.store.delivery_counts(couple.id).await?;
    let posted = counts
        .iter()
        .find(|(s, _)| s == "posted")
        .map_or(0, |(_, n)| *n);
    let reacted = h.store.reacted_delivery_count(couple.id).await?;
    let meanings = Meanings::from_config(&h.config.reactions);
    let (mut loved, mut done, mut another, mut fav) = (0, 0, 0, 0);
    let mut per_member: std::collections::BTreeMap<String, i64> = Default::default();
    for c in h.store.reaction_counts(couple.id).await? {
        *per_member.entry(c.user.clone()).or_default() += c.count;
        match meanings.of(&c.emoji) {
            Some(Meaning::Loved) => loved += c.count,
            Some(Meaning::Done) => done += c.count,
            Some(Meaning::Another) => another += c.count,
            Some(Meaning::Favourite) => fav += c.count,
            // Counted below, one answer per member and prompt.
            Some(Meaning::CheckIn(_)) | None => {}
        }
    }
    let mut out = format!(
        "Prompts so far: {posted}, of which {reacted} got a reaction.\n\
         ❤️ loved {loved} · ✅ talked about / done {done} · ⭐ favourites {fav} · 🔁 asked for another {another}"
    );
    let checkins: Vec<u8> = crate::checkin::answers(h, couple, 0)
        .await?
        .iter()
        .map(|a| a.score)
        .collect();
    if !checkins.is_empty() {
        let avg =
            f64::from(checkins.iter().map(|n| u32::from(*n)).sum::<u32>()) / checkins.len() as f64;
        out.push_str(&format!(
            "\nCheck-ins answered: {}, average {avg:.1} of 5",
            checkins.len()
        ));
    }
    let together = h.store.answered_by_all_count(couple.id).await?;
    out.push_str(&format!("\nPrompts you all answered: {together}"));
    let per_week = h.config.defaults.streak_prompts_per_week;
    let streak = crate::streak::of_couple(h, couple).await?;
    out.push_str(&format!("\n{}", crate::streak::describe(streak, per_week)));
    if !per_member.is_empty() {
        let parts: Vec<String> = per_member
            .iter()
            .map(|(u, n)| format!("{u}: {n}"))
            .collect();
        out.push_str(&format!("\nReactions by member: {}", parts.join(", ")));
    }
    if couple.paused {
        out.push_str("\n(Paused right now: `resume` starts prompts again.)");
    }
    // The check-in chart: a picture, with the same weeks as text beside it.
    let weeks = crate::checkin::weeks(h, couple, h.now()).await?;
    let mut reply = Reply::private(out);
    if weeks.points() > 0 {
        reply.text.push_str(&format!(
            "\nCheck-ins by week, last {} weeks (▁ 1 … █ 5, · no answer):\n{}",
            crate::checkin::WEEKS,
            crate::checkin::spark::sparkline(&weeks)
        ));
        reply.attachment = Some(Attachment {
            filename: "hearth-checkins.png".into(),
            content: crate::checkin::chart::render_png(&weeks)?,
        });
    }
    Ok(reply)
}

pub async fn reveal(h: &Hearth, ctx: &Ctx, couple: &Couple, policy: Option<Option<i64>>) -> R {
    let Some(after) = policy else {
        return Ok(Reply::private(match couple.reveal_after_secs {
            None => "Your answers are shown together once every one of you has answered; one answer is never shown alone. `reveal after 24h` would also show what is there 24 hours after the prompt.".to_string(),
            Some(s) => format!(
                "Your answers are shown together once every one of you has answered, or {} after the prompt with what is there. `reveal both` waits for everyone.",
                crate::answers::hours(s)
            ),
        }));
    };
    h.store.set_reveal_after(couple.id, after).await?;
    let detail = after.map_or_else(
        || "when all answered".to_string(),
        |s| format!("after {}", crate::answers::hours(s)),
    );
    h.store
        .audit(
            &ctx.channel,
            Some(couple.id),
            &ctx.actor.user,
            "reveal",
            &detail,
            h.now_secs(),
        )
        .await?;
    Ok(Reply::public(match after {
        None => "From now on, answers are shown together only once every one of you has answered."
            .to_string(),
        Some(s) => format!(
            "From now on, answers are shown together once every one of you has answered, or {} after the prompt with what is there.",
            crate::answers::hours(s)
        ),
    }))
}

pub async fn export(h: &Hearth, ctx: &Ctx, couple: &Couple) -> R {
    let data = h.store.export_couple(couple.id, &ctx.actor.user).await?;
    let content = serde_json::to_vec_pretty(&data).map_err(anyhow::Error::from)?;
    let mut reply = Reply::private(
        "Here is everything hearth stores about your couple (JSON). Only you can see this reply.",
    );
    reply.attachment = Some(Attachment {
        filename: format!("hearth-export-couple-{}.json", couple.id),
        content,
    });
    Ok(reply)
}

pub async fn forget_me(h: &Hearth, ctx: &Ctx, confirm: bool) -> R {
    let now = h.now_secs();
    if !confirm {
        h.store
            .request_confirmation(
                &ctx.channel,
                &ctx.actor.user,
                "forget-me",
                now + CONFIRM_SECS,
            )
            .await?;
        return Ok(Reply::private(
            "This deletes everything hearth stores about you on this platform: your reactions, your answers, the appreciations you wrote or were written to you, your \
             suggested prompts (one a moderator approved stays as the server's prompt) and your place in any couple (a couple with nobody left is deleted entirely). It cannot be undone. \
             Type `forget-me confirm` within 10 minutes to go ahead.",
        ));
    }
    if !h
        .store
        .take_confirmation(&ctx.channel, &ctx.actor.user, "forget-me", now)
        .await?
    {
        return Err(UserError::new(
            "Type `forget-me` first; then `forget-me confirm` within 10 minutes.",
        )
        .into());
    }
    let report = h
        .store
        .forget_user(ctx.channel.platform, &ctx.actor.user)
        .await?;
    tracing::info!(
        reactions = report.reactions,
        memberships = report.memberships,
        "forget-me done"
    );
    Ok(Reply::private(format!(
        "Done. Deleted {} reactions, {} answers, {} appreciations, {} couple memberships and {} suggested prompts{}. hearth keeps nothing else about you.",
        report.reactions,
        report.answers,
        report.appreciations,
        report.memberships,
        report.suggestions,
        if report.couples_removed > 0 {
            format!(" ({} couple removed)", report.couples_removed)
        } else {
            String::new()
        }
    )))
}
