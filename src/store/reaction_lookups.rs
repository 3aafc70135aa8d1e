//! What the reaction writer has looked up, kept in memory between batches: which
//! posted prompt a message is, and who belongs to a couple.
//!
//! Only what exists is kept (a message that is not a prompt may become one when it is
//! posted). Every change that could make an entry stale counts up an epoch in the
//! database, whoever makes it (triggers of migration 0008: members joining or leaving,
//! forget-me, couples and posted deliveries removed or changed); the writer reads the
//! epoch inside each batch's write transaction, so the batch either sees an unchanged
//! epoch and its entries are what the database holds, or forgets everything first.
//!
//! Bounded: entries live in two generations; a batch that starts with the newer one
//! full retires the older one (so at most twice [`LOOKUPS_PER_GENERATION`] entries of
//! each kind, plus one batch's, are kept). An entry used again moves to the newer one.

use std::collections::HashMap;

use crate::domain::PlatformKind;

/// Most entries of each kind in one generation (so at most twice as many are kept).
pub const LOOKUPS_PER_GENERATION: usize = 50_000;

/// A posted prompt as the reaction writer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedPrompt {
    pub delivery_id: i64,
    pub couple_id: i64,
    pub kind: String,
}

/// One map in two generations.
#[derive(Debug)]
struct Aged<K, V> {
    new: HashMap<K, V>,
    old: HashMap<K, V>,
    /// Entries in `new` after which it becomes `old`.
    per_generation: usize,
}

impl<K: std::hash::Hash + Eq, V> Default for Aged<K, V> {
    fn default() -> Self {
        Self {
            new: HashMap::new(),
            old: HashMap::new(),
            per_generation: LOOKUPS_PER_GENERATION,
        }
    }
}

impl<K: std::hash::Hash + Eq, V> Aged<K, V> {
    fn get<Q>(&self, k: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.new.get(k).or_else(|| self.old.get(k))
    }

    /// Moves an entry of the older generation into the newer one.
    fn refresh<Q>(&mut self, k: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        if !self.new.contains_key(k)
            && let Some((k, v)) = self.old.remove_entry(k)
        {
            self.new.insert(k, v);
        }
    }

    fn age(&mut self) {
        if self.new.len() >= self.per_generation {
            self.old = std::mem::take(&mut self.new);
        }
    }

    fn clear(&mut self) {
        self.new.clear();
        self.old.clear();
    }

    fn len(&self) -> usize {
        self.new.len() + self.old.len()
    }
}

/// The writer's lookups and the epoch they were valid at.
#[derive(Debug, Default)]
pub struct Lookups {
    /// The epoch the entries were read at; None before the first batch.
    epoch: Option<i64>,
    posted: HashMap<PlatformKind, Aged<String, PostedPrompt>>,
    members: Aged<i64, Vec<String>>,
}

impl Lookups {
    /// At the start of a batch: retire a full generation.
    pub(super) fn age(&mut self) {
        self.posted.values_mut().for_each(Aged::age);
        self.members.age();
    }

    /// Takes the epoch read in the current transaction. False if it moved while
    /// entries were known: they are forgotten, and what was read with them must be
    /// read again.
    pub(super) fn check_epoch(&mut self, epoch: i64) -> bool {
        if self.epoch == Some(epoch) {
            return true;
        }
        let had = self.posted.values().any(|a| a.len() > 0) || self.members.len() > 0;
        self.posted.values_mut().for_each(Aged::clear);
        self.members.clear();
        self.epoch = Some(epoch);
        !had
    }

    /// The posted prompt behind a message, if known; keeps it in the newer generation.
    pub(super) fn touch_posted(
        &mut self,
        platform: PlatformKind,
        message_id: &str,
    ) -> Option<&PostedPrompt> {
        let a = self.posted.get_mut(&platform)?;
        a.refresh(message_id);
        a.get(message_id)
    }

    /// Whether the couple's members are known; keeps them in the newer generation.
    pub(super) fn touch_members(&mut self, couple_id: i64) -> bool {
        self.members.refresh(&couple_id);
        self.members.get(&couple_id).is_some()
    }

    pub(super) fn insert_posted(
        &mut self,
        platform: PlatformKind,
        message_id: String,
        p: PostedPrompt,
    ) {
        let per_generation = self.members.per_generation;
        let a = self.posted.entry(platform).or_insert_with(|| Aged {
            per_generation,
            ..Aged::default()
        });
        a.new.insert(message_id, p);
    }

    pub(super) fn insert_members(&mut self, couple_id: i64, members: Vec<String>) {
        self.members.new.insert(couple_id, members);
    }

    /// The posted prompt behind a message on `platform`, as of the current batch.
    pub fn posted(&self, platform: PlatformKind, message_id: &str) -> Option<&PostedPrompt> {
        self.posted.get(&platform)?.get(message_id)
    }

    /// Whether `user` belongs to the couple, as of the current batch.
    pub fn is_member(&self, couple_id: i64, user: &str) -> bool {
        self.members
            .get(&couple_id)
            .is_some_and(|m| m.iter().any(|u| u == user))
    }

    /// How many posted prompts and couples are known.
    pub fn sizes(&self) -> (usize, usize) {
        (
            self.posted.values().map(Aged::len).sum(),
            self.members.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(d: i64) -> PostedPrompt {
        PostedPrompt {
            delivery_id: d,
            couple_id: d,
            kind: "conversation".into(),
        }
    }

    #[test]
    fn at_most_two_generations_are_kept_and_a_used_entry_stays() {
        let mut l = Lookups {
            members: Aged {
                per_generation: 10,
                ..Aged::default()
            },
            ..Lookups::default()
        };
        assert!(l.check_epoch(0));
        for batch in 0..10 {
            l.age();
            // The first message is used in every batch; nine others are new each time.
            assert!(batch == 0 || l.touch_posted(PlatformKind::Discord, "m0").is_some());
            if batch == 0 {
                l.insert_posted(PlatformKind::Discord, "m0".into(), prompt(0));
            }
            for i in 0..9 {
                let d = 1 + batch * 9 + i;
                l.insert_posted(PlatformKind::Discord, format!("m{d}"), prompt(d));
                l.insert_members(d, vec!["alice".into()]);
            }
            // Two generations, each past its size by at most one batch.
            let (posted, couples) = l.sizes();
            assert!(
                posted <= 2 * (10 + 9) && couples <= 2 * (10 + 9),
                "{posted} {couples}"
            );
        }
        assert_eq!(l.posted(PlatformKind::Discord, "m0"), Some(&prompt(0)));
        assert_eq!(l.posted(PlatformKind::Discord, "m1"), None, "retired");
        assert_eq!(l.posted(PlatformKind::Matrix, "m0"), None, "per platform");
        assert!(l.is_member(90, "alice") && !l.is_member(90, "sam"));
    }

    #[test]
    fn a_moved_epoch_forgets_everything() {
        let mut l = Lookups::default();
        assert!(l.check_epoch(3), "nothing known yet: nothing to read again");
        l.insert_posted(PlatformKind::Discord, "m1".into(), prompt(1));
        l.insert_members(1, vec!["alice".into()]);
        assert!(l.check_epoch(3));
        assert!(l.is_member(1, "alice"));
        assert!(!l.check_epoch(4), "known entries were dropped");
        assert_eq!(l.sizes(), (0, 0));
        assert!(!l.is_member(1, "alice"));
        assert!(l.check_epoch(4));
    }
}
