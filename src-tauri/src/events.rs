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

/// The language the person asked for in the environment (`LANGUAGE`, then `LC_ALL`,
/// `LC_MESSAGES`, `LANG`), as a BCP 47 tag ("nl-NL"); `None` when none is set or it is "C".
/// The webview's own `navigator.language` falls back to English when the system has no Dutch
/// locale installed, even with `LANG=nl_NL.UTF-8`: this reads what was asked instead.
pub fn language_from_env(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    let first = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| get(k))
        .map(|v| v.split(':').next().unwrap_or_default().to_string())
        .find(|v| !v.is_empty())?;
    let tag = first
        .split(['.', '@'])
        .next()
        .unwrap_or_default()
        .replace('_', "-");
    let valid = !tag.is_empty()
        && tag != "C"
        && tag != "POSIX"
        && tag.len() <= 35
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then_some(tag)
}

/// The language asked for in the environment, for the window (see `language_from_env`).
#[tauri::command]
pub fn preferred_language() -> Option<String> {
    language_from_env(|k| std::env::var(k).ok())
}

#[cfg(test)]
mod tests {
    use super::language_from_env;

    #[test]
    fn the_environments_language_is_read_as_a_tag() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            language_from_env(env(&[("LANG", "nl_NL.UTF-8")])).as_deref(),
            Some("nl-NL")
        );
        assert_eq!(
            language_from_env(env(&[("LANGUAGE", "nl_BE:en"), ("LANG", "en_US.UTF-8")])).as_deref(),
            Some("nl-BE")
        );
        assert_eq!(language_from_env(env(&[("LANG", "C.UTF-8")])), None);
        assert_eq!(language_from_env(env(&[])), None);
        assert_eq!(
            language_from_env(env(&[("LANG", "de_DE@euro")])).as_deref(),
            Some("de-DE")
        );
        assert_eq!(language_from_env(env(&[("LANG", "x'); alert(1)")])), None);
    }
}
