//! Files the person chose (in a dialog, by dropping them, or "Open with"): their name for the
//! window (never a path). Reading them is `safe_files::read_at_most`: opened once, checked on
//! the handle (a regular file, its size) and read up to a bound.

use std::path::Path;

pub use safe_files::{FileError, read_at_most};

/// The file's name without its folder (the window is never told a path).
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
