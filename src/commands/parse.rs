//! The text grammar of commands, shared by Matrix (`!hearth …`), the shell, and
//! tests. Discord's slash commands build the same [`Command`] values from options.

use chrono::Duration;

use crate::catalog::tags::Kind;

pub use super::command::Command;
use crate::schedule::{ScheduleSpec, Zone};

// The grammar of the rituals: two timezones and suggested prompts.
mod rituals;
use rituals::{approve, fair_when, preview, reject};
// The grammar of setting up: couples, server settings, the server's own prompts.
mod setup;
use setup::{couple, prompt_admin, settings};

/// Longest command line accepted.
pub const MAX_LINE: usize = 1000;

/// A line that is not a valid command, with a message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(msg.into()))
}

/// Splits a line into words; "double", 'single' and “curly” quotes group words.
pub fn tokenize(line: &str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q || (q == '“' && c == '”') => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' || c == '“' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return err("a quote is not closed: check the line's quotation marks");
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// Parses a command line. `prefix` (like `!hearth`) is stripped when present; with
/// `require_prefix`, a line without it is not for us (`Ok(None)`).
pub fn parse_line(
    line: &str,
    prefix: &str,
    require_prefix: bool,
) -> Result<Option<Command>, ParseError> {
    let line = line.trim();
    let rest = match line.strip_prefix(prefix) {
        Some(r) if r.is_empty() || r.starts_with(char::is_whitespace) => r,
        _ if require_prefix => return Ok(None),
        _ => line,
    };
    // An answer is free text: taken as typed, apostrophes and quotes included.
    if let Some(text) = super::parse_answers::raw_answer(rest) {
        return Ok(Some(Command::Answer { text }));
    }
    if let Some(cmd) = super::parse_answers::raw_appreciate(rest) {
        return cmd.map(Some);
    }
    if rest.chars().count() > MAX_LINE {
        return err(format!(
            "that line is too long (over {MAX_LINE} characters)"
        ));
    }
    if rest.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return err("that line contains control characters; please type it again as plain text");
    }
    let words = tokenize(rest)?;
    parse_words(&words).map(Some)
}

/// Parses already split words (without the prefix).
pub fn parse_words(words: &[String]) -> Result<Command, ParseError> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let Some((&first, args)) = w.split_first() else {
        return Ok(Command::Help { topic: None });
    };
    let cmd = first.to_lowercase();
    match cmd.as_str() {
        "help" | "?" => Ok(Command::Help {
            topic: (!args.is_empty()).then(|| args.join(" ")),
        }),
        "prompt" | "now" => match args {
            [] => Ok(Command::Prompt { kind: None }),
            [k] => Ok(Command::Prompt {
                kind: Some(kind(k)?),
            }),
            _ => usage("prompt"),
        },
        "skip" | "another" => none(args, Command::Skip, "skip"),
        "answer" => Ok(Command::Answer {
            text: args.join(" "),
        }),
        "reveal" => super::parse_answers::reveal(args),
        "pause" => super::pause::parse(args),
        "resume" => none(args, Command::Resume, "resume"),
        "history" => Ok(Command::History {
            limit: count(args, 10, "history")?,
        }),
        "stats" => none(args, Command::Stats, "stats"),
        "export" => none(args, Command::Export, "export"),
        "forget-me" | "forgetme" => match args {
            [] => Ok(Command::ForgetMe { confirm: false }),
            [c] if c.eq_ignore_ascii_case("confirm") => Ok(Command::ForgetMe { confirm: true }),
            _ => usage("forget-me"),
        },
        "couple" => couple(args),
        "schedule" | "schedules" => schedule(args),
        "settings" => settings(args),
        "prompt-admin" => prompt_admin(args),
        "suggest" => match args {
            [k, text @ ..] if !text.is_empty() => Ok(Command::Suggest {
                kind: kind(k)?,
                text: text.join(" "),
            }),
            _ => usage("suggest"),
        },
        "suggestions" => match args {
            [] | ["list"] => Ok(Command::SuggestionsList),
            ["approve", rest @ ..] => approve(rest),
            ["reject", rest @ ..] => reject(rest),
            _ => usage("suggestions list"),
        },
        "approve" => approve(args),
        "appreciate" | "thanks" => match args {
            [to, text @ ..]
                if (to.starts_with('@') || to.starts_with("<@")) && !text.is_empty() =>
            {
                Ok(Command::Appreciate {
                    to: Some((*to).to_string()),
                    text: text.join(" "),
                })
            }
            [] => usage("appreciate"),
            text => Ok(Command::Appreciate {
                to: None,
                text: text.join(" "),
            }),
        },
        "jar" => none(args, Command::Jar, "jar"),
        "digest" => super::parse_answers::digest(args),
        "reject" => reject(args),
        "audit" => Ok(Command::Audit {
            limit: count(args, 20, "audit")?,
        }),
        other => err(format!(
            "I don't know the command '{}'.{} Type `help` to see them all.",
            clip(other),
            suggest(other)
                .map(|s| format!(" Did you mean `{s}`?"))
                .unwrap_or_default()
        )),
    }
}

