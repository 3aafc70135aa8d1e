//! Picks the prompt for a delivery: the catalog's pure selection fed with this
//! couple's history and reactions.

use std::collections::BTreeMap;

use crate::app::Hearth;
use crate::catalog::Prompt;
use crate::catalog::select::{Preferences, choose};
use crate::catalog::tags::{Depth, Kind, Practice};
use crate::domain::ChannelRef;
use crate::reactions::{Meaning, Meanings};
use crate::store::CustomPrompt;

/// How much one reaction moves a practice's weight.
const STEP: f64 = 0.1;

/// The prompt to give a couple now, or `None` if no prompt of that kind fits.
/// The community's custom prompts join the catalog's for couples in `at`'s community.
pub async fn choose_for(
    h: &Hearth,
    couple_id: i64,
    at: &ChannelRef,
    kind: Kind,
    max_depth: Depth,
    seed: u64,
) -> anyhow::Result<Option<Prompt>> {
    // History, reactions and the community's custom prompts in one read, as for a
    // batch of deliveries.
    let mut inputs = h
        .store
        .selection_inputs(
            &[(couple_id, kind.as_str())],
            &[(at.platform, at.scope.as_str())],
        )
        .await?;
    let custom = as_prompts(
        &inputs
            .custom
            .remove(&(at.platform, at.scope.clone()))
            .unwrap_or_default(),
    );
    let history = inputs
        .history
        .remove(&(couple_id, kind.as_str().to_string()))
        .unwrap_or_default();
    let history: Vec<&str> = history.iter().map(String::as_str).collect();
    let signals = inputs.signals.remove(&couple_id).unwrap_or_default();
    Ok(choose_among(
        h, &custom, kind, max_depth, &history, &signals, seed,
    ))
}

/// Stored custom prompts as prompts (one whose tags no longer parse is left out).
pub(crate) fn as_prompts(custom: &[CustomPrompt]) -> Vec<Prompt> {
    custom.iter().filter_map(Prompt::from_custom).collect()
}

/// The choice itself, from what was read: the catalog's prompts and the community's
/// `custom` ones of `kind` up to `max_depth`, the couple's `history` of that kind
/// (oldest first) and the `signals` of their reactions ((prompt id, emoji) pairs).
pub(crate) fn choose_among(
    h: &Hearth,
    custom: &[Prompt],
    kind: Kind,
    max_depth: Depth,
    history: &[&str],
    signals: &[(String, String)],
    seed: u64,
) -> Option<Prompt> {
    let candidates: Vec<&Prompt> = h
        .catalog
        .of_kind(kind)
        .chain(custom.iter().filter(|p| p.kind == kind))
        .filter(|p| p.depth <= max_depth)
        .collect();
    let prefs = preferences(h, signals);
    choose(&candidates, history, &prefs, seed).cloned()
}

/// A prompt by id: the catalog's, or one of the community's custom prompts.
pub async fn prompt_by_id(h: &Hearth, at: &ChannelRef, id: &str) -> anyhow::Result<Option<Prompt>> {
    if let Some(p) = h.catalog.get(id) {
        return Ok(Some(p.clone()));
    }
    if !id.starts_with("custom-") {
        return Ok(None);
    }
    Ok(h.store
        .custom_prompts(at)
        .await?
        .iter()
        .filter(|c| c.prompt_id() == id)
        .find_map(Prompt::from_custom))
}

/// Loved and favourite prompts raise their practice's weight; "another one" lowers it.
fn preferences(h: &Hearth, signals: &[(String, String)]) -> Preferences {
    let meanings = Meanings::from_config(&h.config.reactions);
    let mut weight: BTreeMap<Practice, f64> = BTreeMap::new();
    for (prompt_id, emoji) in signals {
        let Some(p) = h.catalog.get(prompt_id) else {
            continue;
        };
        let delta = match meanings.of(emoji) {
            Some(Meaning::Loved | Meaning::Favourite) => STEP,
            Some(Meaning::Another) => -STEP,
            _ => continue,
        };
        *weight.entry(p.practice).or_insert(1.0) += delta;
    }
    for w in weight.values_mut() {
        *w = w.clamp(0.5, 2.0);
    }
    Preferences {
        practice_weight: weight,
    }
}
