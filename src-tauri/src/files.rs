//! Files the person chose (in a dialog, by dropping them, or "Open with"): their name for the
//! window, and their bytes with a bound checked before a byte is read.

use std::path::Path;

/// The file's name without its folder (the window is never told a path).
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Why a file was not read.
pub enum Unreadable {
    Io(std::io::Error),
    /// Larger than allowed: its size in bytes.
    TooLarge(u64),
}

/// Reads the whole file if it is at most `max` bytes: the size is checked first, so a huge
/// file is refused without being read.
pub fn read_at_most(path: &Path, max: u64) -> Result<Vec<u8>, Unreadable> {
    let size = std::fs::metadata(path).map_err(Unreadable::Io)?.len();
    if size > max {
        return Err(Unreadable::TooLarge(size));
    }
    std::fs::read(path).map_err(Unreadable::Io)
}
