//! Which workers are still running, so a start-up only flags the rows of dead ones.
//!
//! On SQLite each worker holds an exclusive OS lock (`flock`) on its own file `<id>.lock` in
//! a folder beside the database for as long as it lives. The OS drops the lock when the
//! process dies, however it dies (SIGKILL included), so "can I take that lock?" answers "is
//! that worker dead?" exactly, across threads and processes, with no timeouts to tune.
//!
//! On PostgreSQL the workers may run on different machines, sharing no file system: each
//! holds a [`Lease`] in the database instead, renewed by a heartbeat thread every
//! [`HEARTBEAT`] for [`LEASE_TTL`], and keeps its in-flight marks there (see the store's
//! `outbox::lease` for why a worker that only looks dead still sends nothing twice).

use crate::store::{Location, Store, StoreError, WorkerMarks};
use std::fs::{self, File, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a PostgreSQL worker's lease lasts without renewal: a killed worker's rows are
/// dealt with at most this long (plus a housekeeping round) after it died.
pub const LEASE_TTL: Duration = Duration::from_secs(10);
/// How often the heartbeat renews the lease: several renewals fit in one [`LEASE_TTL`], so a
/// slow round trip or two does not make a live worker look dead.
pub const HEARTBEAT: Duration = Duration::from_secs(2);

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
        let id = new_id();
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

/// A new worker id: `w-<pid>-<12 random characters>`.
fn new_id() -> String {
    format!("w-{}-{}", std::process::id(), &crate::store::new_token()[..12])
}

/// This machine's name, for the lease row (to tell staff where a worker ran).
fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A PostgreSQL worker's lease, renewed by its heartbeat thread until dropped; dropping it
/// ends the lease (a clean stop leaves nothing for recovery).
pub struct Lease {
    id: String,
    /// The connection the in-flight marks go through (asynchronous commits).
    marks: Store,
    stop: Arc<AtomicBool>,
    heartbeat: Option<JoinHandle<()>>,
    /// When the heartbeat last renewed the lease (this machine's monotonic clock).
    renewed: Arc<std::sync::Mutex<Instant>>,
    /// A message the server accepted whose mark is not updated yet: it rides with the next
    /// mark (one round trip an email instead of two); the group commit makes it moot.
    accepted: Option<i64>,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Lease {
    /// Takes a lease under a new worker id in the database at `location`, and starts its
    /// heartbeat.
    pub fn acquire(location: &Location) -> Result<Self, StoreError> {
        let id = new_id();
        let host = host_name();
        let pid = std::process::id();
        let ttl = LEASE_TTL.as_millis() as i64;
        let marks = Store::open(location)?;
        marks.set_async_commits()?;
        marks.renew_lease(&id, &host, pid, ttl)?;
        let beat = Store::open(location)?;
        let stop = Arc::new(AtomicBool::new(false));
        let renewed = Arc::new(std::sync::Mutex::new(Instant::now()));
        let heartbeat = {
            let (stop, id, renewed, location) = (Arc::clone(&stop), id.clone(), Arc::clone(&renewed), location.clone());
            std::thread::Builder::new()
                .name("lease".to_owned())
                .spawn(move || {
                    let mut beat = Some(beat);
                    let mut next = Instant::now() + HEARTBEAT;
                    while !stop.load(Ordering::Relaxed) {
                        if Instant::now() < next {
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                        next = Instant::now() + HEARTBEAT;
                        let asked = Instant::now();
                        // A connection lost (a server restart) is opened again.
                        let store = match beat.take() {
                            Some(s) => Ok(s),
                            None => Store::open(&location),
                        };
                        match store.and_then(|s| s.renew_lease(&id, &host, pid, ttl).map(|()| s)) {
                            Ok(s) => {
                                beat = Some(s);
                                if let Ok(mut at) = renewed.lock() {
                                    *at = asked;
                                }
                            }
                            Err(e) => tracing::warn!("cannot renew worker {id}'s lease: {e}"),
                        }
                    }
                })
                .map_err(|e| StoreError::Invalid(format!("cannot start the lease heartbeat: {e}")))?
        };
        Ok(Self { id, marks, stop, heartbeat: Some(heartbeat), renewed, accepted: None })
    }

    /// Whether the lease was renewed recently enough to claim more work: with less than
    /// half its length left, the worker stops claiming until the heartbeat gets through
    /// again (what it holds, it may still finish; marks check the lease themselves).
    pub fn is_fresh(&self) -> bool {
        self.renewed.lock().is_ok_and(|at| at.elapsed() < LEASE_TTL / 2)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The in-flight marker, before the first byte of message `id` leaves; `false` when the
    /// row is no longer this worker's (then it must not be sent). The previous message's
    /// acceptance, if one is waiting, is noted in the same statement.
    pub fn mark_started(&mut self, id: i64) -> Result<bool, StoreError> {
        let started = self.marks.mark_started_noting(id, &self.id, self.accepted)?;
        self.accepted = None;
        Ok(started)
    }

    /// Notes that the server accepted message `id`: with the next mark, or at once when one
    /// is already waiting (never more than one waits).
    ///
    /// The next mark follows within microseconds (the next email's composing), or the group
    /// commit records the result itself: a kill in between leaves this email `uncertain`
    /// rather than `sent`, the same window as a kill between the `250` and a note of its own.
    pub fn mark_accepted(&mut self, id: i64) -> Result<(), StoreError> {
        if let Some(waiting) = self.accepted.replace(id) {
            self.marks.mark_accepted(waiting, &self.id)?;
        }
        Ok(())
    }

    /// The results are recorded (the group commit removed this worker's marks): nothing
    /// waits to be noted any more.
    pub fn results_recorded(&mut self) {
        self.accepted = None;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.heartbeat.take() {
            let _ = h.join();
        }
        if let Err(e) = self.marks.drop_lease(&self.id) {
            tracing::warn!("cannot end worker {}'s lease (it will expire): {e}", self.id);
        }
    }
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
