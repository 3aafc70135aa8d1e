//! The grammar of setting things up: `couple …`, `settings …`, `prompt-admin …`.

use super::{Command, ParseError, clip, err, looks_like_zone, usage, zone};
use crate::catalog::tags::Depth;

pub(super) fn couple(args: &[&str]) -> Result<Command, ParseError> {
    match args {
        [] | ["show"] => Ok(Command::CoupleShow),
        ["remove"] => Ok(Command::CoupleRemove),
        ["zone" | "timezone", member, z] => Ok(Command::CoupleZone {
            member: (*member).to_string(),
            zone: if ["default", "couple", "none"].contains(&z.to_lowercase().as_str()) {
                None
            } else {
                Some(zone(z)?)
            },
        }),
        ["zone" | "timezone", ..] => usage("couple zone"),
        ["add", rest @ ..] => {
            let (members, timezone) = match rest.split_last() {
                Some((last, init)) if looks_like_zone(last) => (init, Some(zone(last)?)),
                _ => (rest, None),
            };
            let mut list: Vec<String> = Vec::new();
            for m in members {
                let m = m.trim_matches(',').to_string();
                if !m.is_empty() && !list.contains(&m) {
                    list.push(m);
                }
            }
            if list.len() < 2 {
                return err(
                    "a couple needs at least two members: `couple add <member> <member> [timezone]`",
                );
            }
            Ok(Command::CoupleAdd {
                members: list,
                timezone,
            })
        }
        _ => usage("couple"),
    }
}

pub(super) fn prompt_admin(args: &[&str]) -> Result<Command, ParseError> {
    match args {
        [] | ["list"] => Ok(Command::PromptAdminList),
        ["remove", id] => {
            let n = id
                .trim_start_matches("custom-")
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0);
            n.map(|id| Command::PromptAdminRemove { id })
                .ok_or_else(|| {
                    ParseError(format!(
                        "'{}' is not a custom prompt id; `prompt-admin list` shows them",
                        clip(id)
                    ))
                })
        }
        ["add", kind, practice, intimacy, depth, text @ ..] if !text.is_empty() => {
            Ok(Command::PromptAdminAdd {
                kind: kind.to_lowercase(),
                practice: practice.to_lowercase(),
                intimacy: intimacy.to_lowercase(),
                depth: depth.to_lowercase(),
                text: text.join(" "),
            })
        }
        _ => usage("prompt-admin add"),
    }
}

pub(super) fn settings(args: &[&str]) -> Result<Command, ParseError> {
    let (mut timezone, mut depth) = (None, None);
    let mut it = args.iter();
    while let Some(key) = it.next() {
        let Some(value) = it.next() else {
            return usage("settings");
        };
        match key.to_lowercase().as_str() {
            "timezone" | "tz" => timezone = Some(zone(value)?),
            "depth" => {
                depth = Some(
                    value
                        .parse::<Depth>()
                        .map_err(|e| ParseError(e.to_string()))?,
                )
            }
            _ => return usage("settings"),
        }
    }
    Ok(Command::Settings { timezone, depth })
}
