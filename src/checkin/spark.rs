//! The check-in chart as text, for where a picture cannot go: one line per member,
//! one mark per week (▁ for 1 up to █ for 5, · for no answer).

use super::CheckinWeeks;

const BARS: [char; 5] = ['▁', '▃', '▄', '▆', '█'];

/// The mark for a score from 1 to 5.
fn mark(score: Option<f64>) -> char {
    match score {
        None => '·',
        Some(s) => {
            let i = (s.round().clamp(1.0, 5.0) as usize).saturating_sub(1);
            BARS.get(i).copied().unwrap_or('█')
        }
    }
}

/// "alice ▃▄·▆█ (4 answers, average 3.8)", one line per member.
pub fn sparkline(w: &CheckinWeeks) -> String {
    let width = w
        .series
        .iter()
        .map(|s| s.member.chars().count())
        .max()
        .unwrap_or(0);
    w.series
        .iter()
        .map(|s| {
            let line: String = s.scores.iter().map(|x| mark(*x)).collect();
            let given: Vec<f64> = s.scores.iter().flatten().copied().collect();
            let summary = if given.is_empty() {
                "no answers yet".to_string()
            } else {
                format!(
                    "{} week{} answered, average {:.1}",
                    given.len(),
                    if given.len() == 1 { "" } else { "s" },
                    given.iter().sum::<f64>() / given.len() as f64
                )
            };
            format!("{:<width$} {line}  ({summary})", s.member)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::super::{CheckinWeeks, Series};
    use super::*;

    #[test]
    fn one_mark_per_week() {
        let w = CheckinWeeks {
            weeks: Vec::new(),
            series: vec![
                Series {
                    member: "alice".into(),
                    scores: vec![Some(1.0), None, Some(3.0), Some(5.0), Some(4.6)],
                },
                Series {
                    member: "sam".into(),
                    scores: vec![None; 5],
                },
            ],
        };
        assert_eq!(
            sparkline(&w),
            "alice ▁·▄██  (4 weeks answered, average 3.4)\nsam   ·····  (no answers yet)"
        );
    }
}
