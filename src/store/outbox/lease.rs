//! Worker liveness on PostgreSQL: leases and in-flight markers in the database (table
//! `worker_leases` and `worker_marks`, migration pg/010), where SQLite's workers use lock
//! files beside the database (see `crate::mail::liveness`). Workers on different machines
//! share no file system, so "is that worker still running?" becomes "has it renewed its
//! lease lately?", by the database server's clock (the one clock all workers share).
//!
//! The guarantees are SQLite's: an email is sent at most once, and a worker that dies
//! mid-send leaves the emails it had started `uncertain`. What makes that hold even when a
//! worker only *looks* dead (a stall longer than its lease):
//! - a worker marks a row before its first byte goes, and the mark takes a share lock on the
//!   message row and checks that the row is still `sending` and still its own; a row
//!   recovery already took back cannot be marked, and an unmarked row is never sent;
//! - recovery locks the dead workers' rows first (`FOR UPDATE`), then reads their marks in a
//!   new statement (READ COMMITTED), so a mark either committed before (it is seen: the row
//!   becomes `uncertain`) or waits and then finds the row no longer its own.

use std::collections::{HashMap, HashSet};

use crate::store::engine::{Engine, params};

use super::{WorkerMarks, recover_rows};
use crate::store::{Result, Store, StoreError, retry_busy};

/// The database server's clock in UTC milliseconds.
const SERVER_NOW: &str = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

fn postgres_only(store: &Store) -> Result<()> {
    match store.conn.engine() {
        Engine::Postgres => Ok(()),
        Engine::Sqlite => Err(StoreError::Invalid("worker leases live in PostgreSQL stores only".to_owned())),
    }
}

impl Store {
    /// Takes or renews `worker`'s lease for `ttl_ms` from now (server time); a lease that
    /// recovery already removed (a stall) is taken again.
    pub fn renew_lease(&self, worker: &str, host: &str, pid: u32, ttl_ms: i64) -> Result<()> {
        postgres_only(self)?;
        let sql = format!(
            "INSERT INTO worker_leases (worker_id, host, pid, started_at, expires_at)
             VALUES (?1, ?2, ?3, {SERVER_NOW}, {SERVER_NOW} + CAST(?4 AS BIGINT))
             ON CONFLICT (worker_id) DO UPDATE SET expires_at = EXCLUDED.expires_at"
        );
        self.conn.execute(&sql, params![worker, host, i64::from(pid), ttl_ms])?;
        Ok(())
    }

    /// Ends `worker`'s lease (a clean stop): its markers go with it.
    pub fn drop_lease(&self, worker: &str) -> Result<()> {
        postgres_only(self)?;
        self.conn.execute("DELETE FROM worker_marks WHERE worker_id = ?1", [worker])?;
        self.conn.execute("DELETE FROM worker_leases WHERE worker_id = ?1", [worker])?;
        Ok(())
    }

