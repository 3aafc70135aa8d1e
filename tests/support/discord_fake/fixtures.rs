//! Complete Discord payloads, in the shapes Discord sends (every field serenity
//! 0.12 requires). A test deserialises each into serenity's own types.

use serde_json::{Value, json};

pub const APP_ID: &str = "900000000000000001";
pub const BOT_ID: &str = "900000000000000001";
pub const GUILD_ID: &str = "910000000000000001";
pub const CHANNEL_ID: &str = "920000000000000001";
pub const MOD_ROLE_ID: &str = "930000000000000002";
/// Manage Channels.
pub const MANAGE_CHANNELS: &str = "16";

pub fn user(id: &str, name: &str, bot: bool) -> Value {
    json!({
        "id": id, "username": name, "discriminator": "0", "global_name": name, "avatar": null,
        "bot": bot, "system": false, "public_flags": 0, "banner": null, "accent_color": null
    })
}

pub fn member(id: &str, name: &str, permissions: &str, roles: &[&str]) -> Value {
    json!({
        "user": user(id, name, false), "nick": null, "avatar": null, "roles": roles,
        "joined_at": "2026-01-01T00:00:00.000000+00:00", "premium_since": null,
        "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": permissions,
        "communication_disabled_until": null
    })
}

pub fn role(id: &str, name: &str, permissions: &str, position: u32) -> Value {
    json!({
        "id": id, "name": name, "color": 0, "hoist": false, "icon": null, "unicode_emoji": null,
        "position": position, "permissions": permissions, "managed": false, "mentionable": false, "flags": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}
    })
}

pub fn channel(id: &str, name: &str) -> Value {
    json!({
        "id": id, "type": 0, "guild_id": GUILD_ID, "position": 0, "permission_overwrites": [],
        "name": name, "topic": null, "nsfw": false, "last_message_id": null, "rate_limit_per_user": 0,
        "parent_id": null, "flags": 0
    })
}

pub fn thread(id: &str, parent: &str, name: &str) -> Value {
    json!({
        "id": id, "type": 11, "guild_id": GUILD_ID, "parent_id": parent, "owner_id": BOT_ID, "name": name,
        "last_message_id": null, "rate_limit_per_user": 0, "message_count": 0, "member_count": 1, "flags": 0,
        "total_message_sent": 0, "nsfw": false, "position": 0, "permission_overwrites": [],
        "thread_metadata": {"archived": false, "auto_archive_duration": 1440, "archive_timestamp": "2026-01-01T00:00:00.000000+00:00", "locked": false}
    })
}

pub fn guild(members: &[Value]) -> Value {
    json!({
        "id": GUILD_ID, "name": "Cosy Corner", "icon": null, "splash": null, "discovery_splash": null,
        "owner_id": "940000000000000001", "afk_channel_id": null, "afk_timeout": 300,
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "roles": [role(GUILD_ID, "@everyone", "0", 0), role(MOD_ROLE_ID, "Hearth Keepers", "0", 1)],
        "emojis": [], "features": [], "mfa_level": 0, "application_id": null, "system_channel_id": null,
        "system_channel_flags": 0, "rules_channel_id": null, "max_presences": null, "max_members": 1000,
        "vanity_url_code": null, "description": null, "banner": null, "premium_tier": 0,
        "premium_subscription_count": 0, "preferred_locale": "en-US", "public_updates_channel_id": null,
        "max_video_channel_users": 25, "approximate_member_count": null, "approximate_presence_count": null,
        "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "joined_at": "2026-01-01T00:00:00.000000+00:00", "large": false, "unavailable": false,
        "member_count": members.len(), "voice_states": [], "members": members,
        "channels": [channel(CHANNEL_ID, "us-two")], "threads": [], "presences": [],
        "stage_instances": [], "guild_scheduled_events": []
    })
}

pub fn ready(session: &str, resume_url: &str) -> Value {
    json!({
        "v": 10, "user": user(BOT_ID, "hearth", true),
        "guilds": [{"id": GUILD_ID, "unavailable": true}],
        "session_id": session, "resume_gateway_url": resume_url, "shard": [0, 1],
        "application": {"id": APP_ID, "flags": 0}
    })
}

pub fn message(
    id: &str,
    channel_id: &str,
    author: Value,
    content: &str,
    embeds: Value,
    nonce: Option<&str>,
) -> Value {
    json!({
        "id": id, "channel_id": channel_id, "guild_id": GUILD_ID, "author": author, "content": content,
        "timestamp": "2026-06-01T20:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "mention_channels": [],
        "attachments": [], "embeds": embeds, "reactions": [], "nonce": nonce, "pinned": false,
        "webhook_id": null, "type": 0, "flags": 0, "components": [], "sticker_items": []
    })
}

