//! What `guestmail status` reads: a quick check of the file and the last bounce taken in.

use super::{Result, Store};

impl Store {
    /// `PRAGMA quick_check`: "ok" when the file's structure is sound (faster than the full
    /// integrity check on a large database).
    pub fn quick_check(&self) -> Result<String> {
        let sql = match self.conn.engine() {
            super::engine::Engine::Sqlite => "PRAGMA quick_check",
            // PostgreSQL checks its own pages; a connection that answers is sound.
            super::engine::Engine::Postgres => "SELECT 'ok'",
        };
        Ok(self.conn.query_row(sql, (), |r| r.get(0))?)
    }

    /// When the last bounce was taken in (UTC ms), if ever.
    pub fn last_bounce_at(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row("SELECT MAX(received_at) FROM bounces", (), |r| r.get(0))?)
    }
}
