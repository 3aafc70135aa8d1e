//! IANA timezones, parsed with a helpful error.

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;

/// An IANA timezone such as `Europe/Berlin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

/// An unknown timezone name, with the closest known one when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    pub given: String,
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let given: String = self.given.chars().take(60).collect();
        write!(f, "unknown timezone '{given}'")?;
        match self.suggestion {
            Some(s) => write!(f, " (did you mean {s}?)"),
            None => write!(
                f,
                " (use an IANA name such as Europe/Berlin or America/New_York)"
            ),
        }
    }
}

impl std::error::Error for ZoneError {}

impl Zone {
    pub fn parse(s: &str) -> Result<Zone, ZoneError> {
        let s = s.trim();
        if let Ok(tz) = s.parse::<Tz>() {
            return Ok(Zone(tz));
        }
        if let Some(tz) = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
        {
            return Ok(Zone(*tz));
        }
        Err(ZoneError {
            given: s.to_string(),
            suggestion: suggest(s),
        })
    }

    pub fn tz(&self) -> Tz {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

impl From<Tz> for Zone {
    fn from(tz: Tz) -> Self {
        Zone(tz)
    }
}

impl FromStr for Zone {
    type Err = ZoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::parse(s)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The known zone closest to `s` by edit distance, if it is close enough to be a typo.
fn suggest(s: &str) -> Option<&'static str> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let lower = s.to_lowercase();
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|t| (distance(&lower, &t.name().to_lowercase()), t.name()))
        .filter(|(d, name)| *d <= 3.max(name.len() / 5))
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
