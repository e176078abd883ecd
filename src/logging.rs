//! The log file: `logs/cadre.log` in the user's data directory (0600, in a 0700 directory),
//! appended by every run; `CADRE_LOG` sets the level (default `info`). The terminal is the
//! screen, so nothing is logged there. This module owns where logs go and how they are opened;
//! what is logged is each caller's business, and no caller may log dossier contents.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The log file under a data directory.
pub fn log_file(data_dir: &Path) -> PathBuf {
    data_dir.join("logs").join("cadre.log")
}

/// Sends `tracing` events to the log file under `data_dir`. A log that cannot be opened is
/// not fatal: the run goes on without one. Returns the file when logging is on.
pub fn init(data_dir: &Path) -> Option<PathBuf> {
    let path = log_file(data_dir);
    let dir = path.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        opts.mode(0o600);
    }
    let file = opts.open(&path).ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("CADRE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .ok()?;
    Some(path)
}
