//! Config sections read straight from the file (serde), with their defaults.

use serde::Deserialize;

/// Which emoji carry meaning on a posted prompt.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReactionConfig {
    #[serde(default = "default_loved")]
    pub loved: Vec<String>,
    #[serde(default = "default_done")]
    pub done: Vec<String>,
    #[serde(default = "default_another")]
    pub another: Vec<String>,
    #[serde(default = "default_favourite")]
    pub favourite: Vec<String>,
    /// Exactly five emoji: the answers 1 to 5 of a check-in.
    #[serde(default = "default_check_in")]
    pub check_in: Vec<String>,
    /// Whether the bot adds the meaningful emoji under each prompt itself.
    #[serde(default = "yes")]
    pub pre_add: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_backoff_base")]
    pub backoff_base_secs: u64,
    #[serde(default = "default_backoff_max")]
    pub backoff_max_secs: u64,
    #[serde(default = "default_concurrency")]
    pub send_concurrency: usize,
    /// How long a sender holds a delivery before another may take it over, and so
    /// how soon after a crash an interrupted delivery is picked up again.
    #[serde(default = "default_lease")]
    pub lease_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    #[serde(default = "default_log_level")]
    pub level: String,
    #[serde(default)]
    pub json: bool,
}

pub(crate) fn yes() -> bool {
    true
}
fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}
fn default_loved() -> Vec<String> {
    strings(&["❤️"])
}
fn default_done() -> Vec<String> {
    strings(&["✅"])
}
fn default_another() -> Vec<String> {
    strings(&["🔁"])
}
fn default_favourite() -> Vec<String> {
    strings(&["⭐"])
}
fn default_check_in() -> Vec<String> {
    strings(&["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"])
}
fn default_max_attempts() -> u32 {
    8
}
fn default_backoff_base() -> u64 {
    5
}
fn default_backoff_max() -> u64 {
    600
}
fn default_concurrency() -> usize {
    16
}
fn default_lease() -> u64 {
    60
}
fn default_log_level() -> String {
    "info".into()
}

impl Default for ReactionConfig {
    fn default() -> Self {
        Self {
            loved: default_loved(),
            done: default_done(),
            another: default_another(),
            favourite: default_favourite(),
            check_in: default_check_in(),
            pre_add: true,
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            max_attempts: default_max_attempts(),
            backoff_base_secs: default_backoff_base(),
            backoff_max_secs: default_backoff_max(),
            send_concurrency: default_concurrency(),
            lease_secs: default_lease(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: default_log_level(),
            json: false,
        }
    }
}
