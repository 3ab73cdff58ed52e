//! Session locks on PostgreSQL, for work one process of the whole group must do alone (the
//! IMAP watchers): held by a connection, so they go when the holder's process or connection
//! dies, as a lock file goes with its process on one machine.

use super::engine::Engine;
use super::{Result, Store, StoreError};

impl Store {
    /// Takes the advisory lock named `name` for as long as this connection lives, if no
    /// other session holds it. PostgreSQL only.
    pub fn try_advisory_lock(&self, name: &str) -> Result<bool> {
        if self.engine() != Engine::Postgres {
            return Err(StoreError::Invalid("advisory locks are PostgreSQL's; SQLite uses lock files".into()));
        }
        Ok(self.conn.query_row("SELECT pg_try_advisory_lock(hashtext(?1))", [name], |r| r.get(0))?)
    }
}
