//! The wire models read Graph's documented example responses.

use graph::models::{Page, SubscribedSku, User};
use licensing::{AppliesTo, CapabilityStatus, ProductNames, summarize_skus};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn documented_subscribed_skus_example_deserializes() {
    let page: Page<SubscribedSku> =
        serde_json::from_str(&fixture("subscribedskus-example.json")).expect("parses");
    assert_eq!(page.value.len(), 2);
    assert!(page.next_link.is_none());
    let one = &page.value[0];
    assert_eq!(one.sku_part_number.as_deref(), Some("ENTERPRISEPREMIUM"));
    assert_eq!(one.prepaid_units.and_then(|p| p.enabled), Some(25));
    assert_eq!(
        one.service_plans[0].service_plan_name.as_deref(),
        Some("ADALLOM_S_O365")
    );
    assert_eq!(
        one.subscription_ids,
        ["43d26afe-cb98-48b9-acc4-ae3ef2ac6c51"]
    );

    let domain: Vec<_> = page.value.iter().map(SubscribedSku::to_domain).collect();
    assert_eq!(domain[0].seats.free(), 11);
    assert_eq!(domain[1].capability_status, CapabilityStatus::Suspended);
    assert_eq!(domain[1].seats.suspended, 25);
    assert_eq!(domain[1].seats.consumed, 14);

    let summaries = summarize_skus(&domain, &ProductNames::builtin());
    assert_eq!(summaries[0].display_name, "Office 365 E5");
    assert_eq!(summaries[0].applies_to, AppliesTo::User);
    assert_eq!((summaries[0].free, summaries[0].free_with_grace), (11, 11));
    // The suspended SKU still has 14 consumed but offers nothing.
    assert_eq!(summaries[1].sku_part_number, "CRMSTANDARD");
    assert_eq!(summaries[1].free, 0);
    assert!(!summaries[1].assignable);
}

#[test]
fn users_page_with_group_license_and_nulls_deserializes() {
    let page: Page<User> = serde_json::from_str(&fixture("users-page.json")).expect("parses");
    assert!(
        page.next_link
            .as_deref()
            .is_some_and(|l| l.contains("$skiptoken="))
    );
    let adele = page.value[0].to_domain();
    assert_eq!(adele.usage_location.as_deref(), Some("US"));
    assert_eq!(adele.assignments.len(), 2, "one per source");
    assert_eq!(adele.assignments[0].assigned_by_group, None);
    assert_eq!(
        adele.assignments[1].assigned_by_group.as_deref(),
        Some("e5b2a9a4-3b3a-4ed1-9a2f-2a7d0a0c7f11")
    );
    assert_eq!(adele.assignments[1].disabled_plans.len(), 1);

    let guest = page.value[1].to_domain();
    assert!(guest.assignments.is_empty());
    assert_eq!(guest.usage_location, None);
    assert!(!guest.account_enabled);
    assert_eq!(guest.display_name, "guest_adatum.com#EXT#@contoso.com");
}

#[test]
fn graph_error_envelope_deserializes() {
    let body = r#"{"error":{"code":"Request_BadRequest","message":"Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.","innerError":{"date":"2026-11-29T10:00:00","request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2","client-request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2"}}}"#;
    let env: graph::models::ErrorEnvelope = serde_json::from_str(body).expect("parses");
    assert_eq!(env.error.code, "Request_BadRequest");
    assert_eq!(
        env.error.inner_error.and_then(|i| i.request_id).as_deref(),
        Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
    );
}
