//! The grammar of the rituals: `schedule preview`, `schedule add … --fair`, and
//! deciding on suggested prompts (`approve`, `reject`).

use super::{Command, ParseError, clip, err, looks_like_zone, schedule_id, usage, zone};
use crate::commands::command::{FairRequest, PreviewTarget};
use crate::schedule::ScheduleSpec;
use crate::schedule::fair::Window;

// Two timezones: `schedule preview` and `schedule add … --fair`.

pub(super) fn preview(args: &[&str]) -> Result<Command, ParseError> {
    if let [id] = args
        && id
            .trim_start_matches('#')
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return Ok(Command::SchedulePreview {
            target: PreviewTarget::Schedule(schedule_id(id)?),
        });
    }
    let mut rest = args.to_vec();
    let mut timezone = None;
    if rest.len() > 1 && rest.last().is_some_and(|l| looks_like_zone(l)) {
        timezone = Some(zone(rest.pop().unwrap_or_default())?);
    }
    let spec = ScheduleSpec::parse(&rest.join(" ")).map_err(|e| ParseError(e.to_string()))?;
    Ok(Command::SchedulePreview {
        target: PreviewTarget::Spec {
            spec: Box::new(spec),
            timezone,
        },
    })
}

/// `daily evening`, `weekly sun 19:00-21:00`: the days, then the wanted local hours.
/// The returned spec holds the window's start until the fair time is chosen.
pub(super) fn fair_when(text: &str) -> Result<(ScheduleSpec, FairRequest), ParseError> {
    let hint = "--fair takes days and the hours you'd like, like `daily evening`, \
                `weekdays 07:00-08:30` or `weekly sun 19:00`";
    let Some((days, target)) = text.trim().rsplit_once(char::is_whitespace) else {
        return err(hint);
    };
    let days = days.trim();
    if days.starts_with(|c: char| c.is_ascii_digit() || c == '*' || c == '?') {
        return err(format!("a cron line cannot be made fair: {hint}"));
    }
    let window = Window::parse(target).map_err(ParseError)?;
    let start = format!("{days} {:02}:{:02}", window.start / 60, window.start % 60);
    let spec = ScheduleSpec::parse(&start).map_err(|e| ParseError(e.to_string()))?;
    Ok((
        spec,
        FairRequest {
            days: days.to_string(),
            window,
        },
    ))
}

// Suggested prompts: `approve <id> [tags]`, `reject <id> [reason]`.

fn suggestion_id(s: &str) -> Result<i64, ParseError> {
    s.trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            ParseError(format!(
                "'{}' is not a suggestion number; `suggestions list` shows them",
                clip(s)
            ))
        })
}

pub(super) fn approve(args: &[&str]) -> Result<Command, ParseError> {
    let [id, tags @ ..] = args else {
        return usage("approve");
    };
    Ok(Command::Approve {
        id: suggestion_id(id)?,
        tags: tags
            .iter()
            .flat_map(|t| t.split([' ', ',']))
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase)
            .collect(),
    })
}

pub(super) fn reject(args: &[&str]) -> Result<Command, ParseError> {
    let [id, reason @ ..] = args else {
        return usage("reject");
    };
    let reason = reason.join(" ");
    Ok(Command::Reject {
        id: suggestion_id(id)?,
        reason: (!reason.trim().is_empty()).then(|| reason.trim().to_string()),
    })
}
