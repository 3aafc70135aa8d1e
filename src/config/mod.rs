//! Typed configuration: built-in defaults, then `config.toml`, then secrets from the
//! environment. Unknown keys are rejected and every error names the file, line and key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::tags::Depth;

mod platforms;
mod secret;
// Sections whose fields come straight from the file, with their defaults.
mod sections;

use crate::schedule::{ScheduleSpec, Zone};

/// The weekly digest's schedule unless configured: Sunday evening, couple's time.
pub const DEFAULT_DIGEST: &str = "weekly sun 19:00";
pub use platforms::{DiscordConfig, MatrixConfig};
pub use secret::Secret;
pub use sections::{EngineConfig, LogConfig, ReactionConfig};

/// The whole configuration, as loaded and checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the config file was read from, if any.
    pub source: Option<PathBuf>,
    pub database: PathBuf,
    pub defaults: Defaults,
    pub catalog_dir: Option<PathBuf>,
    pub reactions: ReactionConfig,
    pub engine: EngineConfig,
    pub log: LogConfig,
    pub discord: DiscordConfig,
    pub matrix: MatrixConfig,
    pub health: HealthConfig,
}

/// The optional `/healthz` and `/metrics` listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthConfig {
    pub enabled: bool,
    pub listen: std::net::SocketAddr,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 9185)),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHealth {
    #[serde(default)]
    enabled: bool,
    listen: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Defaults {
    pub timezone: Zone,
    pub depth: Depth,
    pub grace_minutes: u32,
    pub min_interval_minutes: u32,
    /// Prompts talked about that make a week count for the streak.
    pub streak_prompts_per_week: u32,
    /// When a couple's weekly digest is posted unless they choose otherwise
    /// (`None`: no digest unless a couple turns it on).
    pub digest: Option<ScheduleSpec>,
}

/// The file as written, before checking values.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    storage: RawStorage,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    catalog: RawCatalog,
    #[serde(default)]
    reactions: ReactionConfig,
    #[serde(default)]
    engine: EngineConfig,
    #[serde(default)]
    log: LogConfig,
    #[serde(default)]
    discord: DiscordConfig,
    #[serde(default)]
    matrix: MatrixConfig,
    #[serde(default)]
    health: RawHealth,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    database: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    timezone: Option<Spanned<String>>,
    depth: Option<Spanned<String>>,
    grace_minutes: Option<u32>,
    min_interval_minutes: Option<Spanned<u32>>,
    streak_prompts_per_week: Option<Spanned<u32>>,
    digest: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    dir: Option<String>,
}

/// A configuration problem, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |s| s.bytes().filter(|b| *b == b'\n').count() + 1)
}

