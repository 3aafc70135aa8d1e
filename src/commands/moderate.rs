//! Commands for moderators: couples, schedules, server settings, the audit log.

use chrono::{DateTime, Duration};

use super::couple::next_slot;
use super::{Ctx, Reply};
use crate::app::Hearth;
use crate::catalog::tags::{Depth, Kind};
use crate::error::{HandlerError, UserError};
use crate::schedule::{ScheduleSpec, Zone};
use crate::store::{Couple, NewSchedule};

type R = Result<Reply, HandlerError>;

/// Most schedules one couple may have.
const MAX_SCHEDULES: usize = 20;

async fn server_defaults(h: &Hearth, ctx: &Ctx) -> anyhow::Result<(Zone, Depth)> {
    let (tz, depth) = h.store.settings(&ctx.channel).await?;
    let zone = tz
        .and_then(|t| Zone::parse(&t).ok())
        .unwrap_or(h.config.defaults.timezone);
    let depth = depth
        .and_then(|d| d.parse().ok())
        .unwrap_or(h.config.defaults.depth);
    Ok((zone, depth))
}

pub async fn couple_add(h: &Hearth, ctx: &Ctx, members: Vec<String>, tz: Option<Zone>) -> R {
    let (default_zone, depth) = server_defaults(h, ctx).await?;
    let zone = tz.unwrap_or(default_zone);
    let now = h.now_secs();
    let Some(id) = h
        .store
        .create_couple(
            &ctx.channel,
            &members,
            zone.name(),
            depth.as_str(),
            &ctx.actor.user,
            now,
        )
        .await?
    else {
        return Err(UserError::new(
            "This channel already has a couple. `couple` shows it; `couple remove` first to start over.",
        )
        .into());
    };
    let detail = format!(
        "members {} · timezone {} · depth {}",
        members.join(", "),
        zone.name(),
        depth
    );
    h.store
        .audit(
            &ctx.channel,
            Some(id),
            &ctx.actor.user,
            "couple add",
            &detail,
            now,
        )
        .await?;
    Ok(Reply::public(format!(
        "Registered the couple of this channel: {}. Timezone {}, starting depth {depth}. \
         Next: `schedule add conversation \"daily 20:00\"`.",
        members.join(" & "),
        zone.name()
    )))
}

pub fn couple_show(c: &Couple) -> Reply {
    Reply::private(
        format!(
            "Couple #{}: {} · timezone {} · depth {}{}",
            c.id,
            c.members.join(" & "),
            c.timezone,
            c.depth,
            if c.paused { " · paused" } else { "" }
        ) + own_zones(c).as_str(),
    )
}

/// " · sam lives in America/Vancouver" for members with a zone of their own.
fn own_zones(c: &Couple) -> String {
    c.members
        .iter()
        .filter(|m| c.zone_of(m) != c.timezone)
        .map(|m| format!(" · {m} lives in {}", c.zone_of(m)))
        .collect()
}

pub async fn couple_remove(h: &Hearth, ctx: &Ctx, c: &Couple) -> R {
    h.store.remove_couple(c.id).await?;
    h.store
        .audit(
            &ctx.channel,
            None,
            &ctx.actor.user,
            "couple remove",
            &format!("couple #{}", c.id),
            h.now_secs(),
        )
        .await?;
    Ok(Reply::public(
        "The couple of this channel is unregistered and its data deleted.",
    ))
}

/// The optional parts of `schedule add`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScheduleOptions {
    pub timezone: Option<Zone>,
    pub grace: Option<Duration>,
    /// Open a thread for answers under each prompt (where the platform has threads).
    pub thread: bool,
}

pub async fn schedule_add(
    h: &Hearth,
    ctx: &Ctx,
    c: &Couple,
    kind: Kind,
    spec: ScheduleSpec,
    opts: ScheduleOptions,
) -> R {
    let ScheduleOptions {
        timezone: tz,
        grace,
        thread,
    } = opts;
    let min = Duration::minutes(i64::from(h.config.defaults.min_interval_minutes));
    spec.check_min_interval(min)
        .map_err(|e| UserError::new(e.to_string()))?;
    if h.store.schedules_of_couple(c.id).await?.len() >= MAX_SCHEDULES {
        return Err(UserError::new(format!(
            "A couple can have at most {MAX_SCHEDULES} schedules."
        ))
        .into());
    }
    let zone = match tz {
        Some(z) => z,
        None => Zone::parse(&c.timezone).map_err(|e| anyhow::anyhow!("stored timezone: {e}"))?,
    };
    let grace =
        grace.unwrap_or_else(|| Duration::minutes(i64::from(h.config.defaults.grace_minutes)));
    let now = h.now();
    let Some(next) = spec.next_after(now, zone) else {
        return Err(UserError::new(format!("'{}' never fires again.", spec.text())).into());
    };
    let id = h
        .store
        .add_schedule(
            &NewSchedule {
                couple_id: c.id,
                kind: kind.as_str(),
                spec: spec.text(),
                timezone: zone.name(),
                grace_secs: grace.num_seconds(),
                next_slot_at: if c.paused {
                    None
                } else {
                    Some(next.timestamp())
                },
                thread,
                created_by: &ctx.actor.user,
            },
            now.timestamp(),
        )
        .await?;
    let detail = format!(
        "#{id} {kind} '{}' {} grace {}m{}",
        spec.text(),
        zone.name(),
        grace.num_minutes(),
        if thread { " thread" } else { "" }
    );
    h.store
        .audit(
            &ctx.channel,
            Some(c.id),
            &ctx.actor.user,
            "schedule add",
            &detail,
            now.timestamp(),
        )
        .await?;
    h.nudge();
    Ok(Reply::public(format!(
        "Schedule #{id}: {kind} prompts {} ({}){}. Next: {}.",
        spec.describe(),
        zone.name(),
        if thread {
            ", each with a thread for answers"
        } else {
            ""
        },
        local(next.timestamp(), zone)
    )))
}

