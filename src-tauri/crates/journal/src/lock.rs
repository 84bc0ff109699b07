//! One process at a time per run: an exclusive lock on a file beside the journal. The system
//! drops it when the process ends however it ends (`kill -9` included), so a run whose lock is
//! free and whose state is still "running" was interrupted.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::JournalError;

/// Held while a run is carried out; released on drop.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// The lock file: private (0600) and never opened through a link planted in its place.
fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

impl RunLock {
    pub(crate) fn take(path: &Path, run: &str) -> Result<Self, JournalError> {
        let file = open(path).map_err(|e| JournalError::Io(e.to_string()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(JournalError::Busy(run.to_string())),
            Err(TryLockError::Error(e)) => Err(JournalError::Io(e.to_string())),
        }
    }
}

/// Whether some process holds the run's lock now.
pub(crate) fn is_held(path: &Path) -> bool {
    if !path.exists() {
        return false;
    }
    match open(path) {
        Ok(file) => matches!(file.try_lock(), Err(TryLockError::WouldBlock)),
        Err(_) => false,
    }
}
