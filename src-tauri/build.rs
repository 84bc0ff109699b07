fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            // Capabilities live beside the shell's sources, not at the repository root.
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            // Declaring the app's commands makes each one need an explicit permission in a
            // capability: nothing is callable from the webview unless granted.
            .app_manifest(tauri_build::AppManifest::new().commands(&["tenant_info", "list_plans"])),
    )
    .expect("failed to run tauri-build");
}
