//! The Matrix adapter on matrix-sdk: `!hearth` commands in rooms (encrypted ones
//! included), reactions and their redactions, auto-join on invite, and the
//! [`Platform`](crate::platform::Platform) the engine posts through.
//!
//! The session and the SDK's SQLite state and crypto store live in `matrix.store_dir`,
//! so a restart keeps the same device and keys; one `sync_once` runs before any
//! handler is added, so history from before the start is never acted on.

mod answer;
// The weekly digest, with the check-in chart as an image.
mod digest;
mod post;
mod session;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::event_handler::Ctx as HandlerCtx;
use matrix_sdk::ruma::events::reaction::OriginalSyncReactionEvent;
use matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent;
use matrix_sdk::ruma::events::room::message::{MessageType, OriginalSyncRoomMessageEvent};
use matrix_sdk::ruma::events::room::redaction::OriginalSyncRoomRedactionEvent;
use matrix_sdk::{Client, Room, RoomMemberships};
use serde_json::json;
use tokio_util::sync::CancellationToken;

pub use post::{DELIVERY_FIELD, MatrixPlatform};
pub use session::client;

use crate::app::Hearth;
use crate::commands::{Ctx, handle_line};
use crate::config::MatrixConfig;
use crate::domain::{Actor, ChannelRef, PlatformKind};
use crate::reactions::{ReactionEvent, on_reaction, on_reaction_ref_removed};

#[derive(Clone)]
struct State {
    h: Hearth,
    cfg: MatrixConfig,
}

/// Catches up once (then tells the sender through `ready`), then handles events
/// until `stop`.
pub async fn serve(
    h: Hearth,
    cfg: MatrixConfig,
    client: Client,
    ready: tokio::sync::watch::Sender<bool>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    // Catch up without acting on anything that happened before this start.
    client
        .sync_once(SyncSettings::default())
        .await
        .context("first Matrix sync")?;
    // From here the client knows hearth's rooms: sends may go ahead.
    ready.send_replace(true);
    h.status.set_connected("matrix", true);
    reconcile_recent(&h, &client).await;
    let status = h.status.clone();
    client.add_event_handler_context(State { h, cfg });
    client.add_event_handler(on_invite);
    client.add_event_handler(on_membership);
    client.add_event_handler(on_message);
    client.add_event_handler(on_reaction_event);
    client.add_event_handler(on_redaction);
    let failures = AtomicU32::new(0);
    let sync = client.sync_with_result_callback(
        SyncSettings::default().timeout(Duration::from_secs(30)),
        |result| sync_outcome(result, &failures, &status),
    );
    let r = tokio::select! {
        r = sync => r.context("the Matrix sync stopped"),
        () = stop.cancelled() => Ok(()),
    };
    status.set_connected("matrix", false);
    r
}

/// Longest wait between sync attempts while the homeserver is away.
const MAX_SYNC_BACKOFF: Duration = Duration::from_secs(60);

/// Keeps the sync loop alive through a homeserver that is down or failing: waits
/// (1 s, doubling, at most a minute) and tries again from the same sync token, so
/// nothing that happened meanwhile is missed. Only a rejected login ends the loop.
async fn sync_outcome(
    result: Result<matrix_sdk::sync::SyncResponse, matrix_sdk::Error>,
    failures: &AtomicU32,
    status: &crate::status::Status,
) -> Result<matrix_sdk::LoopCtrl, matrix_sdk::Error> {
    use matrix_sdk::ruma::api::error::ErrorKind;
    match result {
        Ok(_) => {
            let was = failures.swap(0, Ordering::Relaxed);
            if was > 0 {
                tracing::info!(failed_attempts = was, "Matrix sync is back");
                status.set_connected("matrix", true);
            }
            Ok(matrix_sdk::LoopCtrl::Continue)
        }
        Err(e)
            if matches!(
                e.client_api_error_kind(),
                Some(ErrorKind::UnknownToken(_) | ErrorKind::Forbidden)
            ) =>
        {
            tracing::error!(error = %e, "the homeserver no longer accepts hearth's login");
            Err(e)
        }
        Err(e) => {
            let n = failures.fetch_add(1, Ordering::Relaxed) + 1;
            status.set_connected("matrix", false);
            let wait =
                Duration::from_secs(1u64 << n.min(6).saturating_sub(1)).min(MAX_SYNC_BACKOFF);
            tracing::warn!(
                error = %e,
                attempt = n,
                wait_secs = wait.as_secs(),
                "Matrix sync failed; trying again"
            );
            tokio::time::sleep(wait).await;
            Ok(matrix_sdk::LoopCtrl::Continue)
        }
    }
}

