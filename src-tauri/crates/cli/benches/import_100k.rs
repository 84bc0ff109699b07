//! Reading, mapping and checking an HR file of 100,000 rows against a tenant of 100,000
//! people (the emulator's `large` scenario, read through Graph as the CLI reads it).
//!
//!   cargo bench -p licensedesk-cli --bench import_100k
//!
//! The file is written by the bench: a title line, Dutch headers, semicolons, Windows-1252,
//! one row per person with a country name and one or two licenses, and every 500th row with a
//! typo in the user name (so the closest-match search runs too). Goal: under 2 s and under
//! 300 MB on the project's machines (2 cores).

use std::time::Instant;

use graph::{AccessToken, GraphClient, GraphEndpoint};
use graph_sim::{RunningSim, Scenario};
use hr_import::{ReadOptions, Tenant, check_rows, read_table, suggest};
use licensing::ProductNames;

fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (skus, people) = runtime.block_on(async {
        let mut scenario = Scenario::load("large").expect("large");
        scenario.throttle.enabled = false;
        let sim = RunningSim::start(&scenario).await.expect("emulator");
        let client = GraphClient::new(
            GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
            AccessToken::new(sim.access_token()),
        )
        .expect("client");
        let skus: Vec<licensing::Sku> = client
            .subscribed_skus()
            .await
            .expect("plans")
            .iter()
            .map(|s| s.to_domain())
            .collect();
        let mut people = Vec::new();
        client
            .users_by_page(|page| people.extend(page.iter().map(|u| u.to_domain())))
            .await
            .expect("people");
        (skus, people)
    });
    let names = ProductNames::builtin();

    // The file, as Excel on a Dutch Windows writes it.
    let countries = [
        "Nederland",
        "Duitsland",
        "België",
        "Frankrijk",
        "Verenigd Koninkrijk",
        "NL",
        "DEU",
    ];
    let licenses = [
        "Microsoft 365 E3",
        "SPE_E5",
        "Microsoft Teams Essentials + Power BI Pro",
        "ENTERPRISEPACK",
    ];
    let mut text = String::from("Nieuwe licenties\r\nGebruikersnaam;Afdeling;Land;Licentie\r\n");
    for (i, p) in people.iter().enumerate() {
        let user = if i % 500 == 0 {
            p.user_principal_name.replacen('.', "", 1)
        } else {
            p.user_principal_name.to_uppercase()
        };
        text.push_str(&format!(
            "{user};{};{};{}\r\n",
            p.department.as_deref().unwrap_or(""),
            countries[i % countries.len()],
            licenses[i % licenses.len()]
        ));
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let bytes = bytes.into_owned();
    drop(text);
    let file_mb = bytes.len() as f64 / (1024.0 * 1024.0);

    let before = status_mb("VmRSS:");
    let mut best = f64::MAX;
    let mut summary = String::new();
    let mut split = String::new();
    for _ in 0..3 {
        let started = Instant::now();
        let table = read_table(&bytes, &ReadOptions::default()).expect("read");
        let read_secs = started.elapsed().as_secs_f64();
        let mapping = suggest(&table.headers);
        let rows = check_rows(
            &table,
            &mapping,
            &Tenant {
                people: &people,
                skus: &skus,
                names: &names,
                roles: &[],
            },
            None,
            &Default::default(),
        );
        let secs = started.elapsed().as_secs_f64();
        if secs < best {
            split = format!(
                "reading {read_secs:.2} s, mapping and checking {:.2} s",
                secs - read_secs
            );
        }
        best = best.min(secs);
        let usable = rows.iter().filter(|r| r.is_usable()).count();
        summary = format!(
            "{} rows, {usable} usable, {} with an error",
            rows.len(),
            rows.iter().filter(|r| r.has_errors()).count()
        );
    }
    let peak = status_mb("VmHWM:");
    println!(
        "\nRead, map and check an HR file of {} people ({file_mb:.1} MB, Windows-1252, ';') against a tenant of {} people\n",
        people.len(),
        people.len()
    );
    println!("| | value | goal |\n|---|---:|---:|");
    println!("| time (best of 3) | {:.2} s ({split}) | < 2 s |", best);
    println!("| resident before the import (emulator, tenant, file) | {before:.0} MB | |");
    println!("| peak resident of the whole process | {peak:.0} MB | |");
    println!(
        "| peak added by the import | {:.0} MB | < 300 MB |",
        peak - before
    );
    println!("\n{summary}");
}