impl Config {
    /// Built-in defaults: no file needed (the shell quick start uses this).
    pub fn defaults_in(dir: &Path) -> Config {
        Config {
            source: None,
            database: dir.join("hearth.db"),
            defaults: Defaults {
                timezone: Zone::parse("UTC").unwrap_or_else(|_| unreachable_utc()),
                depth: Depth::Light,
                grace_minutes: 120,
                min_interval_minutes: 60,
                streak_prompts_per_week: 2,
                digest: ScheduleSpec::parse(DEFAULT_DIGEST).ok(),
            },
            catalog_dir: None,
            reactions: ReactionConfig::default(),
            engine: EngineConfig::default(),
            log: LogConfig::default(),
            health: HealthConfig::default(),
            discord: DiscordConfig::default(),
            matrix: MatrixConfig::default(),
        }
    }

    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: file.clone(),
            line: None,
            message: format!("cannot read the config file: {e}"),
        })?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut cfg = Self::parse(&text, &file, dir)?;
        cfg.source = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses config text; `dir` anchors relative paths (the config file's folder).
    pub fn parse(text: &str, file: &str, dir: &Path) -> Result<Config, ConfigError> {
        let err = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            file: file.to_string(),
            line: span.map(|s| line_of(text, s.start)),
            message,
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| err(e.span(), e.message().trim().to_string()))?;
        let mut cfg = Config::defaults_in(dir);
        if let Some(db) = raw.storage.database {
            let p = PathBuf::from(db.get_ref());
            if db.get_ref().trim().is_empty() {
                return Err(err(
                    Some(db.span()),
                    "storage.database must not be empty".into(),
                ));
            }
            cfg.database = if p.is_absolute() { p } else { dir.join(p) };
        }
        if let Some(tz) = raw.defaults.timezone {
            cfg.defaults.timezone = Zone::parse(tz.get_ref())
                .map_err(|e| err(Some(tz.span()), format!("defaults.timezone: {e}")))?;
        }
        if let Some(depth) = raw.defaults.depth {
            cfg.defaults.depth = depth
                .get_ref()
                .parse()
                .map_err(|e| err(Some(depth.span()), format!("defaults.depth: {e}")))?;
        }
        if let Some(g) = raw.defaults.grace_minutes {
            cfg.defaults.grace_minutes = g;
        }
        if let Some(m) = raw.defaults.min_interval_minutes {
            if *m.get_ref() == 0 {
                return Err(err(
                    Some(m.span()),
                    "defaults.min_interval_minutes must be at least 1".into(),
                ));
            }
            cfg.defaults.min_interval_minutes = *m.get_ref();
        }
        if let Some(n) = raw.defaults.streak_prompts_per_week {
            if *n.get_ref() == 0 {
                return Err(err(
                    Some(n.span()),
                    "defaults.streak_prompts_per_week must be at least 1".into(),
                ));
            }
            cfg.defaults.streak_prompts_per_week = *n.get_ref();
        }
        if let Some(d) = raw.defaults.digest {
            let text = d.get_ref().trim();
            cfg.defaults.digest = if text.eq_ignore_ascii_case("off") {
                None
            } else {
                Some(
                    ScheduleSpec::parse(text)
                        .map_err(|e| err(Some(d.span()), format!("defaults.digest: {e}")))?,
                )
            };
        }
        cfg.catalog_dir = raw
            .catalog
            .dir
            .filter(|d| !d.trim().is_empty())
            .map(|d| dir.join(d));
        if raw.reactions.check_in.len() != 5 {
            return Err(err(
                None,
                format!(
                    "reactions.check_in needs exactly 5 emoji (answers 1 to 5), found {}",
                    raw.reactions.check_in.len()
                ),
            ));
        }
        if raw.engine.max_attempts == 0
            || raw.engine.send_concurrency == 0
            || raw.engine.lease_secs == 0
        {
            return Err(err(
                None,
                "engine.max_attempts, engine.send_concurrency and engine.lease_secs must be at least 1".into(),
            ));
        }
        cfg.reactions = raw.reactions;
        cfg.engine = raw.engine;
        cfg.log = raw.log;
        if raw.discord.enabled && raw.discord.token_env.trim().is_empty() {
            return Err(err(
                None,
                "discord.token_env must name an environment variable".into(),
            ));
        }
        if raw.discord.request_timeout_secs == 0 {
            return Err(err(
                None,
                "discord.request_timeout_secs must be at least 1".into(),
            ));
        }
        cfg.discord = raw.discord;
        cfg.health.enabled = raw.health.enabled;
        if let Some(l) = raw.health.listen {
            cfg.health.listen = l.get_ref().trim().parse().map_err(|_| {
                err(
                    Some(l.span()),
                    format!(
                        "health.listen: '{}' is not an address and port like \"127.0.0.1:9185\"",
                        l.get_ref().chars().take(60).collect::<String>()
                    ),
                )
            })?;
        }
        if raw.matrix.enabled
            && (raw.matrix.homeserver.trim().is_empty() || !raw.matrix.user.starts_with('@'))
        {
            return Err(err(None, "matrix.homeserver and matrix.user (like \"@hearth:example.org\") are needed when matrix is enabled".into()));
        }
        let mut matrix = raw.matrix;
        matrix.store_dir = Some(
            match matrix.store_dir.take().filter(|d| !d.trim().is_empty()) {
                Some(d) => dir.join(d).display().to_string(),
                None => cfg
                    .database
                    .with_file_name("matrix-store")
                    .display()
                    .to_string(),
            },
        );
        cfg.matrix = matrix;
        Ok(cfg)
    }
}

fn unreachable_utc() -> Zone {
    Zone::from(chrono_tz::UTC)
}

#[cfg(test)]
mod tests;
