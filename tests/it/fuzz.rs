//! Bad input, generated: the command parser, schedule specs, config files and prompt
//! files never panic, and every rejection says what is wrong (and where, for files).
//!
//! Bounded property tests (proptest) so the suite runs them on every CI run. Inputs
//! mix random Unicode with the hard cases: overlong lines, control characters,
//! right-to-left text, emoji with skin-tone modifiers and ZWJ sequences, SQL-looking
//! text and malformed TOML.

use std::path::Path;

use hearth::catalog::Catalog;
use hearth::commands::parse::{MAX_LINE, parse_line};
use hearth::config::Config;
use hearth::schedule::{ScheduleSpec, Zone};
use proptest::prelude::*;

use crate::support::app::{TestApp, utc};

/// Pieces that are hard on text handling.
const NASTY: &[&str] = &[
    "\u{202e}",   // right-to-left override
    "\u{200f}",   // right-to-left mark
    "שלום",       // Hebrew
    "مرحبا",      // Arabic
    "👍🏽",         // thumbs up, medium skin tone
    "👩‍❤️‍👨",         // couple with heart (ZWJ sequence)
    "🏳️‍🌈",         // rainbow flag (ZWJ with variation selector)
    "e\u{301}",   // e + combining acute
    "\u{0}",      // NUL
    "\u{7}",      // bell
    "\u{1b}[31m", // terminal escape
    "\r\n",       // CRLF
    "\t",         // tab
    "'; DROP TABLE couples; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM deliveries;--",
    "%s%n%x",
    "{{}}${x}",
    "\u{feff}", // byte order mark
    "\u{fffd}", // replacement character
    "𝕳𝖊𝖆𝖗𝖙𝖍",
    "\"",
    "'",
    "“",
];

