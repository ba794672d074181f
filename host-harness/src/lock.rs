//! One sync at a time per state file, across processes: `<state>.lock` holds the owner's pid. A lock
//! whose owner is gone (no `/proc/<pid>`) is taken over; a live one makes this run skip.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct StateLock {
    path: PathBuf,
}

/// Who holds the lock, when it is not us.
#[derive(Debug)]
pub struct Held {
    pub path: PathBuf,
    pub pid: u32,
}

fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

impl StateLock {
    pub fn acquire(state: &Path) -> Result<StateLock, Held> {
        let path = state.with_extension("lock");
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(StateLock { path });
                }
                Err(_) => {
                    let pid = std::fs::read_to_string(&path).ok().and_then(|s| s.trim().parse::<u32>().ok());
                    match pid {
                        Some(pid) if alive(pid) => return Err(Held { path, pid }),
                        _ => {
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
            }
        }
        Err(Held { path, pid: 0 })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
