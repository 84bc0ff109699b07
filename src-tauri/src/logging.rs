//! The app's log: one plain-text file in the platform's log folder, for support. It never holds
//! a token: tokens are redacted types (graph::AccessToken) or stay inside the auth code, and the
//! WebDriver test reads this file at debug level to prove it.
//!
//! `LICENSEDESK_LOG` sets the level (`info` by default; e.g. `debug` or `graph=trace`).

use std::fs::File;
use std::path::Path;

use tauri::{AppHandle, Manager, Runtime};
use tracing_subscriber::EnvFilter;

pub const LOG_FILE: &str = "licensedesk.log";

/// When the first plans were on screen, as the window's clock read it (milliseconds since
/// 1970): written once to the log, so a slow start can be seen in a support log, and read by
/// the start-up benchmark (`make bench`), which measures the app as a person starts it, without
/// WebDriver's session in the way. A number out of any sane range is ignored.
#[tauri::command]
pub fn first_screen_drawn(at_epoch_ms: f64) {
    static LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let sane = at_epoch_ms.is_finite() && (1.0e12..1.0e14).contains(&at_epoch_ms);
    if sane && !LOGGED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::info!(
            at_epoch_ms = at_epoch_ms.round() as u64,
            "first screen drawn"
        );
    }
}

/// Starts logging to `<log dir>/licensedesk.log`, keeping the previous run's as `.old.log`.
/// Without a writable log folder the app runs without a log rather than not at all.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let Ok(dir) = app.path().app_log_dir() else {
        return;
    };
    let Some(file) = open(&dir) else {
        return;
    };
    let filter =
        EnvFilter::try_from_env("LICENSEDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    if installed.is_ok() {
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "LicenseDesk started");
    }
}

fn open(dir: &Path) -> Option<File> {
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(LOG_FILE);
    if path.exists() {
        let _ = std::fs::rename(&path, dir.join("licensedesk.old.log"));
    }
    File::create(path).ok()
}
