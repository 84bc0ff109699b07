//! Prices, thresholds, renewal marks and reclaim exclusions the CLI keeps per tenant, in
//! `kept.json` in its config folder (licensing::kept).

use licensing::kept::{FILE_NAME, KeptFile, MAX_BYTES};

use crate::CliError;
use crate::profile::config_dir;

fn path() -> Result<std::path::PathBuf, CliError> {
    Ok(config_dir()?.join(FILE_NAME))
}

/// The kept file; an absent one is empty, a broken one stops the command (exit 2).
pub fn load() -> Result<KeptFile, CliError> {
    let path = path()?;
    match safe_files::read_at_most(&path, MAX_BYTES) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                CliError::Usage(format!(
                    "{} is not UTF-8 text; move it away to start again",
                    path.display()
                ))
            })?;
            KeptFile::parse(&text, &path.display().to_string()).map_err(CliError::Usage)
        }
        Err(safe_files::FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(KeptFile::default())
        }
        Err(e) => Err(CliError::Usage(format!("{}: {e}", path.display()))),
    }
}

/// Writes the whole file at once (a crash leaves the old one or the new one, never half).
pub fn save(file: &KeptFile) -> Result<(), CliError> {
    let path = path()?;
    if let Some(dir) = path.parent() {
        safe_files::private_dir(dir)
            .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    safe_files::write_replacing(&path, file.to_text().as_bytes())
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))
}
