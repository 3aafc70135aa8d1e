//! Loading and checking prompt files.

use super::Catalog;
use super::check::{check, near_duplicates, similarity};

fn file(body: &str) -> Vec<(String, String)> {
    vec![("prompts/test.toml".to_string(), body.to_string())]
}

fn prompt(id: &str, practice: &str, text: &str) -> String {
    format!(
        "[[prompt]]\nid = \"{id}\"\nkind = \"conversation\"\npractice = \"{practice}\"\nintimacy = \"emotional\"\ndepth = \"light\"\ntext = \"{text}\"\n\n"
    )
}

#[test]
fn errors_name_file_line_and_id() {
    let long = "x".repeat(300);
    let body = format!(
        "{}{}{}",
        prompt("ok-1", "active-listening", "What made you laugh today?"),
        prompt(
            "bad-tag",
            "listening",
            "What did you notice about me today?"
        ),
        prompt("too-long", "vulnerability", &long)
    );
    let e = Catalog::from_sources(&file(&body)).unwrap_err();
    let text = e.to_string();
    assert_eq!(e.0.len(), 2, "{text}");
    assert!(
        text.contains("prompts/test.toml:12: prompt bad-tag: unknown practice 'listening'"),
        "{text}"
    );
    assert!(
        text.contains("prompts/test.toml:23: prompt too-long: text is 300 characters"),
        "{text}"
    );
}

#[test]
fn toml_errors_and_unknown_fields_have_lines() {
    let e = Catalog::from_sources(&file("[[prompt]]\nid = \"a\"\ntext = \"unterminated\n"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("prompts/test.toml:3"), "{e}");
    let e = Catalog::from_sources(&file("[[prompt]]\nid = \"a\"\ncolour = \"red\"\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(":3") && e.contains("colour"), "{e}");
    let e = Catalog::from_sources(&file("[[prompt]]\nid = \"a-1\"\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("prompt a-1: missing field `kind`"), "{e}");
}

#[test]
fn duplicate_ids_name_both_places() {
    let body = format!(
        "{}{}",
        prompt("same", "appreciation", "One?"),
        prompt("same", "appreciation", "Two?")
    );
    let e = Catalog::from_sources(&file(&body)).unwrap_err().to_string();
    assert!(
        e.contains(
            "prompts/test.toml:9: prompt same: duplicate id: also defined at prompts/test.toml:1"
        ),
        "{e}"
    );
}

#[test]
fn reworded_duplicates_are_caught_and_related_prompts_are_not() {
    let a = "What is one thing your partner did this week that made you smile?";
    let b = "Name one thing your partner did this week that made you smile.";
    let c = "Which song would you pick to describe the first month you knew each other?";
    assert!(similarity(a, b) >= 1.0);
    assert!(similarity(a, c) < 1.0);
    let body = format!(
        "{}{}{}",
        prompt("p-1", "appreciation", a),
        prompt("p-2", "appreciation", b),
        prompt("p-3", "appreciation", c)
    );
    let cat = Catalog::from_sources(&file(&body)).unwrap();
    let all: Vec<_> = cat.prompts().iter().collect();
    let d = near_duplicates(&all);
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].0.as_str(), d[0].1.as_str()), ("p-1", "p-2"));
    assert!(!check(&cat).is_ok());
}

#[test]
fn the_embedded_catalog_loads() {
    let cat = Catalog::embedded().unwrap_or_else(|e| panic!("{e}"));
    assert!(cat.len() >= 60, "{}", cat.len());
}
