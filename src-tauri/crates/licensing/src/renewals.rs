//! Subscriptions and what their dates mean: what renews or ends soon, the unassigned seats that
//! could be cut before then, and who would be left without a seat if a subscription ended.
//! Graph does not say whether a subscription renews by itself, so a person can mark it
//! (auto-renewing, or committed) and the warning stops.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::SkuSummary;
use crate::money::PriceList;
use crate::reclaim::DAY;

/// One `companySubscription`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Subscription {
    pub id: String,
    pub sku_id: String,
    pub sku_part_number: String,
    /// Enabled, Warning, Suspended, Deleted or LockedOut.
    pub status: String,
    pub total_licenses: u32,
    pub is_trial: bool,
    /// Seconds since 1970.
    #[ts(type = "number | null")]
    pub created: Option<i64>,
    /// When it moves to its next state if not renewed, seconds since 1970.
    #[ts(type = "number | null")]
    pub next_lifecycle: Option<i64>,
}

/// What a person said about a subscription's renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Commitment {
    /// It renews by itself: no warning.
    AutoRenews,
    /// Bought for a term that is settled: no warning.
    Committed,
}

/// A subscription with what its next date means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Renewal {
    pub subscription: Subscription,
    /// Whole days until the next lifecycle date (negative: passed).
    #[ts(type = "number | null")]
    pub days_left: Option<i64>,
    /// The plan's seats bought and not given, which could be cut before the date.
    pub unassigned: u32,
    /// What those cost a month, in cents (with a price).
    #[ts(type = "number | null")]
    pub unassigned_cents: Option<i64>,
    /// People who would be left without a seat if this subscription ended: the plan's seats in
    /// use beyond what its other subscriptions cover.
    pub short_if_it_ends: u32,
    pub commitment: Option<Commitment>,
    /// Within the window and not marked: worth a warning.
    pub warn: bool,
}

/// Every subscription with its renewal facts, soonest first (those without a date last).
/// `within_days` is the warning window.
pub fn renewals(
    subscriptions: &[Subscription],
    plans: &[SkuSummary],
    prices: &PriceList,
    marks: &BTreeMap<String, Commitment>,
    now: i64,
    within_days: u32,
) -> Vec<Renewal> {
    let mut out: Vec<Renewal> = subscriptions
        .iter()
        .filter(|s| s.status != "Deleted")
        .map(|s| {
            let plan = plans
                .iter()
                .find(|p| p.sku_id.eq_ignore_ascii_case(&s.sku_id));
            let unassigned = plan.map_or(0, |p| p.enabled.saturating_sub(p.consumed));
            let others: u32 = subscriptions
                .iter()
                .filter(|o| {
                    o.id != s.id
                        && o.sku_id.eq_ignore_ascii_case(&s.sku_id)
                        && matches!(o.status.as_str(), "Enabled" | "Warning")
                })
                .map(|o| o.total_licenses)
                .sum();
            let short_if_it_ends = plan.map_or(0, |p| p.consumed.saturating_sub(others));
            let days_left = s.next_lifecycle.map(|t| (t - now).div_euclid(DAY));
            let commitment = marks.get(&s.id.to_ascii_lowercase()).copied();
            Renewal {
                unassigned_cents: prices
                    .of(&s.sku_part_number)
                    .map(|c| c * i64::from(unassigned)),
                warn: commitment.is_none()
                    && days_left.is_some_and(|d| d <= i64::from(within_days)),
                subscription: s.clone(),
                days_left,
                unassigned,
                short_if_it_ends,
                commitment,
            }
        })
        .collect();
    out.sort_by_key(|r| (r.days_left.is_none(), r.days_left));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppliesTo, CapabilityStatus};

    const NOW: i64 = 1_796_000_000;

    fn sub(id: &str, sku: &str, total: u32, days: Option<i64>) -> Subscription {
        Subscription {
            id: id.into(),
            sku_id: sku.into(),
            sku_part_number: "SPE_E3".into(),
            status: "Enabled".into(),
            total_licenses: total,
            is_trial: false,
            created: Some(NOW - 400 * DAY),
            next_lifecycle: days.map(|d| NOW + d * DAY + 3600),
        }
    }

    fn e3(enabled: u32, consumed: u32) -> SkuSummary {
        SkuSummary {
            sku_id: "e3".into(),
            sku_part_number: "SPE_E3".into(),
            display_name: "Microsoft 365 E3".into(),
            applies_to: AppliesTo::User,
            capability_status: CapabilityStatus::Enabled,
            enabled,
            consumed,
            warning: 0,
            suspended: 0,
            locked_out: 0,
            free: enabled - consumed,
            free_with_grace: enabled - consumed,
            assignable: true,
        }
    }

    #[test]
    fn what_ends_soon_what_it_would_break_and_what_marks_silence() {
        let subs = vec![sub("a", "e3", 70, Some(230)), sub("b", "e3", 30, Some(45))];
        let mut prices = PriceList::default();
        prices.cents.insert("SPE_E3".into(), 3375);
        let marks = BTreeMap::new();
        let r = renewals(&subs, &[e3(100, 90)], &prices, &marks, NOW, 90);
        assert_eq!(r[0].subscription.id, "b", "soonest first");
        assert_eq!(r[0].days_left, Some(45));
        assert!(r[0].warn && !r[1].warn);
        assert_eq!(r[0].unassigned, 10);
        assert_eq!(r[0].unassigned_cents, Some(33_750));
        // 90 in use, 70 left if b ends: 20 people short.
        assert_eq!(r[0].short_if_it_ends, 20);
        assert_eq!(r[1].short_if_it_ends, 60);

        let marks = BTreeMap::from([("b".to_string(), Commitment::AutoRenews)]);
        let r = renewals(&subs, &[e3(100, 90)], &prices, &marks, NOW, 90);
        assert!(!r[0].warn, "marked as renewing by itself");
    }
}
