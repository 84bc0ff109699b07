//! Seat arithmetic for one SKU (see shared/reference/graph-licensing.md §1.2).
//!
//! Graph documents no formula for "available". We show two numbers: free from active units only
//! (the conservative one, and what the service enforces) and free including units in their grace
//! period. Suspended and locked-out units are never assignable.

use serde::{Deserialize, Serialize};

/// The raw counts Graph reports for a SKU: `prepaidUnits` plus `consumedUnits`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatCounts {
    pub enabled: u32,
    pub warning: u32,
    pub suspended: u32,
    pub locked_out: u32,
    pub consumed: u32,
}

impl SeatCounts {
    /// Seats that can be assigned now: `max(0, enabled − consumed)`.
    ///
    /// `consumed` can exceed `enabled` (units expired while still assigned), hence saturating.
    pub fn free(&self) -> u32 {
        self.enabled.saturating_sub(self.consumed)
    }

    /// Seats assignable if units in their grace period count: `max(0, enabled + warning − consumed)`.
    pub fn free_with_grace(&self) -> u32 {
        self.enabled
            .saturating_add(self.warning)
            .saturating_sub(self.consumed)
    }

    /// How many more seats are needed to give `wanted` people a license now (0 when enough).
    pub fn shortfall(&self, wanted: u32) -> u32 {
        wanted.saturating_sub(self.free())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(enabled: u32, warning: u32, consumed: u32) -> SeatCounts {
        SeatCounts {
            enabled,
            warning,
            consumed,
            ..SeatCounts::default()
        }
    }

    #[test]
    fn free_is_enabled_minus_consumed() {
        assert_eq!(counts(25, 0, 14).free(), 11);
        assert_eq!(counts(25, 0, 25).free(), 0);
    }

    #[test]
    fn over_consumption_never_goes_negative() {
        // microsoft-graph-docs #3560: consumedUnits above enabled happens.
        let c = counts(10, 0, 14);
        assert_eq!(c.free(), 0);
        assert_eq!(c.free_with_grace(), 0);
    }

    #[test]
    fn grace_units_count_only_in_free_with_grace() {
        // PRTG-M365 #6: during a renewal every unit can sit in warning with enabled = 0.
        let c = counts(0, 1100, 1000);
        assert_eq!(c.free(), 0);
        assert_eq!(c.free_with_grace(), 100);
        assert_eq!(counts(15, 10, 18).free_with_grace(), 7);
    }

    #[test]
    fn suspended_and_locked_out_units_are_never_assignable() {
        let c = SeatCounts {
            enabled: 0,
            warning: 0,
            suspended: 25,
            locked_out: 5,
            consumed: 14,
        };
        assert_eq!(c.free(), 0);
        assert_eq!(c.free_with_grace(), 0);
    }

    #[test]
    fn shortfall_counts_missing_seats() {
        let c = counts(50, 0, 48);
        assert_eq!(c.shortfall(2), 0);
        assert_eq!(c.shortfall(5), 3);
    }

    #[test]
    fn huge_counts_saturate_instead_of_overflowing() {
        let c = counts(u32::MAX, u32::MAX, 1);
        assert_eq!(c.free_with_grace(), u32::MAX - 1);
    }
}
