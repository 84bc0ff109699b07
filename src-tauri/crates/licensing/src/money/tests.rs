//! Prices as people write them, price files refused whole with every bad line named, costs and
//! thresholds.

use super::*;
use crate::{AppliesTo, CapabilityStatus};

fn resolve(text: &str) -> Option<String> {
    match text.to_ascii_lowercase().as_str() {
        "spe_e3" | "microsoft 365 e3" => Some("SPE_E3".into()),
        "power_bi_pro" | "power bi pro" => Some("POWER_BI_PRO".into()),
        "visioclient" => Some("VISIOCLIENT".into()),
        _ => None,
    }
}

#[test]
fn prices_are_read_as_people_write_them() {
    assert_eq!(parse_price("33.75"), Ok((3375, None)));
    assert_eq!(parse_price("33,75"), Ok((3375, None)));
    assert_eq!(parse_price("€ 33,75"), Ok((3375, Some("EUR".into()))));
    assert_eq!(parse_price("12 USD"), Ok((1200, Some("USD".into()))));
    assert_eq!(parse_price("EUR 9.9"), Ok((990, Some("EUR".into()))));
    assert_eq!(parse_price("0"), Ok((0, None)));
    for bad in ["-3", "abc", "3.5.1", "1.234", "", "12 euros", "999999999"] {
        assert!(parse_price(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_price_file_with_a_header_in_dutch_and_semicolons() {
    let text = "\u{feff}Product;Prijs;Valuta\nMicrosoft 365 E3;33,75;EUR\nPOWER_BI_PRO;12,10;EUR\n";
    let list = parse_price_file(text, "prijzen.csv", resolve).expect("read");
    assert_eq!(list.currency.as_deref(), Some("EUR"));
    assert_eq!(list.of("SPE_E3"), Some(3375));
    assert_eq!(list.of("power_bi_pro"), Some(1210));
}

#[test]
fn a_price_file_without_a_header_or_currency() {
    let list = parse_price_file("SPE_E3,33.75\nVISIOCLIENT,13\n", "p.csv", resolve).expect("read");
    assert_eq!(list.currency, None);
    assert_eq!(list.cents.len(), 2);
}

#[test]
fn every_bad_line_is_named_and_nothing_is_taken() {
    let text = "plan,price,currency\n\
                SPE_E3,33.75,EUR\n\
                Contoso Unicorn Plan,10,EUR\n\
                POWER_BI_PRO,-4,EUR\n\
                VISIOCLIENT,twelve,EUR\n\
                SPE_E3,30,EUR\n";
    let err = parse_price_file(text, "prices.csv", resolve).expect_err("refused");
    let lines: Vec<u64> = err.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{err}");
    let text = err.to_string();
    assert!(text.contains("prices.csv"), "{text}");
    assert!(
        text.contains("line 3: 'Contoso Unicorn Plan' is not one of the tenant's plans"),
        "{text}"
    );
    assert!(text.contains("line 4: price '-4' is negative"), "{text}");
    assert!(
        text.contains("line 5: price 'twelve' is not a number"),
        "{text}"
    );
    assert!(
        text.contains("line 6: SPE_E3 was already priced on line 2"),
        "{text}"
    );
}

#[test]
fn mixed_currencies_are_refused_per_line() {
    let text = "SPE_E3,€33.75\nPOWER_BI_PRO,$12\nVISIOCLIENT,13 EUR\n";
    let err = parse_price_file(text, "p.csv", resolve).expect_err("refused");
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].line, 2);
    assert!(
        err.problems[0].message.contains("one currency per file"),
        "{err}"
    );
    assert!(parse_price_file("SPE_E3,1\u{1b}[2J\n", "p.csv", resolve).is_err());
    assert!(parse_price_file("\n\n", "p.csv", resolve).is_err(), "empty");
}

#[test]
fn merging_keeps_one_currency() {
    let eur = parse_price_file("SPE_E3,€33.75\n", "a.csv", resolve).expect("a");
    let usd = parse_price_file("VISIOCLIENT,$13\n", "b.csv", resolve).expect("b");
    assert!(eur.merged(&usd).is_err());
    let more = parse_price_file("VISIOCLIENT,13\n", "c.csv", resolve).expect("c");
    let both = eur.merged(&more).expect("merged");
    assert_eq!(
        (both.currency.as_deref(), both.cents.len()),
        (Some("EUR"), 2)
    );
}

fn plan(part: &str, enabled: u32, consumed: u32) -> SkuSummary {
    SkuSummary {
        sku_id: format!("id-{part}"),
        sku_part_number: part.into(),
        display_name: part.into(),
        applies_to: AppliesTo::User,
        capability_status: CapabilityStatus::Enabled,
        enabled,
        consumed,
        warning: 0,
        suspended: 0,
        locked_out: 0,
        free: enabled.saturating_sub(consumed),
        free_with_grace: enabled.saturating_sub(consumed),
        assignable: true,
    }
}

#[test]
fn costs_count_seats_bought_and_seats_not_given() {
    let prices = parse_price_file("SPE_E3,33.75\n", "p.csv", resolve).expect("read");
    let costs = costs(
        &[plan("SPE_E3", 100, 90), plan("VISIOCLIENT", 5, 8)],
        &prices,
    );
    assert_eq!((costs[0].assigned, costs[0].unassigned), (90, 10));
    assert_eq!(costs[0].monthly_cents, Some(337_500));
    assert_eq!(costs[0].unassigned_cents, Some(33_750));
    assert_eq!(
        costs[1].unassigned, 0,
        "more given than bought: never below 0"
    );
    assert_eq!(costs[1].monthly_cents, None);
}

#[test]
fn thresholds_in_seats_or_shares() {
    assert_eq!(Threshold::parse("5"), Ok(Threshold::Seats(5)));
    assert_eq!(Threshold::parse("10 %"), Ok(Threshold::Percent(10)));
    assert!(Threshold::parse("150%").is_err());
    assert!(Threshold::parse("-1").is_err());
    assert!(Threshold::Seats(5).crossed(&plan("A", 100, 96)));
    assert!(!Threshold::Seats(5).crossed(&plan("A", 100, 95)));
    assert!(Threshold::Percent(10).crossed(&plan("A", 200, 181)));
    assert!(!Threshold::Percent(10).crossed(&plan("A", 200, 180)));
}

#[test]
fn chargeback_counts_each_departments_seats_once_per_person() {
    use crate::{LicenseAssignment, User};
    let person = |dept: Option<&str>, skus: &[&str]| User {
        id: "x".into(),
        user_principal_name: "x@y".into(),
        display_name: "x".into(),
        department: dept.map(str::to_owned),
        usage_location: None,
        account_enabled: true,
        assignments: skus
            .iter()
            .map(|s| LicenseAssignment {
                sku_id: (*s).into(),
                disabled_plans: vec![],
                assigned_by_group: None,
                error: None,
            })
            .collect(),
    };
    let people = vec![
        person(Some("Sales"), &["id-SPE_E3", "id-SPE_E3"]),
        person(Some("Sales"), &["id-SPE_E3", "id-VISIOCLIENT"]),
        person(Some("Sales"), &[]),
        person(None, &["id-VISIOCLIENT"]),
    ];
    let prices = parse_price_file("SPE_E3,33.75\n", "p.csv", resolve).expect("read");
    let lines = chargeback(
        &people,
        &[plan("SPE_E3", 10, 2), plan("VISIOCLIENT", 10, 2)],
        &prices,
    );
    let got: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                l.department.as_deref(),
                l.people,
                l.sku_part_number.as_str(),
                l.seats,
                l.monthly_cents,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("Sales"), 3, "SPE_E3", 2, Some(6750)),
            (Some("Sales"), 3, "VISIOCLIENT", 1, None),
            (None, 1, "VISIOCLIENT", 1, None),
        ]
    );
}
