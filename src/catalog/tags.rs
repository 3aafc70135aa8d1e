//! The tags every prompt carries: its kind, practice, intimacy and depth (and an
//! optional barrier). Names are the kebab-case words used in prompt files.

use std::fmt;
use std::str::FromStr;

/// A tag value that is not one of the allowed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    pub tag: &'static str,
    pub given: String,
    pub allowed: &'static [&'static str],
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let given: String = self.given.chars().take(40).collect();
        write!(
            f,
            "unknown {} '{given}' (expected one of: {})",
            self.tag,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for TagError {}

macro_rules! tag_enum {
    ($(#[$doc:meta])* $name:ident, $tag:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = TagError;
            fn from_str(s: &str) -> Result<Self, TagError> {
                let t = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(t))
                    .ok_or_else(|| TagError { tag: $tag, given: t.to_string(), allowed: $name::NAMES })
            }
        }
    };
}

tag_enum!(
    /// What a prompt asks of the couple.
    Kind, "kind", {
    Conversation => "conversation",
    Appreciation => "appreciation",
    Closeness => "closeness",
    Experience => "experience",
    CheckIn => "check-in",
});

tag_enum!(
    /// The practice a prompt builds.
    Practice, "practice", {
    MeaningfulConversation => "meaningful-conversation",
    ActiveListening => "active-listening",
    NewExperiences => "new-experiences",
    Appreciation => "appreciation",
    PhysicalCloseness => "physical-closeness",
    Vulnerability => "vulnerability",
});

tag_enum!(
    /// The kind of intimacy a prompt serves.
    Intimacy, "intimacy", {
    Emotional => "emotional",
    Physical => "physical",
    Intellectual => "intellectual",
    Experiential => "experiential",
});

tag_enum!(
    /// How much openness a prompt asks for; ordered light < medium < deep.
    Depth, "depth", {
    Light => "light",
    Medium => "medium",
    Deep => "deep",
});

tag_enum!(
    /// A barrier a prompt was written for.
    Barrier, "barrier", {
    PastHurt => "past-hurt",
    Stress => "stress",
});

impl Kind {
    /// A small symbol for chat messages.
    pub fn emoji(self) -> &'static str {
        match self {
            Kind::Conversation => "💬",
            Kind::Appreciation => "🙏",
            Kind::Closeness => "🤗",
            Kind::Experience => "🧭",
            Kind::CheckIn => "📊",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_errors_list_choices() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>(), Ok(*k));
        }
        assert_eq!("Check-In".parse::<Kind>(), Ok(Kind::CheckIn));
        let e = "listening".parse::<Practice>().unwrap_err().to_string();
        assert!(
            e.contains("unknown practice 'listening'") && e.contains("active-listening"),
            "{e}"
        );
        assert!(Depth::Light < Depth::Medium && Depth::Medium < Depth::Deep);
    }
}
