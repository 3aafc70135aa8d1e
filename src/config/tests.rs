use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, "config.toml", Path::new("/srv/hearth"))
}

#[test]
fn empty_file_gives_defaults_next_to_config() {
    let cfg = parse("").expect("defaults");
    assert_eq!(cfg.database, Path::new("/srv/hearth/hearth.db"));
    assert_eq!(cfg.defaults.grace_minutes, 120);
    assert_eq!(cfg.reactions.check_in.len(), 5);
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let e = parse("[defaults]\ntimezone = \"UTC\"\ncolour = \"red\"\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.to_string().starts_with("config.toml:3:"), "{e}");
    assert!(e.message.contains("colour"), "{e}");
}

#[test]
fn bad_timezone_names_line() {
    let e = parse("\n[defaults]\ntimezone = \"Europe/Berln\"\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("Europe/Berln"), "{e}");
}

#[test]
fn syntax_error_has_line() {
    let e = parse("[engine]\nmax_attempts = = 3\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn secrets_never_print() {
    let s = Secret::new("hunter2-token");
    assert!(!format!("{s:?} {s}").contains("hunter2"));
}

#[test]
fn digest_defaults_to_sunday_evening_and_can_be_off_or_changed() {
    let cfg = parse("").expect("defaults");
    assert_eq!(
        cfg.defaults.digest.map(|s| s.describe()),
        ScheduleSpec::parse(DEFAULT_DIGEST)
            .ok()
            .map(|s| s.describe())
    );
    assert!(
        parse("[defaults]\ndigest = \"off\"\n")
            .unwrap()
            .defaults
            .digest
            .is_none()
    );
    let cfg = parse("[defaults]\ndigest = \"weekly fri 18:30\"\n").unwrap();
    assert_eq!(
        cfg.defaults.digest.map(|s| s.text().to_string()).as_deref(),
        Some("weekly fri 18:30")
    );
    let e = parse("\n\n[defaults]\ndigest = \"fortnightly\"\n").unwrap_err();
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.to_string().contains("defaults.digest"), "{e}");
}
