//! Apps (service plans) inside a license: their friendly names ("Exchange Online (Plan 2)"
//! rather than `EXCHANGE_S_ENTERPRISE`), and which a change switches on or off.
//!
//! An app is a service plan inside a license plan. Graph gives only Microsoft's internal names;
//! the friendly ones come from Microsoft's licensing CSV (taken by tests/tools/extract_catalog.py
//! for the apps of the common plans). Keyed on the service plan id, which never changes.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{PersonOutcome, Sku, User};

const BUILTIN_TABLE: &str = include_str!("app_names.tsv");

fn table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        BUILTIN_TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let (id, _name, friendly) = (cols.next()?, cols.next()?, cols.next()?);
                Some((id.to_ascii_lowercase(), friendly.to_string()))
            })
            .collect()
    })
}

/// The app's friendly name, or `None` when Microsoft's list (as shipped) does not name it.
pub fn app_name(service_plan_id: &str) -> Option<&'static str> {
    table()
        .get(&service_plan_id.to_ascii_lowercase())
        .map(String::as_str)
}

/// The app's friendly name, falling back to Microsoft's internal name.
pub fn app_display_name(service_plan_id: &str, service_plan_name: &str) -> String {
    app_name(service_plan_id)
        .map(str::to_string)
        .unwrap_or_else(|| service_plan_name.to_string())
}

/// The apps a change switches in one license the person keeps, by friendly name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppSwitch {
    pub sku_id: String,
    pub on: Vec<String>,
    pub off: Vec<String>,
}

/// For each license `outcome` gives again that `user` already holds directly (a change of
/// apps), which apps go on and which go off; for a license given new with apps switched off
/// (a role's), which are off.
pub fn app_switches(outcome: &PersonOutcome, user: &User, skus: &[Sku]) -> Vec<AppSwitch> {
    outcome
        .add
        .iter()
        .filter_map(|add| {
            let held = user.licenses_in_place().find(|a| {
                a.assigned_by_group.is_none() && a.sku_id.eq_ignore_ascii_case(&add.sku_id)
            });
            let sku = skus
                .iter()
                .find(|s| s.sku_id.eq_ignore_ascii_case(&add.sku_id))?;
            let off_in =
                |list: &[String], id: &str| list.iter().any(|x| x.eq_ignore_ascii_case(id));
            let none = Vec::new();
            let held_off = held.map_or(&none, |h| &h.disabled_plans);
            let mut on = Vec::new();
            let mut off = Vec::new();
            for plan in &sku.service_plans {
                let was_off = off_in(held_off, &plan.id);
                let will_be_off = off_in(&add.disabled_plans, &plan.id);
                let name = app_display_name(&plan.id, &plan.name);
                match (was_off, will_be_off) {
                    (true, false) => on.push(name),
                    (false, true) => off.push(name),
                    _ => {}
                }
            }
            (!on.is_empty() || !off.is_empty()).then(|| AppSwitch {
                sku_id: sku.sku_id.clone(),
                on,
                off,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_have_microsofts_friendly_names_in_the_admin_centres_case() {
        // EXCHANGE_S_ENTERPRISE, written in capitals in Microsoft's CSV.
        assert_eq!(
            app_name("EFB87545-963C-4E0D-99DF-69C6916D9EB0"),
            Some("Exchange Online (Plan 2)")
        );
        assert_eq!(
            app_display_name(
                "dcf9d2f4-772e-4434-b757-77a453cfbc02",
                "MESH_AVATARS_FOR_TEAMS"
            ),
            "Avatars for Teams"
        );
        assert_eq!(app_display_name("not-an-id", "SOME_APP"), "SOME_APP");
    }

    #[test]
    fn every_app_of_the_demo_plans_has_a_name() {
        assert!(table().len() > 100, "{} apps", table().len());
        assert!(table().values().all(|n| !n.trim().is_empty()));
    }
}