/// Words that steer the parser into its sub-grammars.
const WORDS: &[&str] = &[
    "help",
    "schedule",
    "add",
    "remove",
    "list",
    "preview",
    "pause",
    "resume",
    "couple",
    "depth",
    "timezone",
    "prompt",
    "conversation",
    "appreciation",
    "check-in",
    "daily",
    "weekly",
    "20:00",
    "25:61",
    "0 20 * * *",
    "Europe/Berlin",
    "Mars/Olympus",
    "--thread",
    "--grace",
    "-1",
    "99999999999999999999",
    "@someone",
    "<@123>",
    "export",
    "forget-me",
    "stats",
    "history",
    "custom",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(NASTY).prop_map(str::to_string),
        proptest::sample::select(WORDS).prop_map(str::to_string),
        "\\PC{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

/// A line of up to a dozen pieces joined by spaces, sometimes made overlong.
fn line() -> impl Strategy<Value = String> {
    (proptest::collection::vec(piece(), 0..12), 0usize..4).prop_map(|(parts, grow)| {
        let mut s = parts.join(" ");
        if grow == 0 {
            s = s.repeat(MAX_LINE / s.len().max(1) + 2);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_command_parser_never_panics_and_says_what_is_wrong(l in line()) {
        match parse_line(&l, "!hearth", false) {
            Ok(_) => {}
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.chars().count() >= 12, "message too thin: {:?}", msg);
                prop_assert!(!msg.contains("ParseError") && !msg.contains("panicked"), "{:?}", msg);
                if l.trim().chars().count() > MAX_LINE {
                    prop_assert!(msg.contains("too long"), "{:?}", msg);
                } else if l.trim().chars().any(|c| c.is_control() && !c.is_whitespace()) {
                    prop_assert!(msg.contains("control characters"), "{:?}", msg);
                }
            }
        }
    }

    #[test]
    fn schedule_specs_never_panic_and_rejections_quote_the_input(
        s in prop_oneof![
            line(),
            proptest::collection::vec(
                proptest::sample::select(&["*", "*/0", "*/7", "0", "59", "60", "24", "-1", "1-5",
                    "MON-FRI", "SUN", "L", "?", "#", "1,2,3", "32", "13", "0-", "a", "🕰️"][..]),
                1..8,
            ).prop_map(|v| v.join(" ")),
            ("(daily|weekly|weekdays|weekends|every) ", "[0-9:apm ]{0,8}")
                .prop_map(|(a, b)| format!("{a}{b}")),
        ],
        zone in proptest::sample::select(&["UTC", "Europe/Berlin", "Pacific/Chatham", "Asia/Kathmandu"][..]),
    ) {
        match ScheduleSpec::parse(&s) {
            Ok(spec) => {
                // A spec that parses can be walked without trouble.
                let z = Zone::parse(zone).unwrap();
                let _ = spec.upcoming(utc(2026, 3, 28, 0, 0), z, 5);
                let _ = spec.check_min_interval(chrono::Duration::minutes(60));
                prop_assert!(!spec.describe().is_empty());
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.chars().count() >= 12, "{:?}", msg);
                // Names the input (its start, quoted), unless the input is blank or too
                // long to quote.
                let start: String = s.trim().chars().take(8).collect();
                if !start.is_empty() && !start.chars().any(char::is_control) {
                    prop_assert!(msg.contains(&start) || msg.contains("too long"), "{:?} for {:?}", msg, s);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn timezones_never_panic_and_rejections_name_the_zone(s in line()) {
        if let Err(e) = Zone::parse(&s) {
            let msg = e.to_string();
            prop_assert!(msg.chars().count() >= 12, "{:?}", msg);
        }
    }
}

/// Ways to break a TOML file, applied at a chosen line.
#[derive(Debug, Clone)]
enum Damage {
    Replace(String),
    Insert(String),
    Delete,
    Truncate,
}

const BAD_TOML: &[&str] = &[
    "[unterminated",
    "key = ",
    "= 1",
    "x = \"\"\"",
    "x = 'no end",
    "unknown_key = 1",
    "[[]]",
    "a.b.c = [1, 2",
    "timezone = 42",
    "depth = \"bottomless\"",
    "enabled = yes",
    "\u{0}",
    "[storage]\n[storage]",
    "id = \"'; DROP TABLE prompts; --\"",
    "text = \"\u{202e}\"",
    "grace_minutes = -5",
    "kind = \"conversation\"\nkind = \"closeness\"",
];

fn damage() -> impl Strategy<Value = (Damage, prop::sample::Index)> {
    let text = prop_oneof![
        proptest::sample::select(BAD_TOML).prop_map(str::to_string),
        line(),
    ];
    (
        prop_oneof![
            text.clone().prop_map(Damage::Replace),
            text.prop_map(Damage::Insert),
            Just(Damage::Delete),
            Just(Damage::Truncate),
        ],
        any::<prop::sample::Index>(),
    )
}

fn apply(original: &str, (d, at): &(Damage, prop::sample::Index)) -> String {
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    let i = at.index(lines.len().max(1));
    match d {
        Damage::Replace(t) => lines[i] = t.clone(),
        Damage::Insert(t) => lines.insert(i, t.clone()),
        Damage::Delete => {
            lines.remove(i);
        }
        Damage::Truncate => {
            let keep: String = lines[i]
                .chars()
                .take(lines[i].chars().count() / 2)
                .collect();
            lines.truncate(i);
            lines.push(keep);
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_config_is_refused_with_file_and_line(d in damage()) {
        let original = include_str!("../../config.example.toml");
        let text = apply(original, &d);
        let n_lines = text.lines().count().max(1);
        if let Err(e) = Config::parse(&text, "hearth.toml", Path::new("/tmp")) {
            let msg = e.to_string();
            prop_assert!(msg.starts_with("hearth.toml:"), "{:?}", msg);
            let line = e.line.expect("a parse error names its line");
            prop_assert!((1..=n_lines + 1).contains(&line), "line {} of {}: {:?}", line, n_lines, msg);
            prop_assert!(e.message.chars().count() >= 8, "{:?}", msg);
        }
    }

    #[test]
    fn a_damaged_prompt_file_is_refused_with_file_and_line(d in damage()) {
        let original = include_str!("../../prompts/check-in.toml");
        let text = apply(original, &d);
        let n_lines = text.lines().count().max(1);
        if let Err(errors) = Catalog::from_sources(&[("prompts/check-in.toml".to_string(), text)]) {
            prop_assert!(!errors.0.is_empty());
            for e in &errors.0 {
                prop_assert_eq!(&e.file, "prompts/check-in.toml");
                let line = e.line.expect("every prompt-file error names its line");
                prop_assert!((1..=n_lines + 1).contains(&line), "line {} of {}: {}", line, n_lines, e);
                prop_assert!(e.message.chars().count() >= 8, "{}", e);
            }
        }
    }
}

/// Distinct questions, so the near-duplicate check lets each one in.
const QUESTIONS: &[&str] = &[
    "What made you smile today",
    "Which song reminds you of our first trip",
    "Where would you walk together on a free Sunday",
    "What small habit of mine do you secretly enjoy",
    "Which meal would you cook for a rainy evening",
    "What did you learn this month that surprised you",
    "Which place from childhood would you show me first",
    "What book or film changed how you see friendship",
    "Which chore feels lighter when we share it",
    "What would a perfect lazy morning hold",
    "Which compliment from years ago still stays with you",
    "What tiny adventure could fit into next week",
    "Which question do you wish people asked you",
    "What game from long ago would you teach me",
    "Which smell brings back a happy holiday",
    "What are you quietly proud of this season",
    "Which view would you like to wake up to",
    "What helps you unwind after a hard call",
    "Which tradition would you like us to start",
    "What dream did you have as a teenager",
    "Which friend taught you something about kindness",
    "What sound makes a house feel like home",
    "Which skill would you like to learn side by side",
    "What gift meant more than its price",
];

/// Hard text through the whole command path and the database: no panic, always a
/// reply, and whatever a moderator typed comes back exactly when listed.
#[tokio::test]
async fn hostile_text_is_stored_and_shown_exactly() {
    let app = TestApp::new().await;
    app.set(utc(2026, 5, 1, 12, 0));
    let r = app.moderator("couple add alice sam Europe/Berlin").await;
    assert!(!r.is_error, "{}", r.text);
    let clean = |s: &str| s.replace(['"', '\'', '“'], "");
    let mut stored = Vec::new();
    let nasties: Vec<&str> = NASTY
        .iter()
        .copied()
        .filter(|s| !s.chars().any(char::is_control))
        .collect();
    for (nasty, q) in nasties.iter().zip(QUESTIONS) {
        let text = clean(&format!("{q} {nasty}?"));
        let line = format!("prompt-admin add conversation appreciation emotional light \"{text}\"");
        let reply = app.moderator(&line).await;
        assert!(!reply.text.trim().is_empty(), "no reply for {nasty:?}");
        assert!(!reply.is_error, "{nasty:?} refused: {}", reply.text);
        stored.push(text);
    }
    let listed = app.moderator("prompt-admin list").await.text;
    for text in &stored {
        assert!(
            listed.contains(text.as_str()),
            "{text:?} missing from:\n{listed}"
        );
    }
    assert!(app.hearth.store.health().await.is_ok());
    // Every line the parser accepts is handled with a reply, never a panic.
    for l in [
        "schedule add conversation \"daily 20:00\" '; DROP TABLE schedules; --",
        "timezone \u{202e}Europe/Berlin",
        "depth 👩‍❤️‍👨",
        "history 99999999999999999999",
    ] {
        let r = app.moderator(l).await;
        assert!(!r.text.trim().is_empty(), "{l:?}");
    }
    assert!(app.hearth.store.health().await.is_ok());
}
