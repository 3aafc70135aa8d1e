//! The platform sections of the config: `[discord]` and `[matrix]`.

use serde::Deserialize;

/// The Matrix adapter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    #[serde(default)]
    pub enabled: bool,
    /// The homeserver's base URL, e.g. "https://matrix.example.org".
    #[serde(default)]
    pub homeserver: String,
    /// The bot's full user id, e.g. "@hearth:example.org".
    #[serde(default)]
    pub user: String,
    /// Name of the environment variable holding the bot's password (used only when no
    /// saved session exists yet).
    #[serde(default = "default_matrix_password_env")]
    pub password_env: String,
    /// Name of the environment variable that may hold an access token instead of a
    /// password (used only when no saved session exists yet).
    #[serde(default = "default_matrix_token_env")]
    pub access_token_env: String,
    /// Where the session and the SDK's encrypted state live; relative to the config
    /// file. Default: "matrix-store" next to the database.
    #[serde(default)]
    pub store_dir: Option<String>,
    /// What commands start with.
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Power level from which a room member counts as a moderator.
    #[serde(default = "default_moderator_power")]
    pub moderator_power: i64,
    /// The name of the community the bot's rooms belong to (server defaults and custom
    /// prompts are kept per community).
    #[serde(default = "default_community")]
    pub community: String,
    /// Who may invite the bot: server names ("example.org") or user ids. Empty: users
    /// of the bot's own homeserver.
    #[serde(default)]
    pub allowed_inviters: Vec<String>,
    /// Post prompts as m.notice (true) or m.text (false).
    #[serde(default = "super::sections::yes")]
    pub notice: bool,
}

fn default_matrix_password_env() -> String {
    "HEARTH_MATRIX_PASSWORD".into()
}
fn default_matrix_token_env() -> String {
    "HEARTH_MATRIX_ACCESS_TOKEN".into()
}
fn default_prefix() -> String {
    "!hearth".into()
}
fn default_moderator_power() -> i64 {
    50
}
fn default_community() -> String {
    "matrix".into()
}

impl Default for MatrixConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            homeserver: String::new(),
            user: String::new(),
            password_env: default_matrix_password_env(),
            access_token_env: default_matrix_token_env(),
            store_dir: None,
            prefix: default_prefix(),
            moderator_power: default_moderator_power(),
            community: default_community(),
            allowed_inviters: Vec::new(),
            notice: true,
        }
    }
}

/// The Discord adapter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    #[serde(default)]
    pub enabled: bool,
    /// Name of the environment variable holding the bot token.
    #[serde(default = "default_discord_token_env")]
    pub token_env: String,
    /// Base URL of a shared rate-limiting HTTP proxy; serenity's own limiter is then off.
    #[serde(default)]
    pub rest_proxy: Option<String>,
    /// hearth's own pace for REST calls, under Discord's global 50 per second; 0: none.
    #[serde(default = "default_max_requests_per_second")]
    pub max_requests_per_second: u32,
    /// Give up on a REST call that has not answered after this many seconds.
    #[serde(default = "default_request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// Register slash commands in these guilds only (instant); empty: globally.
    #[serde(default)]
    pub guild_ids: Vec<u64>,
    /// Role names whose holders count as moderators (besides Manage Channels).
    #[serde(default)]
    pub moderator_roles: Vec<String>,
    /// After (re)connecting, reconcile reactions on prompts posted this many hours back.
    #[serde(default = "default_reconcile_hours")]
    pub reconcile_hours: u32,
}

fn default_discord_token_env() -> String {
    "HEARTH_DISCORD_TOKEN".into()
}
fn default_reconcile_hours() -> u32 {
    72
}
fn default_max_requests_per_second() -> u32 {
    49
}
fn default_request_timeout_secs() -> u64 {
    30
}

impl Default for DiscordConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            token_env: default_discord_token_env(),
            rest_proxy: None,
            max_requests_per_second: default_max_requests_per_second(),
            request_timeout_secs: default_request_timeout_secs(),
            guild_ids: Vec::new(),
            moderator_roles: Vec::new(),
            reconcile_hours: default_reconcile_hours(),
        }
    }
}
