//! `pause`, `pause --until <date>` and `resume`; and the end of a pause that was
//! given a date, which the engine reaches by itself.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{Command, Ctx, ParseError, Reply};
use crate::app::Hearth;
use crate::error::{HandlerError, UserError};
use crate::schedule::Zone;
use crate::store::Couple;

type R = Result<Reply, HandlerError>;

pub async fn pause(h: &Hearth, ctx: &Ctx, couple: &Couple, until: Option<NaiveDate>) -> R {
    let now = h.now();
    let zone = Zone::parse(&couple.timezone).map_or(chrono_tz::Tz::UTC, |z| z.tz());
    let resume_at = match until {
        None if couple.paused => {
            let end = h
                .store
                .pauses_of_couple(couple.id)
                .await?
                .into_iter()
                .rev()
                .find_map(|p| p.until_at.is_none().then_some(p.resume_at).flatten());
            return Ok(Reply::private(
                match end.and_then(|t| DateTime::from_timestamp(t, 0)) {
                    Some(t) => format!(
                        "Already paused, until {}; prompts resume by themselves then. `resume` brings them back sooner.",
                        t.with_timezone(&zone).format("%A %-d %B %Y")
                    ),
                    None => "Already paused.".to_string(),
                },
            ));
        }
        None => None,
        Some(date) => {
            let today = now.with_timezone(&zone).date_naive();
            if date <= today {
                return Err(UserError::new(format!(
                    "{} is not after today ({} in {}). Pick a later date, or type `pause` to pause until you resume.",
                    date.format("%Y-%m-%d"),
                    today.format("%Y-%m-%d"),
                    zone.name()
                ))
                .into());
            }
            Some(start_of(date, zone).ok_or_else(|| {
                UserError::new("That date does not exist in your timezone; try the day after.")
            })?)
        }
    };
    h.store
        .pause_couple(couple.id, now.timestamp(), resume_at.map(|t| t.timestamp()))
        .await?;
    let detail = until.map_or_else(
        || "couple schedules".to_string(),
        |d| format!("couple schedules until {}", d.format("%Y-%m-%d")),
    );
    h.store
        .audit(
            &ctx.channel,
            Some(couple.id),
            &ctx.actor.user,
            "pause",
            &detail,
            now.timestamp(),
        )
        .await?;
    Ok(Reply::public(match until {
        None => {
            "Paused. No scheduled prompts until someone types `resume`; nothing piles up meanwhile."
                .to_string()
        }
        Some(d) => format!(
            "Paused until {}. Scheduled prompts resume by themselves that day; `resume` brings them back sooner. Nothing piles up meanwhile, and your streak waits for you.",
            d.format("%A %-d %B %Y")
        ),
    }))
}

pub async fn resume(h: &Hearth, ctx: &Ctx, couple: &Couple) -> R {
    if !couple.paused {
        return Ok(Reply::private("Not paused."));
    }
    let now = h.now();
    resume_couple(h, couple.id, now).await?;
    h.store
        .audit(
            &ctx.channel,
            Some(couple.id),
            &ctx.actor.user,
            "resume",
            "couple schedules",
            now.timestamp(),
        )
        .await?;
    Ok(Reply::public(
        "Welcome back! Scheduled prompts start again from the next slot.",
    ))
}

/// Ends a couple's pause at `at` and puts its schedules back on the clock from there.
pub(crate) async fn resume_couple(
    h: &Hearth,
    couple_id: i64,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    h.store.resume_couple(couple_id, at.timestamp()).await?;
    for s in h.store.schedules_of_couple(couple_id).await? {
        if s.enabled && !s.paused {
            h.store
                .set_next_slot(s.id, super::couple::next_slot(&s.spec, &s.timezone, at))
                .await?;
        }
    }
    h.nudge();
    Ok(())
}

/// Midnight at the start of `date` in `zone` (or the first hour that exists, where
/// a clock change skips midnight).
fn start_of(date: NaiveDate, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    (0..3).find_map(|hour| {
        let local = date.and_hms_opt(hour, 0, 0)?;
        zone.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// `pause` or `pause --until 2026-12-24`.
pub(super) fn parse(args: &[&str]) -> Result<Command, ParseError> {
    match args {
        [] => Ok(Command::Pause { until: None }),
        [flag, date]
            if flag.eq_ignore_ascii_case("--until") || flag.eq_ignore_ascii_case("until") =>
        {
            let until = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                let shown: String = date.chars().take(40).collect();
                ParseError(format!(
                    "'{shown}' is not a date I can read. Use year-month-day, like `pause --until 2026-12-24`."
                ))
            })?;
            Ok(Command::Pause { until: Some(until) })
        }
        _ => super::parse::usage("pause"),
    }
}