fn schedule(args: &[&str]) -> Result<Command, ParseError> {
    match args {
        [] | ["list"] => Ok(Command::ScheduleList),
        ["remove" | "delete", id] => Ok(Command::ScheduleRemove {
            id: schedule_id(id)?,
        }),
        ["pause", id] => Ok(Command::SchedulePause {
            id: schedule_id(id)?,
        }),
        ["resume", id] => Ok(Command::ScheduleResume {
            id: schedule_id(id)?,
        }),
        ["preview", rest @ ..] if !rest.is_empty() => preview(rest),
        ["preview"] => usage("schedule preview"),
        ["add", k, rest @ ..] if !rest.is_empty() => {
            let kind = kind(k)?;
            let mut rest: Vec<&str> = rest.to_vec();
            let before = rest.len();
            rest.retain(|w| !w.eq_ignore_ascii_case("--fair"));
            let fair = rest.len() != before;
            let thread = rest
                .last()
                .is_some_and(|l| l.eq_ignore_ascii_case("thread"));
            if thread {
                rest.pop();
            }
            let mut grace = None;
            if let Some(g) = rest.last().and_then(|l| parse_grace(l)) {
                grace = Some(g?);
                rest.pop();
            }
            let mut timezone = None;
            if rest.len() > 1 && rest.last().is_some_and(|l| looks_like_zone(l)) {
                timezone = Some(zone(rest.pop().unwrap_or_default())?);
            }
            let text = rest.join(" ");
            let (spec, fair) = if fair {
                let (spec, req) = fair_when(&text)?;
                (spec, Some(req))
            } else {
                let spec = ScheduleSpec::parse(&text).map_err(|e| ParseError(e.to_string()))?;
                (spec, None)
            };
            Ok(Command::ScheduleAdd {
                kind,
                spec: Box::new(spec),
                timezone,
                grace,
                thread,
                fair,
            })
        }
        _ => usage("schedule"),
    }
}

fn none(args: &[&str], cmd: Command, name: &str) -> Result<Command, ParseError> {
    if args.is_empty() {
        Ok(cmd)
    } else {
        usage(name)
    }
}

pub(super) fn usage<T>(name: &str) -> Result<T, ParseError> {
    err(format!("Usage: `{}`", super::help::usage(name)))
}

fn kind(s: &str) -> Result<Kind, ParseError> {
    s.to_lowercase()
        .parse::<Kind>()
        .map_err(|e| ParseError(e.to_string()))
}

fn zone(s: &str) -> Result<Zone, ParseError> {
    Zone::parse(s).map_err(|e| ParseError(e.to_string()))
}

fn looks_like_zone(s: &str) -> bool {
    s.contains('/') || s.eq_ignore_ascii_case("utc")
}

fn schedule_id(s: &str) -> Result<i64, ParseError> {
    s.trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            ParseError(format!(
                "'{}' is not a schedule id; `schedule list` shows them",
                clip(s)
            ))
        })
}

fn count(args: &[&str], default: u32, name: &str) -> Result<u32, ParseError> {
    match args {
        [] => Ok(default),
        [n] => n
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ParseError(format!("`{name}` takes a number from 1 to 100"))),
        _ => usage(name),
    }
}

/// `2h`, `90m`, `grace=2h`: Some(result) when the word is meant as a grace period.
fn parse_grace(word: &str) -> Option<Result<Duration, ParseError>> {
    let w = word.strip_prefix("grace=").unwrap_or(word);
    let explicit = word.starts_with("grace=");
    let (num, unit) = w.split_at(w.find(|c: char| !c.is_ascii_digit())?);
    if num.is_empty() {
        return explicit.then(|| err("grace takes a number with m or h, like `grace=90m`"));
    }
    let n: i64 = num.parse().ok()?;
    let d = match unit {
        "m" | "min" => Duration::minutes(n),
        "h" => Duration::hours(n),
        _ => return explicit.then(|| err("grace takes a number with m or h, like `grace=90m`")),
    };
    if d > Duration::hours(24) {
        return Some(err("grace can be at most 24h"));
    }
    Some(Ok(d))
}

/// Keeps echoed user text short in messages.
pub(super) fn clip(s: &str) -> String {
    let mut c: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        c.push('…');
    }
    c
}

fn suggest(word: &str) -> Option<&'static str> {
    super::help::NAMES
        .iter()
        .map(|n| (strsim_distance(word, n), *n))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance, small and dependency-free.
fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
