//! Files a person hands LicenseDesk, and files it writes for them.
//!
//! Reading (HR files, plan files, the policy, price and roles files): the path is opened once,
//! and everything is checked on the open handle, never on the path again — that it is a regular
//! file (not `/dev/zero`, a FIFO, a folder or a device; a symbolic link is followed only to a
//! regular file) and its size — and at most the limit is read, so a file that grows while it
//! is read is refused rather than followed.
//!
//! Writing (reports, plan files): the bytes go to a new temporary file beside the target,
//! created exclusively (`O_EXCL`: a planted file or symbolic link of that name makes it fail
//! instead of writing through it), then renamed over the target, so the target is either the
//! old file or the whole new one.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Larger than allowed: its size in bytes (or at least this many, for a file that grew).
    #[error("the file is too large ({size} bytes; at most {max} are read)")]
    TooLarge { size: u64, max: u64 },
    /// A device, a FIFO, a socket or a folder: not a file to read.
    #[error("this is not a regular file (a device, a pipe or a folder)")]
    NotAFile,
}

/// Reads the whole file if it is a regular file of at most `max` bytes.
pub fn read_at_most(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    let file = open_for_reading(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(FileError::NotAFile);
    }
    if meta.len() > max {
        return Err(FileError::TooLarge {
            size: meta.len(),
            max,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // One byte more than the limit: a file that grew past it while read is refused.
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(FileError::TooLarge {
            size: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

/// The first `n` bytes of a regular file (to tell what kind of file it is).
pub fn read_head(path: &Path, n: u64) -> Result<Vec<u8>, FileError> {
    let file = open_for_reading(path)?;
    if !file.metadata()?.is_file() {
        return Err(FileError::NotAFile);
    }
    let mut head = Vec::with_capacity(n as usize);
    file.take(n).read_to_end(&mut head)?;
    Ok(head)
}

/// Opens without blocking on a FIFO (a FIFO opened for reading waits for a writer forever);
/// what was opened is then checked on the handle.
fn open_for_reading(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Writes `bytes` to `target` through an exclusively created temporary file and a rename.
pub fn write_replacing(target: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let temp = temp_beside(target);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(&temp)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temp, target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    Ok(())
}

/// `report.csv` → `.report.csv.<pid>-<n>.part` in the same folder (a rename stays in one file
/// system); a fresh name each time, and never one that exists (`create_new`).
fn temp_beside(target: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let n = N.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}-{n}.part", std::process::id()))
}

/// Creates `dir` (and its parents) and makes it private to this account (0700 on Unix).
/// Refuses a symbolic link in its place.
pub fn private_dir(dir: &Path) -> Result<(), FileError> {
    std::fs::create_dir_all(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(FileError::NotAFile);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Whether a file this program is about to adopt looks like one it made: owned by this
/// account, with no access for others (0600), not a link. On other systems: always.
pub fn is_private_and_mine(path: &Path) -> std::io::Result<bool> {
    let meta = std::fs::symlink_metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        Ok(meta.is_file() && meta.uid() == me && meta.permissions().mode() & 0o077 == 0)
    }
    #[cfg(not(unix))]
    {
        Ok(meta.is_file())
    }
}

/// Creates a new, empty file private to this account (0600); fails if anything (a file, a
/// link) has that name already.
pub fn create_private(path: &Path) -> Result<File, FileError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    Ok(options.open(path)?)
}

/// Opens (creating if missing) a file private to this account (0600), never through a
/// symbolic link.
pub fn open_private(path: &Path) -> Result<File, FileError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(FileError::NotAFile);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_on_the_open_handle() {
        #[cfg(unix)]
        {
            assert!(matches!(
                read_at_most(Path::new("/dev/zero"), 1024),
                Err(FileError::NotAFile)
            ));
            let dir = tempfile::tempdir().expect("dir");
            let link = dir.path().join("hr.csv");
            std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
            assert!(matches!(
                read_at_most(&link, 1024),
                Err(FileError::NotAFile)
            ));
            // A FIFO with no writer: refused at once, not waited on.
            let fifo = dir.path().join("fifo.csv");
            let c = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("c string");
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            assert!(matches!(
                read_at_most(&fifo, 1024),
                Err(FileError::NotAFile)
            ));
            assert!(matches!(
                read_at_most(dir.path(), 1024),
                Err(FileError::NotAFile)
            ));
        }
    }

    #[test]
    fn a_file_is_read_up_to_its_limit_and_refused_past_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("plan.json");
        std::fs::write(&path, b"0123456789").expect("write");
        assert_eq!(read_at_most(&path, 10).expect("read"), b"0123456789");
        assert!(matches!(
            read_at_most(&path, 9),
            Err(FileError::TooLarge { size: 10, max: 9 })
        ));
    }

    #[test]
    fn writing_never_goes_through_a_planted_link_and_replaces_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("report.csv");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").expect("write");
        std::fs::write(&target, b"old").expect("write");
        // Every temporary name this process could pick next is a link to the victim.
        #[cfg(unix)]
        for n in 0..64 {
            let name = format!(".report.csv.{}-{n}.part", std::process::id());
            let _ = std::os::unix::fs::symlink(&victim, dir.path().join(name));
        }
        let result = write_replacing(&target, b"new report");
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        #[cfg(unix)]
        assert!(result.is_err(), "every temporary name was taken by a link");
        // With the links gone it writes, and the old file is replaced whole.
        for entry in std::fs::read_dir(dir.path()).expect("dir").flatten() {
            if entry.file_name().to_string_lossy().ends_with(".part") {
                std::fs::remove_file(entry.path()).expect("remove");
            }
        }
        write_replacing(&target, b"new report").expect("written");
        assert_eq!(std::fs::read(&target).expect("read"), b"new report");
    }

    #[test]
    fn private_files_and_folders_are_for_this_account_only() {
        let dir = tempfile::tempdir().expect("dir");
        let folder = dir.path().join("data");
        private_dir(&folder).expect("folder");
        let file = folder.join("journal.sqlite");
        drop(open_private(&file).expect("file"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&folder), 0o700);
            assert_eq!(mode(&file), 0o600);
            let link = folder.join("link.sqlite");
            std::os::unix::fs::symlink(&file, &link).expect("symlink");
            assert!(open_private(&link).is_err(), "a link is not followed");
        }
    }
}
