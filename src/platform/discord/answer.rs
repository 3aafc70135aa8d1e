//! Answering on Discord: a button under each conversation and appreciation prompt opens a form (a
//! modal) only the person who clicked sees; its submission is stored and acknowledged
//! ephemerally. The reveal is posted as an embed in the channel, or in the prompt's
//! thread (a thread started from a message has the message's id).

use serenity::all::{
    ButtonStyle, ComponentInteraction, Context, CreateActionRow, CreateAllowedMentions,
    CreateButton, CreateEmbed, CreateEmbedFooter, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, CreateModal, InputTextStyle, ModalInteraction,
    Nonce,
};

use super::events::Handler;
use super::words::mention_ids;
use crate::answers::{MAX_ANSWER, answer_delivery, may_answer};
use crate::commands::Reply;
use crate::domain::PlatformKind;
use crate::error::HandlerError;
use crate::platform::OutboundReveal;

/// Prefix of the custom id of the answer button and of its form, before the delivery id.
pub const ANSWER_ID: &str = "hearth-answer:";
/// Custom id of the text field in the form.
const FIELD_ID: &str = "answer";

/// The button under a conversation or appreciation prompt.
pub fn answer_button(delivery_id: i64) -> CreateActionRow {
    CreateActionRow::Buttons(vec![
        CreateButton::new(format!("{ANSWER_ID}{delivery_id}"))
            .label("Answer privately")
            .emoji('✍')
            .style(ButtonStyle::Primary),
    ])
}

/// The delivery id in a custom id of ours.
pub fn delivery_of(custom_id: &str) -> Option<i64> {
    custom_id
        .strip_prefix(ANSWER_ID)?
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

fn reply_of(r: Result<Reply, HandlerError>) -> Reply {
    match r {
        Ok(r) => r,
        Err(HandlerError::User(e)) => Reply::error(e.0),
        Err(HandlerError::Internal(e)) => {
            tracing::error!(error = format!("{e:#}"), "answer failed");
            Reply::error(
                "Sorry, something went wrong on my side and your answer was not saved. Please try again in a moment.",
            )
        }
    }
}

fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new())
            .content(mention_ids(text)),
    )
}

impl Handler {
    /// The answer button: opens the form (with the clicker's current answer, so they
    /// can change it), or says why they cannot answer.
    pub(super) async fn answer_click(&self, ctx: &Context, c: &ComponentInteraction) {
        let Some(delivery) = delivery_of(&c.data.custom_id) else {
            tracing::debug!(custom_id = %c.data.custom_id, "a component that is not ours");
            return;
        };
        let user = c.user.id.to_string();
        let resp = match may_answer(&self.h, PlatformKind::Discord, delivery, &user).await {
            Ok((_, _, own)) => {
                let mut field = CreateInputText::new(
                    InputTextStyle::Paragraph,
                    "Your answer (hidden until you all answer)",
                    FIELD_ID,
                )
                .required(true)
                .max_length(u16::try_from(MAX_ANSWER).unwrap_or(1000));
                if let Some(own) = own {
                    field = field.value(own);
                }
                CreateInteractionResponse::Modal(
                    CreateModal::new(format!("{ANSWER_ID}{delivery}"), "Answer privately")
                        .components(vec![CreateActionRow::InputText(field)]),
                )
            }
            Err(e) => ephemeral(&reply_of(Err(e)).text),
        };
        if let Err(e) = c.create_response(&ctx.http, resp).await {
            tracing::warn!(error = %e, "could not answer a button click");
        }
    }

    /// The form submitted: store the answer, acknowledge it to its writer only.
    pub(super) async fn answer_submit(&self, ctx: &Context, m: &ModalInteraction) {
        let Some(delivery) = delivery_of(&m.data.custom_id) else {
            tracing::debug!(custom_id = %m.data.custom_id, "a form that is not ours");
            return;
        };
        let text = m
            .data
            .components
            .iter()
            .flat_map(|row| &row.components)
            .find_map(|c| match c {
                serenity::all::ActionRowComponent::InputText(t) if t.custom_id == FIELD_ID => {
                    t.value.clone()
                }
                _ => None,
            })
            .unwrap_or_default();
        let user = m.user.id.to_string();
        let reply =
            reply_of(answer_delivery(&self.h, PlatformKind::Discord, delivery, &user, &text).await);
        if let Err(e) = m.create_response(&ctx.http, ephemeral(&reply.text)).await {
            tracing::warn!(error = %e, "could not acknowledge an answer");
        }
    }
}

/// The reveal as a Discord message: an embed naming each member by mention (which
/// renders as their name; mentions ping nobody), with its key as nonce and footer.
pub fn reveal_message(r: &OutboundReveal) -> CreateMessage {
    let mut text = String::new();
    if let Some(p) = &r.prompt {
        text.push_str(&format!("**{p}**\n"));
    }
    for (user, answer) in &r.answers {
        text.push_str(&format!("\n{}\n{answer}\n", mention(user)));
    }
    if !r.missing.is_empty() {
        let names: Vec<String> = r.missing.iter().map(|u| mention(u)).collect();
        text.push_str(&format!(
            "\n(No answer from {} this time.)",
            names.join(", ")
        ));
    }
    // An embed's description holds 4096 characters; four long answers may not fit.
    if text.chars().count() > 4000 {
        text = text.chars().take(3990).collect::<String>() + "…";
    }
    let title = if r.missing.is_empty() {
        "💞 Your answers, together"
    } else {
        "💞 Time is up: what was answered"
    };
    CreateMessage::new()
        .embed(
            CreateEmbed::new()
                .title(title)
                .description(text.trim_end())
                .footer(CreateEmbedFooter::new(&r.key)),
        )
        .nonce(Nonce::String(r.key.clone()))
        .enforce_nonce(true)
        .allowed_mentions(CreateAllowedMentions::new())
}

fn mention(user: &str) -> String {
    if !user.is_empty() && user.chars().all(|c| c.is_ascii_digit()) {
        format!("<@{user}>")
    } else {
        user.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip_and_strangers_are_not_ours() {
        assert_eq!(delivery_of(&format!("{ANSWER_ID}42")), Some(42));
        assert_eq!(delivery_of("hearth-answer:x"), None);
        assert_eq!(delivery_of("hearth-answer:-3"), None);
        assert_eq!(delivery_of("someone-else:42"), None);
    }
}
