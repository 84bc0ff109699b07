//! What Rust tells the window unasked — Graph asked to wait, the window is being closed during a
//! run, a file was dropped — goes over one channel the window opens (`app_events`), not through
//! Tauri's global events. So the window needs no event permission at all: it cannot listen to
//! any other event, nor emit one to Rust. The kinds are listed here and nowhere else.

use std::sync::Mutex;

use serde::Serialize;
use tauri::ipc::Channel;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
#[ts(export)]
pub enum AppEvent {
    /// Microsoft Graph asked LicenseDesk to wait this many seconds (throttling).
    GraphWait { seconds: u32 },
    /// The window is being closed while a run sends changes (the close was held back).
    CloseRequested,
    /// A list of people was dropped on the window (its name only; Rust keeps the path).
    FileOffered { name: String },
    /// A plan file was dropped on the window (its name only).
    PlanOffered { name: String },
}

/// The window's channel, once it has opened one.
#[derive(Default)]
pub struct Events(Mutex<Option<Channel<AppEvent>>>);

impl Events {
    pub fn send(&self, event: AppEvent) {
        let channel = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match channel {
            Some(c) => {
                if let Err(e) = c.send(event) {
                    tracing::debug!("could not tell the window: {e}");
                }
            }
            None => tracing::debug!("no window listens yet: {event:?}"),
        }
    }
}

/// The window opens its channel (again after a reload: the newest replaces the old).
#[tauri::command]
pub fn app_events(events: tauri::State<'_, Events>, channel: Channel<AppEvent>) {
    *events
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(channel);
}
