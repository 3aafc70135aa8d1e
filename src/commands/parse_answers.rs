//! The grammar of `answer` and `appreciate` (free text, taken as typed), `reveal`
//! and `digest`.

use super::command::DigestAction;
use super::parse::{Command, ParseError, clip, usage};
use crate::schedule::ScheduleSpec;

/// `answer <text>`: the text after the word, untouched (it is checked when stored).
pub(super) fn raw_answer(rest: &str) -> Option<String> {
    let t = rest.trim_start();
    let end = t.find(char::is_whitespace).unwrap_or(t.len());
    t[..end]
        .eq_ignore_ascii_case("answer")
        .then(|| t[end..].trim().to_string())
}

/// `appreciate [@member] <text>`: the text taken as typed. A first word that names
/// someone (`@sam`, a Discord mention, a Matrix id) is whom it is for.
pub(super) fn raw_appreciate(rest: &str) -> Option<Result<Command, ParseError>> {
    let t = rest.trim_start();
    let end = t.find(char::is_whitespace).unwrap_or(t.len());
    let word = &t[..end];
    if !(word.eq_ignore_ascii_case("appreciate") || word.eq_ignore_ascii_case("thanks")) {
        return None;
    }
    let body = t[end..].trim();
    let (to, text) = match body.split_once(char::is_whitespace) {
        Some((first, text)) if first.starts_with('@') || first.starts_with("<@") => {
            (Some(first.to_string()), text.trim())
        }
        None if body.starts_with('@') || body.starts_with("<@") => (Some(body.to_string()), ""),
        _ => (None, body),
    };
    if text.is_empty() {
        return Some(usage("appreciate"));
    }
    Some(Ok(Command::Appreciate {
        to,
        text: text.to_string(),
    }))
}

/// `digest`, `digest preview`, `digest off`, `digest on`, `digest <schedule>`.
pub(super) fn digest(args: &[&str]) -> Result<Command, ParseError> {
    let action = match args {
        [] | ["show"] => DigestAction::Show,
        [w] if w.eq_ignore_ascii_case("preview") || w.eq_ignore_ascii_case("now") => {
            DigestAction::Preview
        }
        [w] if w.eq_ignore_ascii_case("off") => DigestAction::Off,
        [w] if w.eq_ignore_ascii_case("on") || w.eq_ignore_ascii_case("default") => {
            DigestAction::On
        }
        spec => DigestAction::Set(Box::new(
            ScheduleSpec::parse(&spec.join(" ")).map_err(|e| ParseError(e.to_string()))?,
        )),
    };
    Ok(Command::Digest { action })
}

/// `reveal`, `reveal both`, `reveal after 24h` (or `reveal 24h`).
pub(super) fn reveal(args: &[&str]) -> Result<Command, ParseError> {
    let lower: Vec<String> = args.iter().map(|a| a.to_lowercase()).collect();
    let words: Vec<&str> = lower.iter().map(String::as_str).collect();
    let policy = match words.as_slice() {
        [] => None,
        ["both" | "together" | "all" | "never-alone"] => Some(None),
        ["after", h] | [h] => {
            let n = h
                .trim_end_matches('h')
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=168).contains(n))
                .ok_or_else(|| {
                    ParseError(format!(
                        "'{}' is not a number of hours from 1 to 168, like `reveal after 24h`",
                        clip(h)
                    ))
                })?;
            Some(Some(n * 3600))
        }
        _ => return usage("reveal"),
    };
    Ok(Command::Reveal { policy })
}
