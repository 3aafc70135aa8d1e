//! Reading one prompt file: TOML with line numbers, every field checked.

use serde::Deserialize;
use toml::Spanned;

use super::tags::{Barrier, Depth, Intimacy, Kind, Practice};
use super::{CatalogError, MAX_TEXT, Origin, Prompt};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    prompt: Vec<Spanned<RawPrompt>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrompt {
    id: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    practice: Option<Spanned<String>>,
    intimacy: Option<Spanned<String>>,
    depth: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
    follow_up: Option<Spanned<String>>,
    barrier: Option<Spanned<String>>,
    apart: Option<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |s| s.bytes().filter(|b| *b == b'\n').count() + 1)
}

/// Checks a prompt text: not empty, one line, at most [`MAX_TEXT`] characters.
pub fn validate_text(field: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{field} is empty"));
    }
    if text.chars().any(char::is_control) {
        return Err(format!(
            "{field} contains a line break or control character; keep it on one line"
        ));
    }
    let n = text.chars().count();
    if n > MAX_TEXT {
        return Err(format!(
            "{field} is {n} characters; the limit is {MAX_TEXT}"
        ));
    }
    Ok(())
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(super) fn parse_file(
    file: &str,
    text: &str,
    out: &mut Vec<Prompt>,
    errors: &mut Vec<CatalogError>,
) {
    let err = |line: Option<usize>, id: Option<String>, message: String| CatalogError {
        file: file.to_string(),
        line,
        id,
        message,
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            errors.push(err(
                e.span().map(|s| line_of(text, s.start)),
                None,
                e.message().trim().to_string(),
            ));
            return;
        }
    };
    for sp in raw.prompt {
        let table_line = line_of(text, sp.span().start);
        let p = sp.into_inner();
        let id = p.id.as_ref().map(|i| i.get_ref().trim().to_string());
        let before = errors.len();
        let mut push =
            |line: usize, message: String| errors.push(err(Some(line), id.clone(), message));
        match &p.id {
            None => push(table_line, "missing field `id`".into()),
            Some(i) if !valid_id(i.get_ref()) => push(
                line_of(text, i.span().start),
                format!(
                    "id '{}' must be lowercase letters, digits and dashes",
                    i.get_ref()
                ),
            ),
            Some(_) => {}
        }
        macro_rules! tag {
            ($field:ident, $ty:ty, $name:literal) => {
                match &p.$field {
                    None => {
                        push(table_line, format!("missing field `{}`", $name));
                        None
                    }
                    Some(v) => match v.get_ref().parse::<$ty>() {
                        Ok(t) => Some(t),
                        Err(e) => {
                            push(line_of(text, v.span().start), e.to_string());
                            None
                        }
                    },
                }
            };
        }
        let kind = tag!(kind, Kind, "kind");
        let practice = tag!(practice, Practice, "practice");
        let intimacy = tag!(intimacy, Intimacy, "intimacy");
        let depth = tag!(depth, Depth, "depth");
        let barrier = match &p.barrier {
            None => None,
            Some(b) => match b.get_ref().parse::<Barrier>() {
                Ok(b) => Some(b),
                Err(e) => {
                    push(line_of(text, b.span().start), e.to_string());
                    None
                }
            },
        };
        let mut texts: Vec<Option<String>> = Vec::new();
        for (name, field, required) in [
            ("text", &p.text, true),
            ("follow_up", &p.follow_up, false),
            ("apart", &p.apart, false),
        ] {
            match field {
                None if required => {
                    push(table_line, format!("missing field `{name}`"));
                    texts.push(None);
                }
                None => texts.push(None),
                Some(t) => {
                    if let Err(m) = validate_text(name, t.get_ref()) {
                        push(line_of(text, t.span().start), m);
                    }
                    texts.push(Some(t.get_ref().trim().to_string()));
                }
            }
        }
        if errors.len() > before {
            continue;
        }
        let (Some(id), Some(kind), Some(practice), Some(intimacy), Some(depth)) =
            (id, kind, practice, intimacy, depth)
        else {
            continue;
        };
        let mut texts = texts.into_iter();
        let (Some(Some(body)), Some(follow_up), Some(apart)) =
            (texts.next(), texts.next(), texts.next())
        else {
            continue;
        };
        out.push(Prompt {
            id,
            kind,
            practice,
            intimacy,
            depth,
            text: body,
            follow_up,
            barrier,
            apart,
            origin: Origin {
                file: file.to_string(),
                line: table_line,
            },
        });
    }
}
