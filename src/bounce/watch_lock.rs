//! The lock that lets one watcher of a mailbox take mail in while the others stand by: a
//! lock file beside a SQLite database (one machine), or a PostgreSQL advisory lock held by
//! a connection of its own (any machine of the group), which goes when its holder dies.

use std::path::PathBuf;

use crate::lockfile::HeldLock;
use crate::store::{Location, Store};

/// A held watcher lock; dropping it lets another watcher take over.
pub enum WatchLock {
    File(HeldLock),
    Session(Box<Store>),
}

/// Where the lock lives, for the log.
pub fn describe(location: &Location, what: &str) -> String {
    match location {
        Location::File(db) => file_for(db, what).display().to_string(),
        Location::Postgres(_) => format!("advisory lock guestmail-{what}"),
    }
}

fn file_for(db: &std::path::Path, what: &str) -> PathBuf {
    super::ingest::lock_path_named(db, what)
}

/// Takes the lock named `what` for the store at `location`: `Ok(None)` when another
/// watcher holds it.
pub fn try_take(location: &Location, what: &str) -> Result<Option<WatchLock>, String> {
    match location {
        Location::File(db) => {
            HeldLock::try_take(&file_for(db, what)).map(|held| held.map(WatchLock::File)).map_err(|e| e.to_string())
        }
        Location::Postgres(_) => {
            let session = Store::open(location).map_err(|e| e.to_string())?;
            match session.try_advisory_lock(&format!("guestmail-{what}")) {
                Ok(true) => Ok(Some(WatchLock::Session(Box::new(session)))),
                Ok(false) => Ok(None),
                Err(e) => Err(e.to_string()),
            }
        }
    }
}
