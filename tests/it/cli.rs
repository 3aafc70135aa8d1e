//! The `hearth` binary as an operator or a newcomer runs it.

use std::io::Write;
use std::process::{Command, Stdio};

fn hearth(dir: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .current_dir(dir)
        .env_remove("HEARTH_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hearth");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn quick_start_shell_with_piped_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = hearth(dir.path(), &["shell", "--now"], "react 1 ❤️\nstats\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("── hearth · #1"), "{out}");
    assert!(out.contains("loved 1"), "{out}");
    assert!(dir.path().join("hearth.db").exists());
    // The data persists: a second run sees the first prompt's reaction.
    let (_, out, _) = hearth(dir.path(), &["shell"], "history\n");
    assert!(out.contains("Your last 1 prompts"), "{out}");
}

#[test]
fn schedule_preview_shows_local_and_utc_and_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = hearth(
        dir.path(),
        &[
            "schedule",
            "preview",
            "daily 02:30",
            "--tz",
            "Europe/Berlin",
            "--count",
            "3",
            "--from",
            "2026-03-27T12:00:00Z",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert!(out.contains("2026-03-29 03:00"), "{out}");
    assert!(out.contains("01:00"), "UTC shown: {out}");
    let (code, _, err) = hearth(
        dir.path(),
        &["schedule", "preview", "daily 25:00", "--tz", "UTC"],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("hour"), "{err}");
    let (code, _, err) = hearth(
        dir.path(),
        &["schedule", "preview", "daily 20:00", "--tz", "Europe/Berln"],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("Europe/Berlin"), "{err}");
}

#[test]
fn bad_config_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[defaults]\ndepth = \"abyss\"\n",
    )
    .unwrap();
    let (code, _, err) = hearth(dir.path(), &["migrate"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("config.toml:2:"), "{err}");
}

#[test]
fn prompts_check_passes_on_the_shipped_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = hearth(dir.path(), &["prompts", "check"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("conversation"), "{out}");
}

#[test]
fn run_without_a_platform_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = hearth(dir.path(), &["run"], "");
    assert_ne!(code, 0);
    assert!(err.contains("hearth shell"), "{err}");
}

#[test]
fn prompts_check_reports_every_problem_with_file_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("mine");
    std::fs::create_dir(&prompts).unwrap();
    let p = |id: &str, practice: &str, text: &str| {
        format!(
            "[[prompt]]\nid = \"{id}\"\nkind = \"conversation\"\npractice = \"{practice}\"\nintimacy = \"emotional\"\ndepth = \"light\"\ntext = \"{text}\"\n\n"
        )
    };
    let long = "word ".repeat(70);
    std::fs::write(
        prompts.join("a.toml"),
        p(
            "orig-1",
            "appreciation",
            "What is one thing your partner did this week that made you smile?",
        ) + p(
            "bad-tag",
            "listening",
            "Which song reminds you of the summer you met?",
        )
        .as_str(),
    )
    .unwrap();
    std::fs::write(
        prompts.join("b.toml"),
        p(
            "reworded",
            "appreciation",
            "Name one thing your partner did this week that made you smile.",
        ) + p("too-long", "vulnerability", long.trim()).as_str(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[catalog]\ndir = \"mine\"\n",
    )
    .unwrap();
    let (code, out, err) = hearth(dir.path(), &["prompts", "check"], "");
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("a.toml:12: prompt bad-tag: unknown practice 'listening'"),
        "{out}"
    );
    assert!(
        out.contains("b.toml:15: prompt too-long: text is 349 characters"),
        "{out}"
    );
    assert!(out.contains("NEAR-DUPLICATE"), "{out}");
    assert!(out.contains("a.toml:1: orig-1: What is one thing"), "{out}");
    assert!(out.contains("b.toml:1: reworded: Name one thing"), "{out}");
}

#[test]
fn prompts_list_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = hearth(dir.path(), &["prompts", "list", "--kind", "check-in"], "");
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().filter(|l| !l.starts_with('(')).collect();
    assert!(
        rows.len() >= 8 && rows.iter().all(|l| l.contains(" check-in ")),
        "{out}"
    );
    assert!(out.trim_end().ends_with("prompts)"), "{out}");
    let (code, out, _) = hearth(dir.path(), &["prompts", "show", "close-010"], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("apart:") && out.contains("prompts/closeness.toml:"),
        "{out}"
    );
    let (code, _, err) = hearth(dir.path(), &["prompts", "show", "nope"], "");
    assert_eq!(code, 2);
    assert!(err.contains("no prompt with id 'nope'"), "{err}");
}