    /// The workers whose lease has not expired.
    pub fn live_workers(&self) -> Result<HashSet<String>> {
        postgres_only(self)?;
        let sql = format!("SELECT worker_id FROM worker_leases WHERE expires_at > {SERVER_NOW}");
        let rows = self.conn.prepare_cached(&sql)?.query_map((), |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Commits on this connection return before the server has flushed them to disk: for the
    /// in-flight markers only, which must be seen by other workers at once (they are: an
    /// asynchronous commit is visible when it returns) but need not survive a crash of the
    /// server itself (as SQLite's marker need not survive a power cut; see
    /// `crate::mail::liveness`).
    pub fn set_async_commits(&self) -> Result<()> {
        postgres_only(self)?;
        self.conn.execute_batch("SET synchronous_commit TO OFF")?;
        Ok(())
    }

    /// Marks message `id` as going on the wire for `worker`; `false` when the row is no longer
    /// this worker's to send (recovery gave it back after a stall) or its lease has run out
    /// (others may be dealing with its rows): then it must not be sent.
    pub fn mark_started(&self, id: i64, worker: &str) -> Result<bool> {
        self.mark_started_noting(id, worker, None)
    }

    /// [`Store::mark_started`], noting in the same statement (one round trip) that the server
    /// accepted message `accepted`, the one this worker sent before.
    pub fn mark_started_noting(&self, id: i64, worker: &str, accepted: Option<i64>) -> Result<bool> {
        postgres_only(self)?;
        let sql = format!(
            "WITH accepted AS (
                 UPDATE worker_marks SET accepted = TRUE WHERE worker_id = ?2 AND message_id = ?3)
             INSERT INTO worker_marks (worker_id, message_id)
             SELECT claimed_by, id FROM messages
             WHERE id = ?1 AND state = 'sending' AND claimed_by = ?2
               AND EXISTS (SELECT 1 FROM worker_leases WHERE worker_id = ?2 AND expires_at > {SERVER_NOW})
             FOR SHARE OF messages
             ON CONFLICT (worker_id, message_id) DO UPDATE SET accepted = FALSE"
        );
        let n = self.conn.execute(&sql, params![id, worker, accepted])?;
        Ok(n == 1)
    }

    /// Notes that the server accepted message `id` (its final 250).
    pub fn mark_accepted(&self, id: i64, worker: &str) -> Result<()> {
        postgres_only(self)?;
        self.conn.execute(
            "UPDATE worker_marks SET accepted = TRUE WHERE worker_id = ?2 AND message_id = ?1",
            params![id, worker],
        )?;
        Ok(())
    }

    /// Deals with the rows left in `sending` by workers whose lease expired (or that no
    /// worker claims): as [`super::recover`] does on SQLite, with the markers from the
    /// database. Expired leases and their markers are removed. Returns the rows made
    /// uncertain.
    pub fn recover_expired(&mut self, actor: &str) -> Result<Vec<i64>> {
        postgres_only(self)?;
        retry_busy(|| self.recover_expired_once(actor), crate::store::is_busy)
    }

    fn recover_expired_once(&mut self, actor: &str) -> Result<Vec<i64>> {
        let now = crate::store::now_ms();
        let tx = self.conn.begin_locking()?;
        // One instant for the whole round: the leases it removes at the end are exactly those
        // whose rows it dealt with (one expiring meanwhile keeps its lease, and its markers,
        // for the next round).
        let cutoff: i64 = tx.query_row(&format!("SELECT {SERVER_NOW}"), (), |r| r.get(0))?;
        let rows: Vec<(i64, Option<i64>, Option<String>)> = tx
            .prepare_cached(
                "SELECT id, reservation_id, claimed_by FROM messages
                 WHERE state = 'sending'
                   AND (claimed_by IS NULL
                        OR claimed_by NOT IN (SELECT worker_id FROM worker_leases WHERE expires_at > ?1))
                 ORDER BY id FOR UPDATE",
            )?
            .query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        // Read after the rows are locked: a mark committed before is seen; one that comes
        // later finds the row no longer `sending` and its email is not sent.
        let dead: HashSet<&str> = rows.iter().filter_map(|(_, _, w)| w.as_deref()).collect();
        let mut marks: HashMap<String, WorkerMarks> = HashMap::new();
        for worker in dead {
            // A worker with no lease at all is unknown: without its markers every row of it
            // is uncertain, as on SQLite when a lock file is gone.
            let leased = tx.prepare_cached("SELECT 1 FROM worker_leases WHERE worker_id = ?1")?.exists([worker])?;
            if !leased {
                continue;
            }
            let mut m = WorkerMarks::default();
            let found = tx
                .prepare_cached("SELECT message_id, accepted FROM worker_marks WHERE worker_id = ?1")?
                .query_map([worker], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            for (id, accepted) in found {
                m.started.push(id);
                if accepted {
                    m.accepted.push(id);
                }
            }
            marks.insert(worker.to_owned(), m);
        }
        let started = |w: &str| marks.get(w).cloned();
        let out = recover_rows(&tx, rows, &started, actor, now)?;
        tx.execute("DELETE FROM worker_leases WHERE expires_at <= ?1", [cutoff])?;
        tx.execute("DELETE FROM worker_marks WHERE worker_id NOT IN (SELECT worker_id FROM worker_leases)", ())?;
        tx.commit()?;
        Ok(out)
    }
}
