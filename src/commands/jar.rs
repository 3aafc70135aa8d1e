//! The appreciation jar (`appreciate`, `jar`) and the weekly digest's settings
//! (`digest`).

use chrono::{DateTime, Duration, Utc};

use super::command::DigestAction;
use super::{Attachment, Ctx, Reply};
use crate::app::Hearth;
use crate::digest::{NEVER, describe, plural};
use crate::error::{HandlerError, UserError};
use crate::schedule::Zone;
use crate::store::{Couple, JarSource};

type R = Result<Reply, HandlerError>;

/// Longest appreciation, in characters.
pub const MAX_APPRECIATION: usize = 500;
/// Items `jar` shows.
const JAR_SHOWN: usize = 5;

/// The member `typed` names (`@sam`, `<@123>`, `@sam:example.org`, `sam`), or the
/// only other member when nobody is named.
fn recipient(c: &Couple, me: &str, typed: Option<&str>) -> Result<String, UserError> {
    let others: Vec<&String> = c.members.iter().filter(|m| *m != me).collect();
    let Some(typed) = typed else {
        return match others.as_slice() {
            [one] => Ok((*one).clone()),
            _ => Err(UserError::new(format!(
                "Who is it for? Name them first: `appreciate @name <what you noticed>` (members: {}).",
                c.members.join(", ")
            ))),
        };
    };
    let id = super::zones::member_id(typed);
    let bare = id.trim_start_matches('@');
    let found = c.members.iter().find(|m| {
        **m == id || m.as_str() == bare || m.trim_start_matches('@').split(':').next() == Some(bare)
    });
    match found {
        Some(m) if m == me => Err(UserError::new(
            "The jar is for appreciating each other: name your partner, like `appreciate @name <what you noticed>`.",
        )),
        Some(m) => Ok(m.clone()),
        None => Err(UserError::new(format!(
            "'{}' is not a member of this couple ({}).",
            typed.chars().take(40).collect::<String>(),
            c.members.join(", ")
        ))),
    }
}

/// Checks an appreciation's text: not empty, not too long, no control characters.
fn clean(text: &str) -> Result<String, UserError> {
    let t = text.trim();
    let n = t.chars().count();
    if t.is_empty() {
        return Err(UserError::new(
            "Write what you appreciate after the name, like `appreciate @sam for making coffee before my early shift`.",
        ));
    }
    if n > MAX_APPRECIATION {
        return Err(UserError::new(format!(
            "That is {n} characters long; please keep an appreciation to {MAX_APPRECIATION}."
        )));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(UserError::new(
            "That contains control characters; please type it again as plain text.",
        ));
    }
    Ok(t.to_string())
}

pub async fn appreciate(h: &Hearth, ctx: &Ctx, c: &Couple, to: Option<&str>, text: &str) -> R {
    let me = &ctx.actor.user;
    let to = recipient(c, me, to)?;
    let text = clean(text)?;
    let now = h.now_secs();
    h.store.add_appreciation(c.id, me, &to, &text, now).await?;
    // The audit log says that it happened, never what was written.
    h.store
        .audit(
            &ctx.channel,
            Some(c.id),
            me,
            "appreciate",
            &format!("for {to}"),
            now,
        )
        .await?;
    Ok(Reply::public(format!(
        "💌 Into your jar, for {to}: “{text}”. It may come back to you in a weekly digest."
    )))
}

pub async fn show(h: &Hearth, c: &Couple) -> R {
    let items = h
        .store
        .jar_items(c.id, 0, i64::MAX, &h.config.reactions.loved)
        .await?;
    if items.is_empty() {
        return Ok(Reply::public(
            "Your jar is empty so far. `appreciate @partner <what you noticed>` adds the first thing; answers to appreciation prompts and prompts you ❤️ go in too.",
        ));
    }
    let count = |s: JarSource| items.iter().filter(|i| i.source == s).count();
    let mut out = format!(
        "🫙 Your jar holds {}: {} written, {}, {}. The latest:",
        plural(items.len(), "appreciation", "appreciations"),
        count(JarSource::Note),
        plural(
            count(JarSource::Answer),
            "answer to an appreciation prompt",
            "answers to appreciation prompts"
        ),
        plural(count(JarSource::Loved), "loved prompt", "loved prompts")
    );
    let name = |u: &str| u.to_string();
    for i in items.iter().rev().take(JAR_SHOWN) {
        out.push_str(&format!("\n  • {}", describe(i, &name)));
    }
    Ok(Reply::public(out))
}

pub async fn digest(h: &Hearth, ctx: &Ctx, c: &Couple, action: DigestAction) -> R {
    let now = h.now_secs();
    let (spec, detail) = match action {
        DigestAction::Show => return Ok(Reply::private(describe_digest(h, c, now))),
        DigestAction::Preview => return preview(h, c).await,
        DigestAction::Off => (Some("off".to_string()), "off".to_string()),
        DigestAction::On => (None, "default".to_string()),
        DigestAction::Set(spec) => {
            spec.check_min_interval(Duration::days(1)).map_err(|_| {
                UserError::new(format!(
                    "A digest looks back over a week, so it comes at most once a day; '{}' is more often than that.",
                    spec.text()
                ))
            })?;
            (Some(spec.text().to_string()), spec.text().to_string())
        }
    };
    h.store.set_digest_spec(c.id, spec.as_deref()).await?;
    h.store
        .audit(
            &ctx.channel,
            Some(c.id),
            &ctx.actor.user,
            "digest",
            &detail,
            now,
        )
        .await?;
    h.nudge();
    let changed = Couple {
        digest_spec: spec,
        digest_next_at: None,
        ..c.clone()
    };
    Ok(Reply::public(describe_digest(h, &changed, now)))
}

/// "Your weekly digest comes every Sunday at 19:00 (Europe/Berlin); next …".
fn describe_digest(h: &Hearth, c: &Couple, now: i64) -> String {
    let Some(spec) = crate::digest::spec_of(h, c.digest_spec.as_deref()) else {
        return "Your weekly digest is off. `digest on` brings it back (the usual time), `digest <when>` sets your own, like `digest weekly sun 19:00`.".into();
    };
    let next = c
        .digest_next_at
        .filter(|t| *t != NEVER)
        .or_else(|| crate::digest::next_at(h, c.digest_spec.as_deref(), &c.timezone, now));
    let when = next.map_or_else(String::new, |t| {
        format!("; next: {}", super::zones::each_local(c, t))
    });
    format!(
        "Your weekly digest comes {} ({}){when}. It sums up your week: appreciations, prompts talked about, one thing from your jar, your check-ins. `digest preview` shows this week's so far; `digest off` stops it.",
        spec.describe(),
        Zone::parse(&c.timezone).map_or("UTC", |z| z.name())
    )
}

/// This week's digest so far, as a reply (the chart attached, and as text).
async fn preview(h: &Hearth, c: &Couple) -> R {
    let now = h.now_secs();
    let name = |u: &str| u.to_string();
    let d = crate::digest::compose(h, c, now, &name).await?;
    let at = DateTime::<Utc>::from_timestamp(now, 0).map_or_else(String::new, |t| {
        format!(" (the week up to {})", t.format("%a %d %b %H:%M UTC"))
    });
    let mut reply = Reply::private(format!("Your digest so far{at}:\n\n{}", d.text));
    if let Some(s) = &d.sparkline {
        reply.text.push_str(&format!("\n{s}"));
    }
    if let Some(png) = d.chart {
        reply.attachment = Some(Attachment {
            filename: crate::platform::OutboundDigest::CHART_FILE.into(),
            content: png,
        });
    }
    Ok(reply)
}
