//! `product-names` and `product-names refresh`: Microsoft's list fetched from a local server,
//! checked whole (a partial list changes nothing), kept, and then used to name plans.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::{Value, json};

/// A local server answering every request with `body`.
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://127.0.0.1:{port}/list.csv")
}

/// Microsoft's columns; E3 named as the list names it, and `filler` more products.
fn list(e3_name: &str, filler: usize) -> Vec<u8> {
    let mut text = String::from(
        "\u{feff}Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n",
    );
    text.push_str(&format!("{e3_name},SPE_E3,05e9a617-0261-4cee-bb44-138d3ef5d965,X,efb87545-963c-4e0d-99df-69c6916d9eb0,X\r\n"));
    text.push_str("Office 365 E3,ENTERPRISEPACK,6fd2c87f-b296-42f0-b197-1e91e994b900,X,efb87545-963c-4e0d-99df-69c6916d9eb0,X\r\n");
    for i in 0..filler {
        text.push_str(&format!(
            "Product {i},P{i},{i:08x}-0000-0000-0000-000000000000,X,33333333-2222-3333-4444-555555555555,X\r\n"
        ));
    }
    text.into_bytes()
}

fn e3_name(skus: &Value) -> String {
    skus.as_array()
        .expect("skus")
        .iter()
        .find(|s| s["skuPartNumber"] == "SPE_E3")
        .expect("E3")["displayName"]
        .as_str()
        .expect("name")
        .to_string()
}

#[test]
fn a_refreshed_list_names_the_plans_and_a_partial_one_changes_nothing() {
    let s = common::sim(&json!("demo"), "product-names");
    let builtin = s.json(&["product-names"], 0);
    assert_eq!(builtin["source"], "builtin", "{builtin}");
    assert_eq!(e3_name(&s.json(&["skus"], 0)), "Microsoft 365 E3");

    // Cut short: refused, nothing kept.
    let partial = serve(list("Microsoft 365 E3 (from the list)", 5));
    let out = s.run_with(
        &["product-names", "refresh"],
        &[("LICENSEDESK_PRODUCT_NAMES_URL", &partial)],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the names in use stay"),
        "{out:?}"
    );
    assert_eq!(s.json(&["product-names"], 0)["source"], "builtin");

    let whole = serve(list("Microsoft 365 E3 (from the list)", 150));
    let out = s.run_with(
        &["product-names", "refresh", "--json"],
        &[("LICENSEDESK_PRODUCT_NAMES_URL", &whole)],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let now: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(now["source"], "microsoft", "{now}");
    assert_eq!(now["products"], 152, "{now}");
    assert!(now["refreshedAt"].is_string(), "{now}");
    // Every later command names plans from it.
    assert_eq!(
        e3_name(&s.json(&["skus"], 0)),
        "Microsoft 365 E3 (from the list)"
    );
}
