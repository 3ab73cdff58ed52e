//! One holder at a time, across threads and processes: an exclusive OS lock (`flock`) on a
//! named file, in the style of the outbox workers' liveness locks (`mail::liveness`). The OS
//! drops the lock when its holder dies, however it dies (SIGKILL included), so a waiting
//! process takes over exactly when the holder is gone, with no timeouts to tune.
//!
//! The file itself is never removed: removing it while another process has it open would let
//! a third create a new file and lock that one, and two holders would each believe they are
//! alone. It holds the holder's pid, for an operator wondering who has it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// A held lock, released when dropped (or when the process ends).
#[derive(Debug)]
pub struct HeldLock {
    path: PathBuf,
    _file: File,
}

impl HeldLock {
    /// Takes the lock at `path` (creating the file) if nobody holds it; `Ok(None)` while
    /// another holder has it.
    pub fn try_take(path: &Path) -> io::Result<Option<Self>> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path)?;
        match file.try_lock() {
            Ok(()) => {
                // For people only: the lock is the flock, not this text.
                let _ = file.set_len(0).and_then(|()| writeln!(file, "{}", std::process::id()));
                Ok(Some(Self { path: path.to_owned(), _file: file }))
            }
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_the_next_takes_over_when_it_is_gone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.lock");
        let first = HeldLock::try_take(&path).expect("take").expect("free");
        // A second open file description, as another process would have: refused.
        assert!(HeldLock::try_take(&path).expect("try").is_none());
        let pid = std::fs::read_to_string(&path).expect("read");
        assert_eq!(pid.trim(), std::process::id().to_string());
        drop(first);
        assert!(path.exists(), "the file stays");
        let second = HeldLock::try_take(&path).expect("take").expect("free again");
        assert_eq!(second.path(), path);
    }

    #[test]
    fn a_folder_that_does_not_exist_is_an_error_not_a_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(HeldLock::try_take(&dir.path().join("missing/x.lock")).is_err());
    }
}
