//! Turning what people write into a cron expression: 5-field crontab lines, 6/7-field
//! cron, and friendly forms like `daily 20:00` or `mon,wed,fri 07:30`.

use std::fmt;

/// Longest spec accepted.
const MAX_LEN: usize = 200;

/// A spec that cannot be used, with a sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// What a spec turned into: the cron expression and a description for people.
pub(super) struct Parsed {
    pub cron: String,
    pub describe: String,
}

const DAYS: [(&str, &str, &str); 7] = [
    ("sun", "sunday", "Sun"),
    ("mon", "monday", "Mon"),
    ("tue", "tuesday", "Tue"),
    ("wed", "wednesday", "Wed"),
    ("thu", "thursday", "Thu"),
    ("fri", "friday", "Fri"),
    ("sat", "saturday", "Sat"),
];

fn quoted(s: &str) -> String {
    let mut c: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        c.push('…');
    }
    format!("'{c}'")
}

pub(super) fn parse(text: &str) -> Result<Parsed, SpecError> {
    let q = quoted(text);
    if text.is_empty() {
        return Err(SpecError(
            "the schedule is empty: try `daily 20:00` or a cron line like `0 20 * * *`".into(),
        ));
    }
    if text.chars().count() > MAX_LEN {
        return Err(SpecError(format!(
            "{q}: a schedule can be at most {MAX_LEN} characters"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(SpecError(format!("{q}: contains control characters")));
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = words.first().copied().unwrap_or_default();
    if first.starts_with(|c: char| c.is_ascii_digit() || c == '*' || c == '?') {
        return cron_fields(text, &words);
    }
    friendly(text, &words)
}

fn cron_fields(text: &str, words: &[&str]) -> Result<Parsed, SpecError> {
    let q = quoted(text);
    let cron = match words.len() {
        5 => {
            let dow = crontab_weekdays(words[4]).map_err(|e| SpecError(format!("{q}: {e}")))?;
            format!(
                "0 {} {} {} {} {}",
                words[0], words[1], words[2], words[3], dow
            )
        }
        6 | 7 => words.join(" "),
        n => {
            return Err(SpecError(format!(
                "{q}: a cron line has 5 fields (minute hour day month weekday), or 6-7 with seconds \
                 first and an optional year; this one has {n}"
            )));
        }
    };
    Ok(Parsed {
        describe: format!("cron `{}`", words.join(" ")),
        cron,
    })
}

/// Crontab numbers weekdays 0-7 with 0 and 7 for Sunday; the cron crate 1-7 from
/// Sunday. Numbers become names so `1-5` keeps meaning Monday to Friday.
fn crontab_weekdays(field: &str) -> Result<String, String> {
    let mut out: Vec<String> = Vec::new();
    for item in field.split(',') {
        if item == "*"
            || item == "?"
            || item.starts_with("*/")
            || item.chars().any(|c| c.is_ascii_alphabetic())
        {
            out.push(item.to_string());
            continue;
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<usize>()
                    .map_err(|_| format!("bad step in weekday field '{item}'"))?,
            ),
            None => (item, 1),
        };
        let num = |s: &str| {
            s.parse::<usize>().ok().filter(|n| *n <= 7).ok_or_else(|| {
                format!("weekday '{s}' must be 0-7 (0 and 7 are Sunday) or a name like mon")
            })
        };
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(range)?, num(range)?),
        };
        if a > b || step == 0 {
            return Err(format!("weekday range '{item}' is empty"));
        }
        for n in (a..=b).step_by(step) {
            let name = DAYS[n % 7].2.to_string();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    Ok(out.join(","))
}

fn friendly(text: &str, words: &[&str]) -> Result<Parsed, SpecError> {
    let q = quoted(text);
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let lw: Vec<&str> = lower.iter().map(String::as_str).collect();
    let hint = "use `daily HH:MM`, `weekdays HH:MM`, `weekends HH:MM`, `mon,wed,fri HH:MM`, \
                `weekly sun HH:MM` or a cron line like `0 20 * * *`";
    let (days, days_text, time) = match lw.as_slice() {
        ["daily" | "everyday", t] | ["every", "day", "at", t] | ["every", "day", t] => {
            ("*".to_string(), "every day".to_string(), *t)
        }
        ["weekdays", t] => ("Mon-Fri".into(), "weekdays (Mon-Fri)".into(), *t),
        ["weekends", t] => ("Sat,Sun".into(), "weekends (Sat, Sun)".into(), *t),
        ["weekly", d, t] | ["every", d, t] | ["every", d, "at", t] => {
            let day = day_name(d).map_err(|e| SpecError(format!("{q}: {e}")))?;
            (day.to_string(), format!("every {}", full_day(day)), *t)
        }
        [list, t] if list.chars().all(|c| c.is_ascii_alphabetic() || c == ',') => {
            let mut names: Vec<&str> = Vec::new();
            for d in list.split(',').filter(|d| !d.is_empty()) {
                let n = day_name(d).map_err(|e| SpecError(format!("{q}: {e}")))?;
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            if names.is_empty() {
                return Err(SpecError(format!("{q}: {hint}")));
            }
            (names.join(","), names.join(", "), *t)
        }
        _ => return Err(SpecError(format!("{q} is not a schedule I know: {hint}"))),
    };
    let (h, m) = hh_mm(time).map_err(|e| SpecError(format!("{q}: {e}")))?;
    Ok(Parsed {
        cron: format!("0 {m} {h} * * {days}"),
        describe: format!("{days_text} at {h:02}:{m:02}"),
    })
}

fn day_name(d: &str) -> Result<&'static str, String> {
    DAYS.iter()
        .find(|(short, long, _)| d == *short || d == *long)
        .map(|(_, _, name)| *name)
        .ok_or_else(|| {
            format!(
                "unknown day '{}' (use mon, tue, wed, thu, fri, sat, sun)",
                d.chars().take(20).collect::<String>()
            )
        })
}

fn full_day(name: &str) -> &'static str {
    match name {
        "Mon" => "Monday",
        "Tue" => "Tuesday",
        "Wed" => "Wednesday",
        "Thu" => "Thursday",
        "Fri" => "Friday",
        "Sat" => "Saturday",
        _ => "Sunday",
    }
}

fn hh_mm(t: &str) -> Result<(u32, u32), String> {
    let Some((h, m)) = t.split_once(':') else {
        return Err(format!(
            "'{}' is not a time: write HH:MM, like 20:00",
            t.chars().take(20).collect::<String>()
        ));
    };
    let h: u32 = h
        .parse()
        .map_err(|_| format!("'{t}': the hour is not a number"))?;
    if h > 23 {
        return Err(format!("hour must be 0-23, not {h}"));
    }
    if m.len() != 2 {
        return Err(format!("'{t}': write minutes with two digits, like 07:05"));
    }
    let m: u32 = m
        .parse()
        .map_err(|_| format!("'{t}': the minutes are not a number"))?;
    if m > 59 {
        return Err(format!("minute must be 0-59, not {m}"));
    }
    Ok((h, m))
}