/// How far back, in hours, reactions are reconciled after a start.
const RECONCILE_HOURS: i64 = 72;

/// Compares the reactions on recent prompts (through the relations API) with the
/// store, so reactions made or withdrawn while hearth was stopped are not lost.
async fn reconcile_recent(h: &Hearth, client: &Client) {
    use matrix_sdk::room::{IncludeRelations, RelationsOptions};
    use matrix_sdk::ruma::events::relation::RelationType;
    use matrix_sdk::ruma::{OwnedEventId, RoomId, UInt};
    let recent = crate::reactions::to_reconcile(h, PlatformKind::Matrix, RECONCILE_HOURS).await;
    let bot = client
        .user_id()
        .map(ToString::to_string)
        .unwrap_or_default();
    for p in recent {
        let (Ok(room_id), Ok(event_id)) = (
            <&RoomId>::try_from(p.channel.as_str()),
            OwnedEventId::try_from(p.message_id.as_str()),
        ) else {
            continue;
        };
        let Some(room) = client.get_room(room_id) else {
            continue;
        };
        let opts = RelationsOptions {
            include_relations: IncludeRelations::RelationsOfType(RelationType::Annotation),
            limit: Some(UInt::from(100u32)),
            ..Default::default()
        };
        let relations = match room.relations(event_id, opts).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(delivery = p.delivery_id, error = %e, "reconcile: cannot read reactions");
                continue;
            }
        };
        let present: Vec<(String, String, Option<String>)> = relations
            .chunk
            .iter()
            .filter_map(|ev| {
                let v = ev.raw().deserialize_as::<serde_json::Value>().ok()?;
                (v["type"] == "m.reaction").then_some(())?;
                Some((
                    v["sender"].as_str()?.to_string(),
                    v["content"]["m.relates_to"]["key"].as_str()?.to_string(),
                    v["event_id"].as_str().map(str::to_string),
                ))
            })
            .collect();
        if let Err(e) =
            crate::reactions::reconcile(h, PlatformKind::Matrix, &p.message_id, &present, &bot)
                .await
        {
            tracing::error!(error = format!("{e:#}"), "reconcile failed");
        }
    }
}

fn inviter_allowed(cfg: &MatrixConfig, inviter: &str) -> bool {
    let server = inviter.split_once(':').map_or("", |(_, s)| s);
    if cfg.allowed_inviters.is_empty() {
        let own = cfg.user.split_once(':').map_or("", |(_, s)| s);
        return server == own;
    }
    cfg.allowed_inviters
        .iter()
        .any(|a| a == inviter || a == server)
}