pub fn reaction_count(emoji: &str, count: usize, me: bool) -> Value {
    json!({
        "count": count, "count_details": {"burst": 0, "normal": count}, "me": me, "me_burst": false,
        "emoji": {"id": null, "name": emoji}, "burst_colors": []
    })
}

pub fn reaction_event(message_id: &str, user_id: &str, emoji: &str, with_member: bool) -> Value {
    let mut v = json!({
        "user_id": user_id, "channel_id": CHANNEL_ID, "message_id": message_id, "guild_id": GUILD_ID,
        "emoji": {"id": null, "name": emoji}, "burst": false, "burst_colors": [], "type": 0,
        "message_author_id": BOT_ID
    });
    if with_member {
        v["member"] = member(user_id, "someone", "0", &[]);
    }
    v
}

pub fn reaction_remove_all(message_id: &str) -> Value {
    json!({"channel_id": CHANNEL_ID, "message_id": message_id, "guild_id": GUILD_ID})
}

pub fn reaction_remove_emoji(message_id: &str, emoji: &str) -> Value {
    json!({"channel_id": CHANNEL_ID, "message_id": message_id, "guild_id": GUILD_ID, "emoji": {"id": null, "name": emoji}})
}

/// An option of a slash command invocation, Discord-style.
pub fn opt(name: &str, kind: u8, value: Value) -> Value {
    json!({"name": name, "type": kind, "value": value})
}

pub fn sub(name: &str, kind: u8, options: Vec<Value>) -> Value {
    json!({"name": name, "type": kind, "options": options})
}

/// INTERACTION_CREATE for `/hearth …` by `member`; `users` resolves user options.
pub fn command_interaction(
    id: &str,
    token: &str,
    member: Value,
    options: Vec<Value>,
    users: &[Value],
    kind: u8,
) -> Value {
    let mut resolved_users = serde_json::Map::new();
    for u in users {
        if let Some(uid) = u["id"].as_str() {
            resolved_users.insert(uid.to_string(), u.clone());
        }
    }
    json!({
        "id": id, "application_id": APP_ID, "type": kind, "token": token, "version": 1,
        "guild_id": GUILD_ID, "channel_id": CHANNEL_ID,
        "channel": {"id": CHANNEL_ID, "type": 0, "name": "us-two", "permissions": "2147483647", "guild_id": GUILD_ID},
        "member": member, "locale": "en-US", "guild_locale": "en-US",
        "app_permissions": "2147483647", "entitlements": [], "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0, "attachment_size_limit": 8388608,
        "data": {
            "id": "950000000000000001", "name": "hearth", "type": 1, "guild_id": GUILD_ID,
            "options": options, "resolved": {"users": resolved_users}
        }
    })
}

/// The fields every interaction carries, for `member` in the test channel.
fn interaction_base(id: &str, token: &str, kind: u8, member: Value, channel_id: &str) -> Value {
    json!({
        "id": id, "application_id": APP_ID, "type": kind, "token": token, "version": 1,
        "guild_id": GUILD_ID, "channel_id": channel_id,
        "channel": {"id": channel_id, "type": 0, "name": "us-two", "permissions": "2147483647", "guild_id": GUILD_ID},
        "member": member, "locale": "en-US", "guild_locale": "en-US",
        "app_permissions": "2147483647", "entitlements": [], "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0, "attachment_size_limit": 8388608
    })
}

/// INTERACTION_CREATE for a click on a button (`custom_id`) of `message` (type 3).
pub fn component_interaction(
    id: &str,
    token: &str,
    member: Value,
    message: Value,
    custom_id: &str,
) -> Value {
    let channel = message["channel_id"]
        .as_str()
        .unwrap_or(CHANNEL_ID)
        .to_string();
    let mut v = interaction_base(id, token, 3, member, &channel);
    v["message"] = message;
    v["data"] = json!({"custom_id": custom_id, "component_type": 2});
    v
}

/// INTERACTION_CREATE for a submitted modal (type 5): one text input with `value`,
/// in the shape Discord sends (no style or label on the way back).
pub fn modal_submit(
    id: &str,
    token: &str,
    member: Value,
    custom_id: &str,
    field: &str,
    value: &str,
) -> Value {
    let mut v = interaction_base(id, token, 5, member, CHANNEL_ID);
    v["data"] = json!({
        "custom_id": custom_id,
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": field, "value": value}]}]
    });
    v
}

/// The command objects Discord returns after a bulk overwrite.
pub fn registered_commands(body: &Value, guild: Option<&str>) -> Value {
    let list = body.as_array().cloned().unwrap_or_default();
    Value::Array(
        list.into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                c["id"] = json!(format!("95000000000000000{}", i + 1));
                c["application_id"] = json!(APP_ID);
                c["version"] = json!("960000000000000001");
                c["guild_id"] = guild.map_or(Value::Null, |g| json!(g));
                if c.get("type").is_none() {
                    c["type"] = json!(1);
                }
                c
            })
            .collect(),
    )
}
