//! The prompt catalog: loading and validating `prompts/*.toml`, checking the whole
//! library (`hearth prompts check`), and choosing the next prompt for a couple.
//!
//! The default catalog is compiled into the binary; `catalog.dir` in the config
//! points at a folder to use instead.

pub mod check;
mod load;
pub mod select;
pub mod tags;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use tags::{Barrier, Depth, Intimacy, Kind, Practice};

pub use load::validate_text;

/// Longest text a prompt (or its follow-up, or its variant for partners apart) may have.
pub const MAX_TEXT: usize = 280;

/// Where a prompt was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

/// One prompt with its tags.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub id: String,
    pub kind: Kind,
    pub practice: Practice,
    pub intimacy: Intimacy,
    pub depth: Depth,
    pub text: String,
    pub follow_up: Option<String>,
    pub barrier: Option<Barrier>,
    /// A variant for partners who are apart (long distance).
    pub apart: Option<String>,
    pub origin: Origin,
}

/// A problem in a prompt file, located by file, line and prompt id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub file: String,
    pub line: Option<usize>,
    pub id: Option<String>,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(id) = &self.id {
            write!(f, ": prompt {id}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found while loading, one per line when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogErrors(pub Vec<CatalogError>);

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for CatalogErrors {}

/// A validated set of prompts.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    prompts: Vec<Prompt>,
    index: HashMap<String, usize>,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_prompts.rs"));
}

impl Catalog {
    /// The catalog compiled into hearth from `prompts/`.
    pub fn embedded() -> Result<Catalog, CatalogErrors> {
        Self::from_sources(&Self::embedded_sources())
    }

    /// Every `*.toml` file in `dir`, in name order.
    pub fn load_dir(dir: &Path) -> Result<Catalog, CatalogErrors> {
        Self::from_sources(&Self::dir_sources(dir)?)
    }

    /// Parses (file name, contents) pairs; collects every error.
    pub fn from_sources(files: &[(String, String)]) -> Result<Catalog, CatalogErrors> {
        let (catalog, errors) = Self::from_sources_lenient(files);
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogErrors(errors))
        }
    }

    /// Like [`Catalog::from_sources`], but keeps every prompt that is valid alongside
    /// the errors, so `hearth prompts check` can report everything in one run.
    pub fn from_sources_lenient(files: &[(String, String)]) -> (Catalog, Vec<CatalogError>) {
        let mut prompts = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in files {
            load::parse_file(name, text, &mut prompts, &mut errors);
        }
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, p) in prompts.iter().enumerate() {
            if let Some(&first) = index.get(&p.id) {
                let o = prompts.get(first).map(|f| f.origin.clone());
                errors.push(CatalogError {
                    file: p.origin.file.clone(),
                    line: Some(p.origin.line),
                    id: Some(p.id.clone()),
                    message: match o {
                        Some(o) => format!("duplicate id: also defined at {}:{}", o.file, o.line),
                        None => "duplicate id".into(),
                    },
                });
            } else {
                index.insert(p.id.clone(), i);
            }
        }
        (Catalog { prompts, index }, errors)
    }

    /// The files of the embedded catalog.
    pub fn embedded_sources() -> Vec<(String, String)> {
        embedded::EMBEDDED
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect()
    }

    /// The `*.toml` files of a folder, in name order.
    pub fn dir_sources(dir: &Path) -> Result<Vec<(String, String)>, CatalogErrors> {
        let one = |message: String| {
            CatalogErrors(vec![CatalogError {
                file: dir.display().to_string(),
                line: None,
                id: None,
                message,
            }])
        };
        let entries = std::fs::read_dir(dir)
            .map_err(|e| one(format!("cannot read the prompt folder: {e}")))?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(one("no prompt files (*.toml) in this folder".into()));
        }
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for p in paths {
            match std::fs::read_to_string(&p) {
                Ok(t) => files.push((p.display().to_string(), t)),
                Err(e) => errors.push(CatalogError {
                    file: p.display().to_string(),
                    line: None,
                    id: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(CatalogErrors(errors))
        }
    }

    pub fn prompts(&self) -> &[Prompt] {
        &self.prompts
    }

    pub fn get(&self, id: &str) -> Option<&Prompt> {
        self.index.get(id).and_then(|i| self.prompts.get(*i))
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Prompt> {
        self.prompts.iter().filter(move |p| p.kind == kind)
    }

    pub fn len(&self) -> usize {
        self.prompts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prompts.is_empty()
    }
}

impl Prompt {
    /// A custom prompt as a catalog prompt, if its stored tags still parse.
    pub fn from_custom(c: &crate::store::CustomPrompt) -> Option<Prompt> {
        Some(Prompt {
            id: c.prompt_id(),
            kind: c.kind.parse().ok()?,
            practice: c.practice.parse().ok()?,
            intimacy: c.intimacy.parse().ok()?,
            depth: c.depth.parse().ok()?,
            text: c.text.clone(),
            follow_up: None,
            barrier: None,
            apart: None,
            origin: Origin {
                file: "custom".into(),
                line: 0,
            },
        })
    }
}

/// Checks a moderator's new prompt by the catalog's rules: a known kind, practice,
/// intimacy and depth, a text within limits, and not a near-duplicate of any
/// prompt the community can already get. Every problem is returned.
pub fn validate_custom(
    kind: &str,
    practice: &str,
    intimacy: &str,
    depth: &str,
    text: &str,
    catalog: &Catalog,
    others: &[Prompt],
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if let Err(e) = kind.parse::<Kind>() {
        problems.push(e.to_string());
    }
    if let Err(e) = practice.parse::<Practice>() {
        problems.push(e.to_string());
    }
    if let Err(e) = intimacy.parse::<Intimacy>() {
        problems.push(e.to_string());
    }
    if let Err(e) = depth.parse::<Depth>() {
        problems.push(e.to_string());
    }
    if let Err(e) = validate_text("the text", text) {
        problems.push(e);
    }
    if problems.is_empty() {
        let similar = catalog
            .prompts()
            .iter()
            .chain(others)
            .find(|p| check::similarity(&p.text, text) >= 1.0);
        if let Some(p) = similar {
            problems.push(format!(
                "it says the same as prompt {}: \"{}\"",
                p.id, p.text
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
