//! End-to-end: the real app in a real webview (WebKitGTK), driven over WebDriver through
//! tauri-driver, on the built-in demo tenant.
//!
//! Needs a display (Xvfb), a D-Bus session, tauri-driver and WebKitWebDriver, and an app binary
//! with the web UI embedded (`make app`). `make test` provides all of that and runs these with
//! `--ignored`; a plain `cargo test` skips them and says why.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use graph_sim::{Scenario, Tenant};
use serde_json::json;

fn app_binary() -> PathBuf {
    std::env::var_os("LICENSEDESK_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug/licensedesk")
        })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// tauri-driver, stopped with SIGTERM on drop: SIGKILL would leave WebKitWebDriver running on
/// its port and the next run would talk to the stale one.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        let port = free_port();
        let native_port = free_port();
        let child =
            Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()))
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("tauri-driver runs (cargo install tauri-driver --version 2.1.0 --locked)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

async fn open_app(driver: &Driver) -> Client {
    let binary = app_binary();
    assert!(
        binary.exists(),
        "no app at {}: build it with `make app` (tauri build --debug --no-bundle)",
        binary.display()
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({ "application": binary.to_string_lossy() }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session with the app")
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
        .text()
        .await
        .expect("text")
}

async fn value_of(client: &Client, css: &str) -> i64 {
    let el = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
    el.attr("data-value")
        .await
        .expect("attribute")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{css} has no numeric data-value"))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus, tauri-driver and a built app: run by `make test`"]
async fn plans_page_shows_the_demo_tenants_seats() {
    let driver = Driver::start();
    let client = open_app(&driver).await;
    let result = check_plans_page(&client).await;
    if let Ok(png) = client.screenshot().await {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("plans-page.png"), png);
    }
    let _ = client.close().await;
    result.expect("plans page");
}

async fn check_plans_page(client: &Client) -> Result<(), String> {
    // The emulator's own data, computed independently of the app.
    let tenant = Tenant::generate(&Scenario::demo().tenant);
    let consumed = tenant.consumed_units();
    let e3 = tenant
        .skus
        .iter()
        .find(|s| s.sku_part_number == "SPE_E3")
        .ok_or("demo has E3")?;
    let e3_used = consumed.get(&e3.sku_id).copied().unwrap_or(0);

    let card = "[data-testid=plan-card][data-sku-part=SPE_E3]";
    assert_eq!(
        text_of(client, &format!("{card} [data-testid=plan-name]")).await,
        "Microsoft 365 E3"
    );
    assert_eq!(
        value_of(client, &format!("{card} [data-testid=plan-consumed]")).await,
        e3_used
    );
    assert_eq!(
        value_of(client, &format!("{card} [data-testid=plan-total]")).await,
        e3.enabled
    );
    assert_eq!(
        value_of(client, &format!("{card} [data-testid=plan-free]")).await,
        e3.enabled - e3_used
    );
    let words = text_of(client, &format!("{card} [data-testid=plan-total]")).await;
    assert_eq!(words, format!("of {} available", e3.enabled));

    // Every SKU of the tenant has a card, with its state in words.
    let cards = client
        .find_all(Locator::Css("[data-testid=plan-card]"))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(cards.len(), tenant.skus.len());
    assert_eq!(
        text_of(
            client,
            "[data-sku-part=POWER_BI_PRO] [data-testid=plan-status]"
        )
        .await,
        "In grace period"
    );
    assert_eq!(
        text_of(
            client,
            "[data-sku-part=VISIOCLIENT] [data-testid=plan-status]"
        )
        .await,
        "Suspended"
    );

    // The header says this is the demo tenant.
    assert_eq!(
        text_of(client, "[data-testid=demo-badge]").await,
        "Demo tenant"
    );
    assert!(
        text_of(client, "[data-testid=tenant-name]")
            .await
            .starts_with("Contoso")
    );

    // Keyboard: the search box filters the cards.
    let search = client
        .find(Locator::Css("input[type=search]"))
        .await
        .map_err(|e| e.to_string())?;
    search.send_keys("visio").await.map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let n = client
            .find_all(Locator::Css("[data-testid=plan-card]"))
            .await
            .map_err(|e| e.to_string())?
            .len();
        if n == 1 {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("search left {n} cards"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
