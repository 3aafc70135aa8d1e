//! Configuration and catalog errors name the file and the line.

use hearth::catalog::Catalog;
use hearth::config::Config;

#[test]
fn config_errors_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[storage]\ndatabase = \"x.db\"\n\n[engine]\nmax_atempts = 3\n",
    )
    .unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("config.toml:5:"), "{e}");
    assert!(e.contains("max_atempts"), "{e}");
    std::fs::write(&path, "[defaults]\ntimezone = \"Mars/Olympus\"\n").unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("config.toml:2:") && e.contains("Mars/Olympus"),
        "{e}"
    );
    std::fs::write(&path, "[storage]\ndatabase = \"data/h.db\"\n").unwrap();
    let c = Config::load(&path).unwrap();
    assert_eq!(
        c.database,
        dir.path().join("data/h.db"),
        "relative to the config file"
    );
}

#[test]
fn catalog_errors_name_file_line_and_prompt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        "[[prompt]]\nid = \"ok-1\"\nkind = \"conversation\"\npractice = \"active-listening\"\nintimacy = \"emotional\"\ndepth = \"light\"\ntext = \"What made you laugh today?\"\n\n[[prompt]]\nid = \"bad-1\"\nkind = \"conversation\"\npractice = \"listening\"\nintimacy = \"emotional\"\ndepth = \"light\"\ntext = \"Tell me one thing.\"\n",
    )
    .unwrap();
    let e = Catalog::load_dir(dir.path()).unwrap_err().to_string();
    assert!(e.contains("mine.toml:"), "{e}");
    assert!(e.contains("bad-1"), "{e}");
    assert!(e.contains("listening"), "{e}");
}

#[test]
fn the_example_config_is_valid_and_matches_the_defaults() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let c = Config::load(&path).expect("config.example.toml loads");
    let d = Config::defaults_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(c.database, d.database);
    assert_eq!(c.defaults.grace_minutes, d.defaults.grace_minutes);
    assert_eq!(c.engine.max_attempts, d.engine.max_attempts);
    assert_eq!(c.reactions.check_in, d.reactions.check_in);
    assert_eq!(c.catalog_dir, None);
    assert_eq!(c.defaults.streak_prompts_per_week, 2);
    assert_eq!(d.defaults.streak_prompts_per_week, 2);
}

#[test]
fn the_streak_threshold_is_at_least_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[defaults]\nstreak_prompts_per_week = 0\n").unwrap();
    let e = Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("config.toml:2:"), "{e}");
    assert!(
        e.contains("defaults.streak_prompts_per_week must be at least 1"),
        "{e}"
    );
    std::fs::write(&path, "[defaults]\nstreak_prompts_per_week = 3\n").unwrap();
    assert_eq!(
        Config::load(&path)
            .unwrap()
            .defaults
            .streak_prompts_per_week,
        3
    );
}
