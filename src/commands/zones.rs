//! Partners in two timezones: each member's own zone (`couple zone`), slots shown in
//! everyone's local time (`schedule preview`, `schedule list`), and
//! `schedule add … --fair`.

use chrono::{DateTime, Offset, Utc};

use super::command::{FairRequest, PreviewTarget};
use super::moderate::{ScheduleOptions, own_schedule, schedule_add};
use super::{Ctx, Reply};
use crate::app::Hearth;
use crate::catalog::tags::Kind;
use crate::error::{HandlerError, UserError};
use crate::schedule::fair::{fair_time, how_far, span};
use crate::schedule::{ScheduleSpec, Zone};
use crate::store::Couple;

type R = Result<Reply, HandlerError>;

/// Slots shown by `schedule preview`.
const PREVIEW_COUNT: usize = 5;

/// Each member with the zone they live in (their own, else the couple's).
pub fn member_zones(c: &Couple) -> Vec<(String, Zone)> {
    let couple_zone = Zone::parse(&c.timezone).ok();
    c.members
        .iter()
        .filter_map(|m| {
            let z = Zone::parse(c.zone_of(m)).ok().or(couple_zone)?;
            Some((m.clone(), z))
        })
        .collect()
}

/// "alice Mon 01 Jun 20:00 CEST · sam Mon 01 Jun 11:00 PDT".
pub fn each_local(c: &Couple, ts: i64) -> String {
    let Some(t) = DateTime::from_timestamp(ts, 0) else {
        return "?".into();
    };
    member_zones(c)
        .iter()
        .map(|(m, z)| {
            format!(
                "{m} {}",
                t.with_timezone(&z.tz()).format("%a %d %b %H:%M %Z")
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// For `schedule list`: everyone's local time, when someone lives outside `zone`.
pub fn list_suffix(c: &Couple, ts: i64, zone: Zone) -> String {
    if member_zones(c).iter().all(|(_, z)| *z == zone) {
        String::new()
    } else {
        format!(" ({})", each_local(c, ts))
    }
}

/// `<@123>` and `<@!123>` (Discord mentions) become the id.
pub(super) fn member_id(s: &str) -> String {
    s.strip_prefix("<@")
        .and_then(|r| r.strip_suffix('>'))
        .map_or(s, |r| r.trim_start_matches('!'))
        .to_string()
}

pub async fn couple_zone(h: &Hearth, ctx: &Ctx, c: &Couple, member: &str, zone: Option<Zone>) -> R {
    let who = if member.eq_ignore_ascii_case("me") {
        ctx.actor.user.clone()
    } else {
        member_id(member)
    };
    if !h
        .store
        .set_member_timezone(c.id, &who, zone.map(|z| z.name()))
        .await?
    {
        let shown: String = who.chars().take(40).collect();
        return Err(UserError::new(format!(
            "'{shown}' is not a member of this couple ({}). `couple zone me <zone>` sets your own.",
            c.members.join(" & ")
        ))
        .into());
    }
    let detail = format!("{who} {}", zone.map_or("couple timezone", |z| z.name()));
    h.store
        .audit(
            &ctx.channel,
            Some(c.id),
            &ctx.actor.user,
            "couple zone",
            &detail,
            h.now_secs(),
        )
        .await?;
    Ok(Reply::public(match zone {
        Some(z) => format!(
            "{who} lives in {}: schedules show their local time too. `schedule preview <id>` shows the next slots for each of you.",
            z.name()
        ),
        None => format!(
            "{who} follows the couple's timezone ({}) again.",
            c.timezone
        ),
    }))
}

pub async fn schedule_preview(h: &Hearth, c: &Couple, target: PreviewTarget) -> R {
    let (title, spec, zone) = match target {
        PreviewTarget::Schedule(id) => {
            let s = own_schedule(h, c, id).await?;
            let spec = ScheduleSpec::parse(&s.spec)
                .map_err(|e| anyhow::anyhow!("stored schedule #{id}: {e}"))?;
            let zone = Zone::parse(&s.timezone)
                .map_err(|e| anyhow::anyhow!("stored schedule #{id}: {e}"))?;
            let title = format!("Schedule #{id}: {} ({})", spec.describe(), zone.name());
            (title, spec, zone)
        }
        PreviewTarget::Spec { spec, timezone } => {
            let zone = match timezone {
                Some(z) => z,
                None => {
                    Zone::parse(&c.timezone).map_err(|e| anyhow::anyhow!("stored timezone: {e}"))?
                }
            };
            let title = format!("{} ({})", spec.describe(), zone.name());
            (title, *spec, zone)
        }
    };
    let slots = spec.upcoming(h.now(), zone, PREVIEW_COUNT);
    if slots.is_empty() {
        return Ok(Reply::private(format!("{title} never fires again.")));
    }
    let zones = member_zones(c);
    let mut out = format!("{title}. The next {} slots for each of you:\n", slots.len());
    let mut prev: Option<Vec<i32>> = None;
    for t in slots {
        out.push_str(&format!("• {}", each_local(c, t.timestamp())));
        let offsets: Vec<i32> = zones.iter().map(|(_, z)| offset(t, *z)).collect();
        if let Some(p) = prev.as_ref().filter(|p| **p != offsets) {
            out.push_str(&clocks_changed(&zones, p, &offsets));
        }
        prev = Some(offsets);
        out.push('\n');
    }
    Ok(Reply::private(out.trim_end()))
}

fn offset(t: DateTime<Utc>, z: Zone) -> i32 {
    t.with_timezone(&z.tz()).offset().fix().local_minus_utc()
}

fn clocks_changed(zones: &[(String, Zone)], before: &[i32], now: &[i32]) -> String {
    match (zones, before, now) {
        ([(a, _), (b, _)], [a0, b0], [a1, b1]) if a0 - b0 != a1 - b1 => format!(
            "  (the clocks changed: {a} and {b} are now {} apart, {} before)",
            span(i64::from((a1 - b1) / 60)),
            span(i64::from((a0 - b0) / 60))
        ),
        _ => "  (the clocks changed)".into(),
    }
}

/// `schedule add … --fair`: picks the time, adds the schedule, and says why.
pub async fn schedule_add_fair(
    h: &Hearth,
    ctx: &Ctx,
    c: &Couple,
    kind: Kind,
    fair: &FairRequest,
    opts: ScheduleOptions,
) -> R {
    let zone = match opts.timezone {
        Some(z) => z,
        None => Zone::parse(&c.timezone).map_err(|e| anyhow::anyhow!("stored timezone: {e}"))?,
    };
    let zones = member_zones(c);
    let only: Vec<Zone> = zones.iter().map(|(_, z)| *z).collect();
    let choice = fair_time(zone, &only, &fair.window, h.now());
    let text = format!("{} {}", fair.days, choice.time.format("%H:%M"));
    let spec = ScheduleSpec::parse(&text).map_err(|e| UserError::new(e.to_string()))?;
    let next = spec.next_after(h.now(), zone);
    let mut reply = schedule_add(h, ctx, c, kind, spec, opts).await?;
    let far = next.map_or_else(Vec::new, |t| how_far(&fair.window, t, &only));
    let window = fair.window.describe();
    let both = if zones.len() > 2 {
        "all of you"
    } else {
        "both of you"
    };
    let each: Vec<String> = zones
        .iter()
        .zip(&far)
        .map(|((m, _), (local, off))| {
            let rel = match off {
                0 => String::new(),
                o if *o < 0 => format!(", {} before", span(*o)),
                o => format!(", {} after", span(*o)),
            };
            format!("{m} {}{rel}", local.format("%H:%M %Z"))
        })
        .collect();
    let why = if choice.worst_minutes == 0 {
        format!(
            "\nFair time: {} {}, in the {window} for {both} all year: {}.",
            choice.time.format("%H:%M"),
            zone.name(),
            each.join(", ")
        )
    } else {
        format!(
            "\nFair time: {} {}. No time is in the {window} for {both}; this is the closest for {both}: {}.",
            choice.time.format("%H:%M"),
            zone.name(),
            each.join(", ")
        )
    };
    reply.text.push_str(&why);
    Ok(reply)
}
