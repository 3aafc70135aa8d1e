//! Between Discord and the core's text: a `/hearth` invocation back into the words
//! of the core's text grammar (so every rule lives in one place), and user ids in
//! replies shown as mentions.

use serenity::all::{ResolvedOption, ResolvedValue};

/// The words `/hearth a b opt:…` stands for in the text grammar.
pub fn to_words(options: &[ResolvedOption<'_>]) -> Vec<String> {
    let mut words = Vec::new();
    let mut level = options;
    // Walk down the subcommand group and subcommand.
    while let Some((
        name,
        ResolvedValue::SubCommandGroup(inner) | ResolvedValue::SubCommand(inner),
    )) = level.first().map(|o| (o.name, &o.value))
    {
        words.push(name.to_string());
        level = inner.as_slice();
    }
    let get = |n: &str| level.iter().find(|o| o.name == n).map(|o| &o.value);
    let text = |n: &str| match get(n) {
        Some(ResolvedValue::String(s)) => Some((*s).to_string()),
        Some(ResolvedValue::Integer(i)) => Some(i.to_string()),
        Some(ResolvedValue::User(u, _)) => Some(u.id.to_string()),
        _ => None,
    };
    let path: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut extra: Vec<String> = Vec::new();
    match path.as_slice() {
        ["forget-me"] => {
            if matches!(get("confirm"), Some(ResolvedValue::Boolean(true))) {
                extra.push("confirm".into());
            }
        }
        ["prompt-admin", "add"] => {
            for name in ["kind", "practice", "intimacy", "depth", "text"] {
                extra.extend(text(name));
            }
        }
        ["prompt-admin", "remove"] => extra.extend(text("prompt")),
        ["answer"] => extra.extend(text("text")),
        ["appreciate"] => {
            // A Discord mention, as the text grammar takes it.
            extra.extend(text("partner").map(|id| format!("<@{id}>")));
            extra.extend(text("text"));
        }
        ["digest"] => {
            if let Some(w) = text("when") {
                extra.extend(w.split_whitespace().map(str::to_string));
            }
        }
        ["pause"] => {
            if let Some(d) = text("until") {
                extra.push("--until".into());
                extra.push(d);
            }
        }
        ["reveal"] => {
            if let Some(w) = text("when") {
                extra.extend(w.split_whitespace().map(str::to_string));
            }
        }
        ["settings"] => {
            for key in ["timezone", "depth"] {
                if let Some(v) = text(key) {
                    extra.push(key.into());
                    extra.push(v);
                }
            }
        }
        ["schedule", "add"] => {
            extra.extend(text("kind"));
            extra.extend(text("when"));
            extra.extend(text("timezone"));
            extra.extend(text("grace_minutes").map(|m| format!("grace={m}m")));
            if matches!(get("thread"), Some(ResolvedValue::Boolean(true))) {
                extra.push("thread".into());
            }
            if matches!(get("fair"), Some(ResolvedValue::Boolean(true))) {
                extra.push("--fair".into());
            }
        }
        ["suggest"] => {
            extra.extend(text("kind"));
            extra.extend(text("text"));
        }
        ["suggestions", "approve"] => {
            extra.extend(text("id"));
            extra.extend(text("tags"));
        }
        ["suggestions", "reject"] => {
            extra.extend(text("id"));
            extra.extend(text("reason"));
        }
        ["couple", "zone"] => {
            extra.push(text("member").unwrap_or_else(|| "me".into()));
            extra.extend(text("timezone"));
        }
        ["schedule", "preview"] => {
            extra.extend(text("schedule"));
            extra.extend(text("timezone"));
        }
        _ => {
            for name in [
                "command", "kind", "count", "id", "member1", "member2", "member3", "member4",
                "timezone",
            ] {
                extra.extend(text(name));
            }
        }
    }
    words.extend(extra);
    words
}

/// Shows user ids in replies as mentions (which render as names; allowed mentions
/// are off, so nobody is pinged).
pub fn mention_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if (17..=20).contains(&digits.len()) {
            out.push_str(&format!("<@{digits}>"));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_become_mentions() {
        assert_eq!(
            super::mention_ids("alice 123456789012345678 & #12"),
            "alice <@123456789012345678> & #12"
        );
    }
}
