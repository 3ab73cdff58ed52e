//! Schema migrations: numbered SQL files under `assets/migrations/`, applied in order, with
//! the version kept in `PRAGMA user_version`. Each migration runs in its own transaction.
//!
//! PostgreSQL starts at version 8 with one baseline file (`assets/migrations/pg/`) that
//! builds the schema SQLite's first eight reach; each later migration comes as a pair, one
//! file per dialect, under the same number. The version lives in `schema_version`, and an
//! advisory lock keeps two processes starting at once from migrating twice.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::engine::Conn;

use super::{Result, StoreError};

/// The migrations, in order; the schema version is the number of migrations applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../assets/migrations/001_initial.sql"),
    // Must stay after 002-004 when those land (they are numbered by the issue that adds them).
    include_str!("../../assets/migrations/002_history_indexes.sql"),
    include_str!("../../assets/migrations/003_journey.sql"),
    include_str!("../../assets/migrations/004_failure_fault.sql"),
    include_str!("../../assets/migrations/005_opens_kinds.sql"),
    include_str!("../../assets/migrations/006_mailboxes.sql"),
    include_str!("../../assets/migrations/007_esp_events.sql"),
    include_str!("../../assets/migrations/008_mailbox_status.sql"),
    include_str!("../../assets/migrations/009_venues.sql"),
    // Nothing on SQLite (its workers keep their lock files); here so both engines count alike.
    include_str!("../../assets/migrations/010_worker_leases.sql"),
    // Nothing on SQLite either: PostgreSQL's index for its day query.
    include_str!("../../assets/migrations/011_day_query_pg.sql"),
];

/// A migration that rebuilds a table others point at says so on its first line: it runs with
/// foreign keys off (they cannot be switched inside a transaction), and the runner checks
/// every reference before it commits.
const FOREIGN_KEYS_OFF: &str = "-- guestmail: foreign-keys-off";

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn run(conn: &mut Connection, path: &Path) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew { path: path.to_owned(), found: current, supported: SCHEMA_VERSION });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let rebuild = sql.starts_with(FOREIGN_KEYS_OFF);
        if rebuild {
            conn.pragma_update(None, "foreign_keys", "OFF")?;
        }
        let result = apply(conn, sql, version, rebuild);
        if rebuild {
            conn.pragma_update(None, "foreign_keys", "ON")?;
        }
        result?;
    }
    Ok(())
}

fn apply(conn: &mut Connection, sql: &str, version: i64, rebuild: bool) -> Result<()> {
    {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now >= version {
            return Ok(());
        }
        tx.execute_batch(sql).map_err(|source| StoreError::Migration { version, error: source.into() })?;
        if rebuild {
            let broken: i64 = tx
                .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
                .map_err(|source| StoreError::Migration { version, error: source.into() })?;
            if broken > 0 {
                return Err(StoreError::Invalid(format!(
                    "migration {version} would leave {broken} broken references; nothing was changed"
                )));
            }
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// PostgreSQL's migrations: the baseline (version 8), then one per later version.
const PG_MIGRATIONS: &[(i64, &str)] = &[
    (8, include_str!("../../assets/migrations/pg/008_baseline.sql")),
    (9, include_str!("../../assets/migrations/pg/009_venues.sql")),
    (10, include_str!("../../assets/migrations/pg/010_worker_leases.sql")),
    (11, include_str!("../../assets/migrations/pg/011_day_query_pg.sql")),
];

/// Any number, the same in every process: the advisory lock of schema changes.
const MIGRATION_LOCK: i64 = 0x6775_6573_746d;

pub(super) fn run_postgres(conn: &mut Conn, label: &Path) -> Result<()> {
    let tx = conn.begin_locking()?;
    tx.query_row("SELECT pg_advisory_xact_lock(?1)", [MIGRATION_LOCK], |_| Ok(()))?;
    let exists: bool = tx.query_row("SELECT to_regclass('schema_version') IS NOT NULL", (), |r| r.get(0))?;
    let current: i64 = if exists {
        tx.query_row("SELECT MAX(version) FROM schema_version", (), |r| r.get::<_, Option<i64>>(0))?.unwrap_or(0)
    } else {
        0
    };
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew { path: label.to_owned(), found: current, supported: SCHEMA_VERSION });
    }
    for &(version, sql) in PG_MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql).map_err(|source| StoreError::Migration { version, error: source })?;
        tx.execute("DELETE FROM schema_version", ())?;
        tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [version])?;
    }
    tx.commit()?;
    if let Some(pg) = conn.as_postgres() {
        pg.forget_statements();
    }
    Ok(())
}
