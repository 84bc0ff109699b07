//! The webview's lockdown, read from the files Tauri builds the app from: what the main window
//! may call (its capability), the content security policy, and the frozen prototype. A change
//! that widens any of them fails here and has to say why in this list.

use std::path::Path;

fn json(path: &str) -> serde_json::Value {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[test]
fn the_main_window_may_call_only_the_apps_own_commands_and_no_event() {
    let capability = json("src-tauri/capabilities/main-window.json");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    let mut granted: Vec<&str> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .map(|p| p.as_str().expect("a permission is a name"))
        .collect();
    granted.sort_unstable();
    let mut expected = vec![
        "allow-tenant-info",
        "allow-list-plans",
        "allow-saved-tenants",
        "allow-start-device-sign-in",
        "allow-finish-device-sign-in",
        "allow-sign-in-with-browser",
        "allow-cancel-sign-in",
        "allow-open-verification-page",
        "allow-switch-tenant",
        "allow-sign-out",
        "allow-users-page",
        "allow-matching-ids",
        "allow-person",
        "allow-countries",
        "allow-plan-change",
        "allow-apply-plan",
        "allow-pause-run",
        "allow-resume-run",
        "allow-cancel-run",
        "allow-plan-retry",
        "allow-stop-run-and-quit",
        "allow-import-choose-file",
        "allow-import-offered-file",
        "allow-import-open-offered",
        "allow-import-reread",
        "allow-import-check",
        "allow-import-rows",
        "allow-import-fix",
        "allow-import-leave-out",
        "allow-import-plan",
        "allow-history-runs",
        "allow-history-run",
        "allow-interrupted-runs",
        "allow-finish-run",
        "allow-plan-undo",
        "allow-save-run-report",
        // Plans to approve: saved and opened through dialogs Rust shows; an offered plan file
        // is named to the window, never its path.
        "allow-plan-save-file",
        "allow-plan-open-file",
        "allow-plan-offered-file",
        "allow-plan-open-offered",
        "allow-plan-file-replan",
        // Signed plans: this person's key (its public half only) and their trust list.
        "allow-signing-settings",
        "allow-trust-plan-key",
        "allow-untrust-plan-key",
        // What Rust tells the window unasked (Graph asked to wait, closing during a run, a
        // file dropped): one channel the window opens, so no event permission at all.
        "allow-app-events",
        // The language asked for in LANG/LANGUAGE (the webview's own falls back to English
        // where the system lacks the locale).
        "allow-preferred-language",
        // The About box: version, commit and the organisation's policy (no secret in it).
        "allow-about",
        "allow-first-screen-drawn",
        "allow-kept",
        "allow-set-price",
        "allow-import-prices",
        "allow-set-threshold",
        "allow-set-commitment",
        "allow-exclude",
        "allow-unexclude",
        "allow-plan-costs",
        "allow-renewals-view",
        "allow-save-chargeback",
        "allow-reclaim-scan",
        "allow-reclaim-plan",
        "allow-groups-list",
        "allow-group-detail",
        "allow-group-members-page",
        "allow-groups-reprocess",
        "allow-groups-plan-membership",
        "allow-groups-giving",
        "allow-doubles-scan",
        "allow-doubles-plan",
        "allow-roles-get",
        "allow-roles-save",
        "allow-roles-import",
        "allow-roles-export",
        "allow-role-plan",
        "allow-roles-choices",
        // Settings: the language and theme chosen; where the log and journal are, the
        // keychain's state, forgetting saved tenants; product names refreshed when asked.
        "allow-appearance",
        "allow-set-appearance",
        "allow-this-computer",
        "allow-forget-saved-tenants",
        "allow-product-names",
        "allow-refresh-product-names",
        "allow-set-product-names-at-start",
    ];
    expected.sort_unstable();
    assert_eq!(granted, expected);
    for p in &granted {
        for widening in [
            "fs:", "shell:", "http:", "opener:", "store:", "dialog:", "default", "core:",
        ] {
            assert!(!p.contains(widening), "{p} widens the webview's reach");
        }
    }
}

#[test]
fn scripts_come_only_from_the_app_and_talk_only_to_its_ipc() {
    let config = json("tauri.conf.json");
    let security = &config["app"]["security"];
    assert_eq!(security["freezePrototype"], true);
    let csp = security["csp"].as_str().expect("a CSP string");
    let directive = |name: &str| -> Vec<&str> {
        csp.split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
            .map(|rest| rest.split_whitespace().collect())
            .unwrap_or_default()
    };
    assert_eq!(directive("default-src"), ["'self'"]);
    assert_eq!(directive("script-src"), ["'self'"]);
    assert_eq!(directive("connect-src"), ["ipc:", "http://ipc.localhost"]);
    assert_eq!(directive("object-src"), ["'none'"]);
    assert_eq!(directive("frame-ancestors"), ["'none'"]);
    assert!(!csp.contains("unsafe-eval"));
}
