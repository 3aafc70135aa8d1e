//! The catch-up rule, as a pure function: what to do with a schedule whose slot has come.

use chrono::{DateTime, Duration, Utc};

use crate::schedule::{ScheduleSpec, Zone};
use crate::store::SlotPlan;

/// How many missed slots one claim walks through before jumping ahead.
const MAX_WALK: usize = 1000;
/// How many missed slots are recorded as skipped rows (the rest only counted in the log).
const MAX_SKIPPED_ROWS: usize = 50;

/// Decides, for a schedule due at `due` (its stored next slot) and the time `now`:
/// the latest missed slot is delivered if it is less than `grace` old; every older
/// missed slot is recorded as skipped. Never more than one delivery: no burst after
/// downtime.
pub fn plan_slots(
    spec: &ScheduleSpec,
    zone: Zone,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: Duration,
) -> SlotPlan {
    let mut slots = vec![due];
    let mut cursor = due;
    while slots.len() < MAX_WALK {
        match spec.next_after(cursor, zone) {
            Some(s) if s <= now => {
                slots.push(s);
                cursor = s;
            }
            _ => break,
        }
    }
    let latest = slots.pop().unwrap_or(due);
    let deliver = (now - latest <= grace).then_some(latest.timestamp());
    let mut skipped: Vec<i64> = slots.iter().map(DateTime::timestamp).collect();
    if deliver.is_none() {
        skipped.push(latest.timestamp());
    }
    if skipped.len() > MAX_SKIPPED_ROWS {
        tracing::info!(
            missed = skipped.len(),
            "a long outage: recording only the latest missed slots as skipped"
        );
        skipped.drain(..skipped.len() - MAX_SKIPPED_ROWS);
    }
    SlotPlan {
        deliver,
        skipped,
        next: spec
            .next_after(now.max(latest), zone)
            .map(|t| t.timestamp()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 10, h, m, 0)
            .single()
            .expect("valid")
    }

    fn spec(s: &str) -> ScheduleSpec {
        ScheduleSpec::parse(s).expect("spec")
    }

    #[test]
    fn on_time_slot_is_delivered_and_next_advances() {
        let utc = Zone::parse("UTC").expect("utc");
        let p = plan_slots(
            &spec("daily 20:00"),
            utc,
            at(20, 0),
            at(20, 0),
            Duration::hours(2),
        );
        assert_eq!(p.deliver, Some(at(20, 0).timestamp()));
        assert!(p.skipped.is_empty());
        assert_eq!(p.next, Some((at(20, 0) + Duration::days(1)).timestamp()));
    }

    #[test]
    fn late_within_grace_is_delivered_once() {
        let utc = Zone::parse("UTC").expect("utc");
        let p = plan_slots(
            &spec("daily 20:00"),
            utc,
            at(20, 0),
            at(21, 30),
            Duration::hours(2),
        );
        assert_eq!(p.deliver, Some(at(20, 0).timestamp()));
        assert!(p.skipped.is_empty());
    }

    #[test]
    fn older_than_grace_is_skipped() {
        let utc = Zone::parse("UTC").expect("utc");
        let p = plan_slots(
            &spec("daily 20:00"),
            utc,
            at(12, 0),
            at(15, 0),
            Duration::hours(2),
        );
        // due 12:00 is not a slot of the spec, but it is the stored one: 3 h late.
        assert_eq!(p.deliver, None);
        assert_eq!(p.skipped, vec![at(12, 0).timestamp()]);
    }

    #[test]
    fn many_missed_slots_give_one_delivery_at_most() {
        let utc = Zone::parse("UTC").expect("utc");
        let s = spec("0 * * * *");
        let p = plan_slots(&s, utc, at(1, 0), at(10, 30), Duration::hours(2));
        assert_eq!(p.deliver, Some(at(10, 0).timestamp()));
        assert_eq!(p.skipped.len(), 9);
        assert_eq!(p.next, Some(at(11, 0).timestamp()));
    }
}
