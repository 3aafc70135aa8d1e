//! Answering on Matrix, privately: in a direct message with hearth (a room with no
//! couple and nobody but hearth and that person), `!hearth answer <text>` or a reply
//! to the prompt hearth forwarded there. hearth forwards each conversation (and appreciation) prompt to
//! every member in such a room, opening it (end-to-end encrypted) the first time.

use matrix_sdk::ruma::UserId;
use matrix_sdk::ruma::events::room::message::{OriginalSyncRoomMessageEvent, Relation};
use matrix_sdk::{Client, Room};
use serde_json::json;

use super::State;
use crate::answers::{answer_as_member, answer_delivery};
use crate::app::Hearth;
use crate::commands::{Command, Reply, parse_line};
use crate::domain::{PlatformKind, parse_delivery_key};
use crate::error::HandlerError;
use crate::platform::OutboundPrompt;

/// The content field of a forwarded prompt naming the delivery it came from.
pub const ANSWER_FOR: &str = "org.hearth.answer_for";

/// What to say to `!hearth answer` typed where the partner can read it.
pub const NOT_HERE: &str = "Answers are private: send it to me in a direct message instead (`!hearth answer <your answer>`, or reply to the prompt I sent you there), and I'll show your answers together once you have all answered.";

/// A room with no couple in it and nobody but hearth and one person.
pub(super) async fn is_direct_chat(state: &State, room: &Room) -> bool {
    if room.active_members_count() > 2 {
        return false;
    }
    let ch = super::channel(state, room);
    matches!(state.h.store.couple_in_channel(&ch).await, Ok(None))
}

/// Whether `body` is an `answer` command.
pub(super) fn is_answer(body: &str, prefix: &str) -> bool {
    matches!(
        parse_line(body, prefix, true),
        Ok(Some(Command::Answer { .. }))
    )
}

fn reply_of(r: Result<Reply, HandlerError>) -> String {
    match r {
        Ok(r) => r.text,
        Err(HandlerError::User(e)) => e.0,
        Err(HandlerError::Internal(e)) => {
            tracing::error!(error = format!("{e:#}"), "answer failed");
            "Sorry, something went wrong on my side and your answer was not saved. Please try again in a moment.".into()
        }
    }
}

/// A message in a direct chat: an answer (command or reply to a forwarded prompt)
/// gets `Some(reply)`; anything else `None`, for the usual command handling.
pub(super) async fn in_direct_chat(
    state: &State,
    room: &Room,
    ev: &OriginalSyncRoomMessageEvent,
    body: &str,
) -> Option<String> {
    let h = &state.h;
    let user = ev.sender.as_str();
    if let Ok(Some(Command::Answer { text })) = parse_line(body, &state.cfg.prefix, true) {
        return Some(reply_of(
            answer_as_member(h, PlatformKind::Matrix, user, &text).await,
        ));
    }
    let Some(Relation::Reply(reply)) = &ev.content.relates_to else {
        return None;
    };
    let replied = room.event(&reply.in_reply_to.event_id, None).await.ok()?;
    let v = replied.raw().deserialize_as::<serde_json::Value>().ok()?;
    let delivery = parse_delivery_key(v["content"][ANSWER_FOR].as_str()?)?;
    Some(reply_of(
        answer_delivery(
            h,
            PlatformKind::Matrix,
            delivery,
            user,
            strip_fallback(body),
        )
        .await,
    ))
}

/// A reply's body may start with a quote of the message replied to (`> …` lines).
fn strip_fallback(body: &str) -> &str {
    let mut rest = body;
    while rest.starts_with('>') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest.trim()
}

/// Sends a conversation or appreciation prompt to each member of the couple in their direct chat
/// with hearth, so they can answer there by replying. Failures are logged: the
/// prompt itself is out, and `!hearth answer` works in any direct chat.
pub(super) async fn forward_prompt(h: &Hearth, client: &Client, p: &OutboundPrompt) {
    let members = match h.store.couple_in_channel(&p.channel).await {
        Ok(Some(c)) => c.members,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = format!("{e:#}"), "forward: cannot read the couple");
            return;
        }
    };
    let body = format!(
        "{}\n\nReply to this message with your answer (or type `!hearth answer <your answer>` here). It stays hidden until you have all answered; then I show your answers together in your room.",
        p.text
    );
    for (i, m) in members.iter().enumerate() {
        let Ok(user) = <&UserId>::try_from(m.as_str()) else {
            continue;
        };
        let room = match client.get_dm_room(user) {
            Some(r) => r,
            None => match client.create_dm(user).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(delivery = p.delivery_id, error = %e, "could not open a direct chat");
                    continue;
                }
            },
        };
        let content = json!({"msgtype": "m.notice", "body": body, ANSWER_FOR: p.key});
        if let Err(e) = super::post::send_keyed(&room, content, format!("{}-dm-{i}", p.key)).await {
            tracing::warn!(delivery = p.delivery_id, error = %e, "could not forward a prompt");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reply_fallbacks_are_stripped() {
        assert_eq!(
            super::strip_fallback("> <@hearth:x> What?\n> more\n\nThe lake"),
            "The lake"
        );
        assert_eq!(super::strip_fallback("The lake"), "The lake");
    }
}
