//! The grammar of `answer` (free text, taken as typed) and `reveal`.

use super::parse::{Command, ParseError, clip, usage};

/// `answer <text>`: the text after the word, untouched (it is checked when stored).
pub(super) fn raw_answer(rest: &str) -> Option<String> {
    let t = rest.trim_start();
    let end = t.find(char::is_whitespace).unwrap_or(t.len());
    t[..end]
        .eq_ignore_ascii_case("answer")
        .then(|| t[end..].trim().to_string())
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
