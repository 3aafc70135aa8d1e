//! `hearth prompts check`, `list` and `show`: the library's health at a glance, and
//! near-duplicates caught before a couple sees the same question twice in new words.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use super::tags::{Depth, Intimacy, Kind, Practice};
use super::{Catalog, Prompt};

/// Word-set similarity (Jaccard over stemmed content words) at which two prompts count as the same.
pub const WORD_THRESHOLD: f64 = 0.6;
/// Character-trigram similarity at which two prompts count as the same.
pub const TRIGRAM_THRESHOLD: f64 = 0.7;
/// A practice × intimacy cell with fewer prompts than this is flagged.
pub const MIN_CELL: usize = 10;

/// The result of checking the whole catalog.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Pairs of prompt ids that say the same thing, with their similarity.
    pub near_duplicates: Vec<(String, String, f64)>,
    /// Library-level problems (missing depths, too many deep prompts, thin cells).
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.near_duplicates.is_empty() && self.problems.is_empty()
    }
}

const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "about",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "do",
    "does",
    "did",
    "you",
    "your",
    "yours",
    "you're",
    "each",
    "other",
    "one",
    "that",
    "this",
    "it",
    "its",
    "what",
    "which",
    "who",
    "how",
    "when",
    "where",
    "why",
    "me",
    "my",
    "i",
    "we",
    "our",
    "us",
    "them",
    "they",
    "their",
    "from",
    "as",
    "by",
    "if",
    "so",
    "than",
    "then",
    "can",
    "could",
    "would",
    "will",
    "some",
    "any",
    "there",
    "here",
    "have",
    "has",
    "had",
    "not",
    "no",
    "yes",
    "up",
    "out",
    "into",
    "something",
    "thing",
    "things",
    "partner",
    "partner's",
    "together",
    "tell",
    "share",
    "name",
    "describe",
];

fn stem(w: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if w.len() > suffix.len() + 3
            && let Some(s) = w.strip_suffix(suffix)
        {
            return s.to_string();
        }
    }
    w.to_string()
}