async fn on_invite(
    ev: StrippedRoomMemberEvent,
    room: Room,
    client: Client,
    state: HandlerCtx<State>,
) {
    if client.user_id().map(|u| u.as_str()) != Some(ev.state_key.as_str()) {
        return;
    }
    if !inviter_allowed(&state.cfg, ev.sender.as_str()) {
        tracing::info!(inviter = %ev.sender, "declining an invite from outside the allowed list");
        let _ = room.leave().await;
        return;
    }
    tokio::spawn(async move {
        for attempt in 0u32..6 {
            match room.join().await {
                Ok(()) => return tracing::info!(room = %room.room_id(), "joined"),
                Err(e) => {
                    tracing::warn!(room = %room.room_id(), error = %e, "join failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                }
            }
        }
    });
}

/// Removed, banned, or the room gone: stop that room's schedules and say why.
async fn on_membership(
    ev: matrix_sdk::ruma::events::room::member::OriginalSyncRoomMemberEvent,
    room: Room,
    client: Client,
    state: HandlerCtx<State>,
) {
    use matrix_sdk::ruma::events::room::member::MembershipState;
    if client.user_id().map(|u| u.as_str()) != Some(ev.state_key.as_str()) {
        return;
    }
    let reason = match ev.content.membership {
        MembershipState::Ban => format!("hearth was banned from the room by {}", ev.sender),
        MembershipState::Leave if ev.sender.as_str() != ev.state_key.as_str() => {
            format!("hearth was removed from the room by {}", ev.sender)
        }
        MembershipState::Leave => "hearth left the room".to_string(),
        _ => return,
    };
    let ch = channel(&state, &room);
    match state
        .h
        .store
        .disable_channel_schedules(&ch, &reason, state.h.now_secs())
        .await
    {
        Ok(n) => {
            tracing::warn!(room = %room.room_id(), schedules = n, "{reason}; its schedules are stopped")
        }
        Err(e) => tracing::error!(
            error = format!("{e:#}"),
            "could not stop the schedules of a room we left"
        ),
    }
}

fn channel(state: &State, room: &Room) -> ChannelRef {
    ChannelRef::new(
        PlatformKind::Matrix,
        state.cfg.community.clone(),
        room.room_id().to_string(),
    )
}

async fn is_moderator(state: &State, room: &Room, user: &matrix_sdk::ruma::UserId) -> bool {
    use matrix_sdk::ruma::events::room::power_levels::UserPowerLevel;
    match room.get_member(user).await {
        Ok(Some(m)) => match m.power_level() {
            UserPowerLevel::Infinite => true,
            UserPowerLevel::Int(n) => i64::from(n) >= state.cfg.moderator_power,
            _ => false,
        },
        _ => false,
    }
}

async fn on_message(
    ev: OriginalSyncRoomMessageEvent,
    room: Room,
    client: Client,
    state: HandlerCtx<State>,
) {
    let MessageType::Text(text) = &ev.content.msgtype else {
        return;
    };
    if client.user_id() == Some(&*ev.sender) {
        return;
    }
    let direct = answer::is_direct_chat(&state, &room).await;
    if direct && let Some(reply) = answer::in_direct_chat(&state, &room, &ev, &text.body).await {
        return reply_to(&room, &ev, reply).await;
    }
    if !text.body.trim_start().starts_with(&state.cfg.prefix) {
        return;
    }
    if !direct && answer::is_answer(&text.body, &state.cfg.prefix) {
        return reply_to(&room, &ev, answer::NOT_HERE.to_string()).await;
    }
    let actor = Actor {
        user: ev.sender.to_string(),
        display: ev.sender.localpart().to_string(),
        is_moderator: is_moderator(&state, &room, &ev.sender).await,
        is_bot: false,
    };
    let ctx = Ctx {
        channel: channel(&state, &room),
        actor,
    };
    let Some(reply) = handle_line(&state.h, &ctx, &text.body, &state.cfg.prefix, true).await else {
        return;
    };
    let mut body = reply.text.clone();
    if let Some(a) = &reply.attachment {
        // Attachments (exports, the check-in chart) go up as a file in the same room.
        let mime = if a.filename.ends_with(".png") {
            mime::IMAGE_PNG
        } else {
            mime::APPLICATION_JSON
        };
        let cfg = matrix_sdk::attachment::AttachmentConfig::new();
        if let Err(e) = room
            .send_attachment(&a.filename, &mime, a.content.clone(), cfg)
            .await
        {
            tracing::warn!(error = %e, "could not upload an export");
            body.push_str("\n(The file could not be uploaded; try again later.)");
        }
    }
    reply_to(&room, &ev, body).await;
}

/// A notice in reply to `ev`.
async fn reply_to(room: &Room, ev: &OriginalSyncRoomMessageEvent, body: String) {
    let content = json!({
        "msgtype": "m.notice",
        "body": body,
        "m.relates_to": {"m.in_reply_to": {"event_id": ev.event_id.to_string()}},
    });
    if let Err(e) = room.send_raw("m.room.message", content).await {
        tracing::warn!(error = %e, "could not answer a command");
    }
}

async fn on_reaction_event(
    ev: OriginalSyncReactionEvent,
    client: Client,
    state: HandlerCtx<State>,
) {
    let r = ReactionEvent {
        platform: PlatformKind::Matrix,
        message_id: ev.content.relates_to.event_id.to_string(),
        user: ev.sender.to_string(),
        emoji: ev.content.relates_to.key.clone(),
        added: true,
        by_bot: client.user_id() == Some(&*ev.sender),
        platform_ref: Some(ev.event_id.to_string()),
    };
    if let Err(e) = on_reaction(&state.h, &r).await {
        tracing::error!(error = format!("{e:#}"), "could not store a reaction");
    }
}

async fn on_redaction(ev: OriginalSyncRoomRedactionEvent, state: HandlerCtx<State>) {
    let Some(redacted) = ev.redacts.as_ref().or(ev.content.redacts.as_ref()) else {
        return;
    };
    if let Err(e) = on_reaction_ref_removed(&state.h, PlatformKind::Matrix, redacted.as_str()).await
    {
        tracing::error!(
            error = format!("{e:#}"),
            "could not store a reaction removal"
        );
    }
}

/// Members of a room as seen by the SDK (for tests and diagnostics).
pub async fn joined_members(room: &Room) -> Vec<String> {
    room.members(RoomMemberships::JOIN)
        .await
        .map(|m| m.iter().map(|x| x.user_id().to_string()).collect())
        .unwrap_or_default()
}
