/// Every command the webview may call; each also needs its permission in a capability.
const COMMANDS: &[&str] = &[
    "tenant_info",
    "list_plans",
    "saved_tenants",
    "start_device_sign_in",
    "finish_device_sign_in",
    "sign_in_with_browser",
    "cancel_sign_in",
    "open_verification_page",
    "switch_tenant",
    "sign_out",
    "users_page",
    "matching_ids",
    "person",
    "countries",
    "plan_change",
    "apply_plan",
    "pause_run",
    "resume_run",
    "cancel_run",
    "plan_retry",
    "stop_run_and_quit",
    "import_choose_file",
    "import_offered_file",
    "import_open_offered",
    "import_reread",
    "import_check",
    "import_rows",
    "import_fix",
    "import_leave_out",
    "import_plan",
    "history_runs",
    "history_run",
    "interrupted_runs",
    "finish_run",
    "plan_undo",
    "save_run_report",
    "plan_save_file",
    "plan_open_file",
    "plan_offered_file",
    "plan_open_offered",
    "plan_file_replan",
    "signing_settings",
    "trust_plan_key",
    "untrust_plan_key",
    "app_events",
    "preferred_language",
    "about",
    "first_screen_drawn",
    "kept",
    "set_price",
    "import_prices",
    "set_threshold",
    "set_commitment",
    "exclude",
    "unexclude",
    "plan_costs",
    "renewals_view",
    "save_chargeback",
    "reclaim_scan",
    "reclaim_plan",
    "groups_list",
    "group_detail",
    "group_members_page",
    "groups_reprocess",
    "groups_plan_membership",
    "groups_giving",
    "doubles_scan",
    "doubles_plan",
    "roles_get",
    "roles_save",
    "roles_import",
    "roles_export",
    "role_plan",
    "roles_choices",
    "appearance",
    "set_appearance",
    "this_computer",
    "forget_saved_tenants",
    "product_names",
    "refresh_product_names",
    "set_product_names_at_start",
];

fn main() {
    // The commit the About box names: from the packager (LICENSEDESK_COMMIT), else from git,
    // else "unknown" (a source tarball).
    let commit = std::env::var("LICENSEDESK_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| {
            std::process::Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=LICENSEDESK_COMMIT={commit}");
    println!("cargo:rerun-if-env-changed=LICENSEDESK_COMMIT");
    println!("cargo:rerun-if-changed=.git/HEAD");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            // Capabilities live beside the shell's sources, not at the repository root.
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            // Declaring the app's commands makes each one need an explicit permission in a
            // capability: nothing is callable from the webview unless granted.
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
