//! How the window looks and speaks, as the person chose in Settings: the language (the
//! system's, English or Dutch) and the theme (the system's, light, dark or high contrast).
//! Kept in the settings store; nothing here is secret.

use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use ts_rs::TS;

use crate::error::CommandError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum LanguageChoice {
    #[default]
    System,
    En,
    Nl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
    HighContrast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Appearance {
    pub language: LanguageChoice,
    pub theme: ThemeChoice,
}

const KEY: &str = "appearance";

/// The choices saved (the system's language and theme when none, or when what is saved does not
/// read: a hand-edited settings file is not trusted further than that).
#[tauri::command]
pub fn appearance(app: AppHandle) -> Appearance {
    crate::settings::read(&app, KEY)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

#[tauri::command]
pub fn set_appearance(app: AppHandle, appearance: Appearance) -> Result<(), CommandError> {
    let value = serde_json::to_value(appearance)
        .map_err(|e| CommandError::new("settings.write", e.to_string(), None))?;
    crate::settings::write(&app, KEY, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_as_the_window_sends_them_and_odd_ones_are_refused() {
        let a: Appearance =
            serde_json::from_str(r#"{"language": "nl", "theme": "highContrast"}"#).expect("read");
        assert_eq!(
            (a.language, a.theme),
            (LanguageChoice::Nl, ThemeChoice::HighContrast)
        );
        assert!(
            serde_json::from_str::<Appearance>(r#"{"language": "xx", "theme": "dark"}"#).is_err()
        );
        assert_eq!(Appearance::default().language, LanguageChoice::System);
    }
}
