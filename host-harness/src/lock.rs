//! One sync at a time per state file, across processes: `<state file name>.lock` beside it (never the
//! state file itself, whatever its name) holds the owner's pid. A lock whose owner is gone (no
//! `/proc/<pid>`) is taken over; a live one makes this run skip.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct StateLock {
    path: PathBuf,
}

/// Why the lock is not ours.
#[derive(Debug)]
pub enum LockError {
    /// Another live process holds it (`pid` 0: it was taken again while we looked).
    Held { path: PathBuf, pid: u32 },
    /// The lock file cannot be created at all: a missing or unwritable directory, say.
    Unusable { path: PathBuf, error: std::io::Error },
}

/// `state.json` → `state.json.lock`.
fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    state.with_file_name(name)
}

fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

impl StateLock {
    pub fn acquire(state: &Path) -> Result<StateLock, LockError> {
        let path = lock_path(state);
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(StateLock { path });
                }
                Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => return Err(LockError::Unusable { path, error }),
                Err(_) => {
                    let pid = std::fs::read_to_string(&path).ok().and_then(|s| s.trim().parse::<u32>().ok());
                    match pid {
                        Some(pid) if alive(pid) => return Err(LockError::Held { path, pid }),
                        _ => {
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
            }
        }
        Err(LockError::Held { path, pid: 0 })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
