//! Choosing the next prompt for a couple: pure and deterministic for a seed.
//!
//! No prompt repeats within a cycle (a cycle ends when every candidate has been
//! given); practices and intimacy kinds are kept near an even share; what the couple
//! loved or skipped tilts the choice a little.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Prompt;
use super::tags::{Intimacy, Practice};

/// How strongly the couple's reactions shape choice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preferences {
    /// 1.0 is neutral; above, more of that practice; below, less. Kept in [0.5, 2.0].
    pub practice_weight: BTreeMap<Practice, f64>,
}

/// How many picks' worth of credit a weight of 2.0 gives its practice.
const WEIGHT_CREDIT: f64 = 3.0;

/// The prompt to give next, or `None` if there are no candidates.
///
/// `candidates` is the eligible pool (kind, depth and community already applied);
/// `history` the ids already given to this couple for this kind, oldest first.
pub fn choose<'a>(
    candidates: &[&'a Prompt],
    history: &[&str],
    prefs: &Preferences,
    seed: u64,
) -> Option<&'a Prompt> {
    let by_id: HashMap<&str, &Prompt> = candidates.iter().map(|p| (p.id.as_str(), *p)).collect();
    if by_id.is_empty() {
        return None;
    }
    // Replay the history to find what the current cycle has given.
    let mut cycle: Vec<&str> = Vec::new();
    let mut in_cycle: HashSet<&str> = HashSet::new();
    for id in history {
        if by_id.contains_key(id) && in_cycle.insert(id) {
            cycle.push(id);
            if in_cycle.len() == by_id.len() {
                cycle.clear();
                in_cycle.clear();
            }
        }
    }
    let last = history.last().copied();
    let mut remaining: Vec<&Prompt> = candidates
        .iter()
        .copied()
        .filter(|p| !in_cycle.contains(p.id.as_str()))
        .collect();
    if cycle.is_empty() && remaining.len() > 1 {
        remaining.retain(|p| Some(p.id.as_str()) != last);
    }
    let n = cycle.len() as f64;
    let mut practice_count: HashMap<Practice, f64> = HashMap::new();
    let mut intimacy_count: HashMap<Intimacy, f64> = HashMap::new();
    for id in &cycle {
        if let Some(p) = by_id.get(id) {
            *practice_count.entry(p.practice).or_default() += 1.0;
            *intimacy_count.entry(p.intimacy).or_default() += 1.0;
        }
    }
    let practice_share = n / Practice::ALL.len() as f64;
    let intimacy_share = n / Intimacy::ALL.len() as f64;
    let score = |p: &Prompt| {
        let over_p = practice_count.get(&p.practice).copied().unwrap_or(0.0) - practice_share;
        let over_i = intimacy_count.get(&p.intimacy).copied().unwrap_or(0.0) - intimacy_share;
        let w = prefs
            .practice_weight
            .get(&p.practice)
            .copied()
            .unwrap_or(1.0)
            .clamp(0.5, 2.0);
        over_p + over_i - (w - 1.0) * WEIGHT_CREDIT
    };
    remaining.into_iter().min_by(|a, b| {
        score(a)
            .total_cmp(&score(b))
            .then_with(|| mix(seed, &a.id).cmp(&mix(seed, &b.id)))
    })
}

/// A stable hash of (seed, id): FNV-1a folded through splitmix64. Not std's
/// RandomState, which changes from run to run.
fn mix(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::super::Origin;
    use super::super::tags::{Depth, Kind};
    use super::*;

    fn pool(n: usize) -> Vec<Prompt> {
        (0..n)
            .map(|i| Prompt {
                id: format!("p-{i:03}"),
                kind: Kind::Conversation,
                practice: Practice::ALL[i % 6],
                intimacy: Intimacy::ALL[(i / 6) % 4],
                depth: Depth::Light,
                text: format!("prompt {i}"),
                follow_up: None,
                barrier: None,
                apart: None,
                origin: Origin {
                    file: "t".into(),
                    line: i,
                },
            })
            .collect()
    }

    fn run(pool: &[Prompt], days: usize, prefs: &Preferences, seed: u64) -> Vec<String> {
        let refs: Vec<&Prompt> = pool.iter().collect();
        let mut hist: Vec<String> = Vec::new();
        for d in 0..days {
            let h: Vec<&str> = hist.iter().map(String::as_str).collect();
            let p = choose(&refs, &h, prefs, seed ^ d as u64).expect("a prompt");
            hist.push(p.id.clone());
        }
        hist
    }

    #[test]
    fn a_year_is_distinct_and_balanced() {
        let pool = pool(400);
        let picks = run(&pool, 365, &Preferences::default(), 7);
        let distinct: HashSet<&String> = picks.iter().collect();
        assert_eq!(distinct.len(), 365);
        let mut pc: HashMap<Practice, usize> = HashMap::new();
        let mut ic: HashMap<Intimacy, usize> = HashMap::new();
        for id in &picks {
            let p = pool.iter().find(|p| &p.id == id).unwrap();
            *pc.entry(p.practice).or_default() += 1;
            *ic.entry(p.intimacy).or_default() += 1;
        }
        for n in pc.values() {
            assert!(
                (*n as f64 - 365.0 / 6.0).abs() <= 365.0 / 6.0 * 0.25,
                "{pc:?}"
            );
        }
        for n in ic.values() {
            assert!(
                (*n as f64 - 365.0 / 4.0).abs() <= 365.0 / 4.0 * 0.25,
                "{ic:?}"
            );
        }
    }

    #[test]
    fn new_cycle_does_not_repeat_the_last() {
        let pool = pool(12);
        let picks = run(&pool, 13, &Preferences::default(), 1);
        let first: HashSet<&String> = picks[..12].iter().collect();
        assert_eq!(first.len(), 12);
        assert_ne!(picks[12], picks[11]);
    }

    #[test]
    fn deterministic_for_a_seed() {
        let pool = pool(60);
        let d = Preferences::default();
        assert_eq!(run(&pool, 30, &d, 5), run(&pool, 30, &d, 5));
        assert_ne!(run(&pool, 30, &d, 5), run(&pool, 30, &d, 6));
    }

    #[test]
    fn a_loved_practice_comes_more_often() {
        let pool = pool(240);
        let mut prefs = Preferences::default();
        prefs.practice_weight.insert(Practice::Vulnerability, 2.0);
        let count = |picks: &[String]| {
            picks
                .iter()
                .filter(|id| {
                    pool.iter()
                        .any(|p| &&p.id == id && p.practice == Practice::Vulnerability)
                })
                .count()
        };
        let base = count(&run(&pool, 60, &Preferences::default(), 3));
        let loved = count(&run(&pool, 60, &prefs, 3));
        assert!(loved > base, "{loved} vs {base}");
    }

    #[test]
    fn empty_pool_gives_none() {
        assert!(choose(&[], &[], &Preferences::default(), 0).is_none());
    }
}
