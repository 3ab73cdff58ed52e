//! Which workers are still running, so a start-up only flags the rows of dead ones.
//!
//! Each worker holds an exclusive OS lock (`flock`) on its own file `<id>.lock` in a folder
//! beside the database for as long as it lives. The OS drops the lock when the process
//! dies, however it dies (SIGKILL included), so "can I take that lock?" answers "is that
//! worker dead?" exactly, across threads and processes, with no timeouts to tune.

use crate::store::WorkerMarks;
use std::fs::{self, File, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The folder of worker lock files for a database.
pub fn lock_dir(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push("-workers");
    db.with_file_name(name)
}

/// This worker's lock, held until dropped.
#[derive(Debug)]
pub struct WorkerLock {
    id: String,
    path: PathBuf,
    file: File,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl WorkerLock {
    /// Creates and locks a fresh lock file under `dir`, with a new random worker id.
    pub fn acquire(dir: &Path) -> io::Result<Self> {
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)?;
        let id = format!("w-{}-{}", std::process::id(), &crate::store::new_token()[..12]);
        let path = dir.join(format!("{id}.lock"));
        let file = fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        file.lock()?;
        Ok(Self { id, path, file })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The in-flight marker: notes that message `id` is about to go on the wire, by
    /// appending its id to this worker's lock file before the first byte leaves. One small
    /// write to the page cache per message, no fsync: it survives the process being killed
    /// (SIGKILL, OOM, panic), which is what start-up recovers from; a power cut may lose it,
    /// then the row goes back to the outbox and its one Message-ID lets the receiving
    /// server drop the rare duplicate.
    pub fn mark_started(&mut self, id: i64) -> io::Result<()> {
        self.file.write_all(format!("{id}\n").as_bytes())
    }

    /// Notes that the server accepted message `id` (its final `250`), so a kill before the
    /// group commit records it as sent at the next start instead of leaving it uncertain.
    pub fn mark_accepted(&mut self, id: i64) -> io::Result<()> {
        self.file.write_all(format!("+{id}\n").as_bytes())
    }

    /// Forgets the marks once the results are on disk (after each group commit).
    pub fn clear_started(&mut self) -> io::Result<()> {
        self.file.set_len(0)?;
        io::Seek::seek(&mut self.file, io::SeekFrom::Start(0)).map(|_| ())
    }
}

/// The messages a (dead) worker had started sending and, of those, the ones the server had
/// accepted, from its marker; `None` when its lock file is gone or unreadable (then start-up
/// cannot tell and treats every row as started).
pub fn started(dir: &Path, id: &str) -> Option<WorkerMarks> {
    if !valid_id(id) {
        return None;
    }
    let text = fs::read_to_string(dir.join(format!("{id}.lock"))).ok()?;
    let mut marks = WorkerMarks::default();
    for line in text.lines().map(str::trim) {
        match line.strip_prefix('+') {
            Some(accepted) => marks.accepted.extend(accepted.parse::<i64>().ok()),
            None => marks.started.extend(line.parse::<i64>().ok()),
        }
    }
    Some(marks)
}

impl Drop for WorkerLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether the worker `id` still holds its lock. A missing file, or a lock we can take, means
/// it is gone (its file stays until [`sweep`], so start-up can read its in-flight marker
/// first). An id that is not one of ours is treated as gone.
pub fn is_alive(dir: &Path, id: &str) -> bool {
    if !valid_id(id) {
        return false;
    }
    let path = dir.join(format!("{id}.lock"));
    let Ok(file) = fs::OpenOptions::new().write(true).open(&path) else { return false };
    match file.try_lock() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(e)) => {
            tracing::warn!("cannot check worker {id}'s lock: {e}; treating it as stopped");
            false
        }
    }
}

/// Removes the lock files of workers that are gone (killed before they claimed anything
/// leave one behind); returns how many.
pub fn sweep(dir: &Path, me: &str) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".lock")).map(str::to_owned))
        .filter(|id| id != me && !is_alive(dir, id))
        .filter(|id| fs::remove_file(dir.join(format!("{id}.lock"))).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_alive_and_a_dropped_one_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = WorkerLock::acquire(dir.path()).expect("lock");
        let id = lock.id().to_owned();
        assert!(is_alive(dir.path(), &id));
        drop(lock);
        assert!(!is_alive(dir.path(), &id));
        let mut lock = WorkerLock::acquire(dir.path()).expect("lock");
        lock.mark_started(7).expect("mark");
        lock.mark_accepted(7).expect("mark");
        lock.mark_started(8).expect("mark");
        let marks = |started: Vec<i64>, accepted: Vec<i64>| Some(WorkerMarks { started, accepted });
        assert_eq!(started(dir.path(), lock.id()), marks(vec![7, 8], vec![7]));
        lock.clear_started().expect("clear");
        lock.mark_started(9).expect("mark");
        assert_eq!(started(dir.path(), lock.id()), marks(vec![9], vec![]));
        assert_eq!(started(dir.path(), "w-never-existed"), None);
        assert!(!is_alive(dir.path(), "../etc/passwd"));
        assert!(!is_alive(dir.path(), "w-never-existed"));
    }

    #[test]
    fn sweeping_removes_only_the_dead_workers_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let me = WorkerLock::acquire(dir.path()).expect("lock");
        let other = WorkerLock::acquire(dir.path()).expect("lock");
        std::fs::write(dir.path().join("w-1-dead.lock"), "").expect("stale file");
        assert_eq!(sweep(dir.path(), me.id()), 1);
        assert!(is_alive(dir.path(), other.id()) && is_alive(dir.path(), me.id()));
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);
    }

    #[test]
    fn the_lock_folder_sits_beside_the_database() {
        assert_eq!(lock_dir(Path::new("/x/g.db")), PathBuf::from("/x/g.db-workers"));
    }
}
