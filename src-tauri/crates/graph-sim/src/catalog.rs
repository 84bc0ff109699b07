//! The SKUs the demo tenant owns, with their real ids and service plans, taken from Microsoft's
//! licensing CSV by tests/tools/extract_catalog.py.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogSku {
    pub sku_id: String,
    pub sku_part_number: String,
    pub service_plans: Vec<CatalogPlan>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogPlan {
    pub service_plan_id: String,
    pub service_plan_name: String,
}

pub fn load() -> Vec<CatalogSku> {
    // A file in this crate, checked by a test: a parse failure is a build defect, not input.
    serde_json::from_str(include_str!("../data/catalog.json")).expect("data/catalog.json is valid")
}

impl CatalogSku {
    /// Whether the plan brings Microsoft Entra ID P1 or P2 (Microsoft 365 E3 and E5, Business
    /// Premium, Entra ID P1 itself…): Graph gives sign-in activity only to a tenant holding one.
    pub fn brings_entra_id_premium(&self) -> bool {
        self.service_plans.iter().any(|p| {
            matches!(
                p.service_plan_name.as_str(),
                "AAD_PREMIUM" | "AAD_PREMIUM_P2"
            )
        })
    }
}

/// The ids of the plans that bring Microsoft Entra ID P1 or P2.
pub fn entra_id_premium_skus() -> std::collections::HashSet<String> {
    load()
        .into_iter()
        .filter(CatalogSku::brings_entra_id_premium)
        .map(|c| c.sku_id)
        .collect()
}

pub const SPE_E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
pub const SPE_E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
pub const ENTERPRISEPACK: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
pub const SPB: &str = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
pub const EXCHANGESTANDARD: &str = "4b9405b0-7788-4568-add1-99614e613b69";
pub const EXCHANGEENTERPRISE: &str = "19ec0d23-8335-4cbd-94ac-6050e30712fa";
pub const POWER_BI_PRO: &str = "f8a1db68-be16-40ed-86d5-cb42ce701560";
pub const VISIOCLIENT: &str = "c5928f49-12ba-48f7-ada3-0d743a3601d5";
pub const PROJECTPROFESSIONAL: &str = "53818b1b-4a27-454b-8896-0dba576410e6";
pub const TEAMS_ESS: &str = "fde42873-30b6-436b-b361-21af5a6b84ae";
pub const FLOW_FREE: &str = "f30db892-07e9-47e9-837c-80727f46fd3d";
pub const AAD_PREMIUM: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";
pub const MCOEV: &str = "e43b5b99-8dfb-405f-9987-dc307f34bcbd";
pub const WINDOWS_STORE: &str = "6470687e-a428-4b7a-bef2-8a291ad947c9";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_holds_every_sku_the_generator_uses_with_plans() {
        let catalog = load();
        for id in [
            SPE_E3,
            SPE_E5,
            ENTERPRISEPACK,
            SPB,
            EXCHANGESTANDARD,
            EXCHANGEENTERPRISE,
            POWER_BI_PRO,
            VISIOCLIENT,
            PROJECTPROFESSIONAL,
            TEAMS_ESS,
            FLOW_FREE,
            AAD_PREMIUM,
            MCOEV,
            WINDOWS_STORE,
        ] {
            let sku = catalog.iter().find(|s| s.sku_id == id);
            assert!(sku.is_some_and(|s| !s.service_plans.is_empty()), "{id}");
        }
    }

    #[test]
    fn the_plans_that_bring_entra_id_p1_or_p2_are_known_by_their_service_plans() {
        let premium = entra_id_premium_skus();
        for id in [SPE_E3, SPE_E5, SPB, AAD_PREMIUM] {
            assert!(premium.contains(id), "{id}");
        }
        for id in [ENTERPRISEPACK, EXCHANGEENTERPRISE, POWER_BI_PRO, FLOW_FREE] {
            assert!(!premium.contains(id), "{id}");
        }
    }
}