fn normalise(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Content words of a text, stemmed.
fn words(text: &str) -> HashSet<String> {
    normalise(text)
        .split(' ')
        .filter(|w| !STOP.contains(w))
        .map(stem)
        .collect()
}

fn trigrams(text: &str) -> HashSet<[char; 3]> {
    let chars: Vec<char> = normalise(text).chars().collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

fn jaccard<T: Eq + std::hash::Hash>(a: &HashSet<T>, b: &HashSet<T>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// How alike two texts are (0 to 1): the higher of word and trigram similarity,
/// each scaled to its threshold so that 1.0 means "at the threshold".
pub fn similarity(a: &str, b: &str) -> f64 {
    let w = jaccard(&words(a), &words(b)) / WORD_THRESHOLD;
    let t = jaccard(&trigrams(a), &trigrams(b)) / TRIGRAM_THRESHOLD;
    w.max(t)
}

/// Pairs of prompts that say the same thing in other words.
pub fn near_duplicates(prompts: &[&Prompt]) -> Vec<(String, String, f64)> {
    let sigs: Vec<(HashSet<String>, HashSet<[char; 3]>)> = prompts
        .iter()
        .map(|p| (words(&p.text), trigrams(&p.text)))
        .collect();
    let mut out = Vec::new();
    for i in 0..prompts.len() {
        for j in i + 1..prompts.len() {
            let (wi, ti) = &sigs[i];
            let (wj, tj) = &sigs[j];
            let s = (jaccard(wi, wj) / WORD_THRESHOLD).max(jaccard(ti, tj) / TRIGRAM_THRESHOLD);
            if s >= 1.0 {
                out.push((prompts[i].id.clone(), prompts[j].id.clone(), s));
            }
        }
    }
    out
}

/// Checks the library as a whole.
pub fn check(catalog: &Catalog) -> CheckReport {
    let all: Vec<&Prompt> = catalog.prompts().iter().collect();
    let mut report = CheckReport {
        near_duplicates: near_duplicates(&all),
        problems: Vec::new(),
    };
    for kind in Kind::ALL {
        let of: Vec<&&Prompt> = all.iter().filter(|p| p.kind == *kind).collect();
        if of.is_empty() {
            report.problems.push(format!("no {kind} prompts"));
            continue;
        }
        for depth in Depth::ALL {
            if !of.iter().any(|p| p.depth == *depth) {
                report
                    .problems
                    .push(format!("{kind} has no {depth} prompts"));
            }
        }
    }
    let conv: Vec<&&Prompt> = all
        .iter()
        .filter(|p| p.kind == Kind::Conversation)
        .collect();
    let deep = conv.iter().filter(|p| p.depth == Depth::Deep).count();
    if deep * 3 > conv.len() {
        report.problems.push(format!(
            "{deep} of {} conversation prompts are deep; at most a third may be",
            conv.len()
        ));
    }
    if catalog.len() >= 200 {
        for p in Practice::ALL {
            for i in Intimacy::ALL {
                let n = all
                    .iter()
                    .filter(|x| x.practice == *p && x.intimacy == *i)
                    .count();
                if n < MIN_CELL {
                    report.problems.push(format!(
                        "only {n} prompts for {p} × {i} (at least {MIN_CELL} wanted)"
                    ));
                }
            }
        }
    }
    report
}

/// The printed report.
pub fn render(report: &CheckReport, catalog: &Catalog) -> String {
    let mut out = String::new();
    let all = catalog.prompts();
    let _ = writeln!(out, "{} prompts\n\nper kind and depth:", all.len());
    let _ = writeln!(
        out,
        "  {:<14}{:>7}{:>7}{:>7}{:>7}",
        "kind", "light", "medium", "deep", "total"
    );
    for k in Kind::ALL {
        let n = |d: Depth| all.iter().filter(|p| p.kind == *k && p.depth == d).count();
        let t = all.iter().filter(|p| p.kind == *k).count();
        let _ = writeln!(
            out,
            "  {:<14}{:>7}{:>7}{:>7}{:>7}",
            k.as_str(),
            n(Depth::Light),
            n(Depth::Medium),
            n(Depth::Deep),
            t
        );
    }
    let _ = writeln!(out, "\npractice × intimacy (* = fewer than {MIN_CELL}):");
    let _ = write!(out, "  {:<24}", "");
    for i in Intimacy::ALL {
        let _ = write!(out, "{:>13}", i.as_str());
    }
    let _ = writeln!(out, "{:>8}", "total");
    for p in Practice::ALL {
        let _ = write!(out, "  {:<24}", p.as_str());
        for i in Intimacy::ALL {
            let n = all
                .iter()
                .filter(|x| x.practice == *p && x.intimacy == *i)
                .count();
            let mark = if n < MIN_CELL { "*" } else { " " };
            let _ = write!(out, "{:>12}{mark}", n);
        }
        let _ = writeln!(
            out,
            "{:>8}",
            all.iter().filter(|x| x.practice == *p).count()
        );
    }
    let mut barriers: BTreeMap<String, usize> = BTreeMap::new();
    for p in all {
        if let Some(b) = p.barrier {
            *barriers.entry(b.to_string()).or_default() += 1;
        }
    }
    let b: Vec<String> = barriers.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        out,
        "\nbarrier prompts: {}",
        if b.is_empty() {
            "none".into()
        } else {
            b.join(", ")
        }
    );
    for (a, b, s) in &report.near_duplicates {
        let _ = writeln!(
            out,
            "\nNEAR-DUPLICATE ({:.0}% of the threshold):",
            s * 100.0
        );
        for id in [a, b] {
            match catalog.get(id) {
                Some(p) => {
                    let _ = writeln!(
                        out,
                        "  {}:{}: {id}: {}",
                        p.origin.file, p.origin.line, p.text
                    );
                }
                None => {
                    let _ = writeln!(out, "  {id}");
                }
            }
        }
    }
    for p in &report.problems {
        let _ = writeln!(out, "\nPROBLEM: {p}");
    }
    let _ = writeln!(
        out,
        "\n{}",
        if report.is_ok() {
            "catalog OK".to_string()
        } else {
            format!(
                "catalog has {} problem(s)",
                report.near_duplicates.len() + report.problems.len()
            )
        }
    );
    out
}

/// `hearth prompts list`.
pub fn render_list(
    catalog: &Catalog,
    kind: Option<Kind>,
    practice: Option<Practice>,
    depth: Option<Depth>,
) -> String {
    let mut out = String::new();
    let mut n = 0;
    for p in catalog.prompts() {
        if kind.is_some_and(|k| k != p.kind)
            || practice.is_some_and(|x| x != p.practice)
            || depth.is_some_and(|d| d != p.depth)
        {
            continue;
        }
        n += 1;
        let _ = writeln!(
            out,
            "{:<12} {:<12} {:<23} {:<12} {:<6} {}",
            p.id, p.kind, p.practice, p.intimacy, p.depth, p.text
        );
    }
    let _ = writeln!(out, "({n} prompts)");
    out
}

/// `hearth prompts show <id>`.
pub fn render_show(p: &Prompt) -> String {
    let mut out = format!(
        "{}\n  kind:      {}\n  practice:  {}\n  intimacy:  {}\n  depth:     {}\n",
        p.id, p.kind, p.practice, p.intimacy, p.depth
    );
    if let Some(b) = p.barrier {
        let _ = writeln!(out, "  barrier:   {b}");
    }
    let _ = writeln!(out, "  text:      {}", p.text);
    if let Some(f) = &p.follow_up {
        let _ = writeln!(out, "  follow-up: {f}");
    }
    if let Some(a) = &p.apart {
        let _ = writeln!(out, "  apart:     {a}");
    }
    let _ = writeln!(out, "  defined:   {}:{}", p.origin.file, p.origin.line);
    out
}