fn local(ts: i64, zone: Zone) -> String {
    DateTime::from_timestamp(ts, 0).map_or_else(
        || "?".into(),
        |t| {
            t.with_timezone(&zone.tz())
                .format("%a %d %b %H:%M %Z")
                .to_string()
        },
    )
}

pub async fn schedule_list(h: &Hearth, c: &Couple) -> R {
    let list = h.store.schedules_of_couple(c.id).await?;
    if list.is_empty() {
        return Ok(Reply::private(
            "No schedules yet. Try `schedule add conversation \"daily 20:00\"`.",
        ));
    }
    let mut out = String::from("Schedules in this channel:\n");
    for s in list {
        let zone = Zone::parse(&s.timezone).ok();
        let desc = ScheduleSpec::parse(&s.spec).map_or_else(|_| s.spec.clone(), |p| p.describe());
        let state = if !s.enabled {
            format!(
                "stopped: {}",
                s.disabled_reason.as_deref().unwrap_or("error")
            )
        } else if s.paused {
            "paused".into()
        } else if c.paused {
            "couple paused".into()
        } else {
            match (s.next_slot_at, zone) {
                (Some(t), Some(z)) => {
                    format!("next {}{}", local(t, z), super::zones::list_suffix(c, t, z))
                }
                _ => "no further slot".into(),
            }
        };
        out.push_str(&format!(
            "#{} {} · {} · {} · {}\n",
            s.id, s.kind, desc, s.timezone, state
        ));
    }
    Ok(Reply::private(out.trim_end()))
}

pub(super) async fn own_schedule(
    h: &Hearth,
    c: &Couple,
    id: i64,
) -> Result<crate::store::ScheduleRow, HandlerError> {
    match h.store.schedule(id).await? {
        Some(s) if s.couple_id == c.id => Ok(s),
        _ => Err(UserError::new(format!(
            "There is no schedule #{id} in this channel; `schedule list` shows them."
        ))
        .into()),
    }
}

pub async fn schedule_remove(h: &Hearth, ctx: &Ctx, c: &Couple, id: i64) -> R {
    let s = own_schedule(h, c, id).await?;
    h.store.remove_schedule(s.id).await?;
    let detail = format!("#{} {} '{}'", s.id, s.kind, s.spec);
    h.store
        .audit(
            &ctx.channel,
            Some(c.id),
            &ctx.actor.user,
            "schedule remove",
            &detail,
            h.now_secs(),
        )
        .await?;
    Ok(Reply::public(format!("Removed schedule #{id}.")))
}

pub async fn schedule_pause(h: &Hearth, ctx: &Ctx, c: &Couple, id: i64, pause: bool) -> R {
    let s = own_schedule(h, c, id).await?;
    let now = h.now();
    let next = if pause || c.paused {
        None
    } else {
        next_slot(&s.spec, &s.timezone, now)
    };
    h.store
        .set_schedule_paused(s.id, pause, next, now.timestamp())
        .await?;
    if !pause {
        h.store.set_next_slot(s.id, next).await?;
        h.nudge();
    }
    let action = if pause {
        "schedule pause"
    } else {
        "schedule resume"
    };
    h.store
        .audit(
            &ctx.channel,
            Some(c.id),
            &ctx.actor.user,
            action,
            &format!("#{id}"),
            now.timestamp(),
        )
        .await?;
    Ok(Reply::public(if pause {
        format!("Schedule #{id} paused.")
    } else {
        format!("Schedule #{id} resumed.")
    }))
}

pub async fn settings(h: &Hearth, ctx: &Ctx, tz: Option<Zone>, depth: Option<Depth>) -> R {
    if tz.is_some() || depth.is_some() {
        let now = h.now_secs();
        h.store
            .set_settings(
                &ctx.channel,
                tz.map(|z| z.name()),
                depth.map(Depth::as_str),
                &ctx.actor.user,
                now,
            )
            .await?;
        let mut parts = Vec::new();
        if let Some(z) = tz {
            parts.push(format!("timezone {}", z.name()));
        }
        if let Some(d) = depth {
            parts.push(format!("depth {d}"));
        }
        h.store
            .audit(
                &ctx.channel,
                None,
                &ctx.actor.user,
                "settings",
                &parts.join(", "),
                now,
            )
            .await?;
    }
    let (zone, depth) = server_defaults(h, ctx).await?;
    Ok(Reply::private(format!(
        "Server defaults for new couples: timezone {}, starting depth {depth}. \
         Change with `settings timezone <zone>` or `settings depth light|medium|deep`.",
        zone.name()
    )))
}

pub async fn audit(h: &Hearth, ctx: &Ctx, limit: u32) -> R {
    let entries = h
        .store
        .audit_entries(&ctx.channel, i64::from(limit))
        .await?;
    if entries.is_empty() {
        return Ok(Reply::private("No configuration changes recorded yet."));
    }
    let mut out = String::from("Recent changes (newest first):\n");
    for e in entries {
        let when = DateTime::from_timestamp(e.at, 0)
            .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
        out.push_str(&format!(
            "{when} · {} · {} · {}\n",
            e.actor, e.action, e.detail
        ));
    }
    Ok(Reply::private(out.trim_end()))
}
