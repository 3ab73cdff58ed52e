//! `guestmail migrate-store`: copies a venue's SQLite store into a PostgreSQL store as a new
//! venue, in one PostgreSQL transaction, leaving the file untouched (it is opened read-only).
//!
//! Ids collide with the other venues' rows, so every copied table's ids are offset by that
//! table's largest id in the target (read under a lock that keeps other writers out until
//! the commit), and every foreign-key column is offset by the table it points at. Tables
//! the venues share merge by their natural key: `addresses` by email (the target's counters
//! win: they already describe that address for the group), `processed_mail` by key,
//! `mailbox_messages` by (mailbox, uidvalidity, uid). Then each identity is set past its
//! largest id, and the counts are checked: for every table, rows read = rows written +
//! rows merged, and the new venue's guests and reservations are all there.

use std::path::Path;

use rusqlite::OpenFlags;

use super::engine::{Engine, Tx, Value};
use super::{Result, Store, StoreError, migrate, venues};
use crate::venue::{NewVenue, Venue, check_new};

/// Rows per INSERT: 500 rows of the widest table (31 columns) stay far below PostgreSQL's
/// 65,535 parameters a statement.
const BATCH_ROWS: usize = 500;

/// How one table is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// New ids (offset by the target's largest), foreign keys offset likewise.
    Remap,
    /// Inserted without its id when its natural key is not there yet; else merged.
    Merge,
}

struct TableSpec {
    name: &'static str,
    how: How,
    /// Foreign-key columns and the table each points at.
    refs: &'static [(&'static str, &'static str)],
    /// Whether the table has `venue_id` (set to the new venue).
    venue: bool,
}

/// The tables copied, in an order where every reference points at a table already copied.
const TABLES: &[TableSpec] = &[
    TableSpec { name: "addresses", how: How::Merge, refs: &[], venue: false },
    TableSpec { name: "guests", how: How::Remap, refs: &[], venue: true },
    TableSpec { name: "reservations", how: How::Remap, refs: &[("guest_id", "guests")], venue: true },
    TableSpec {
        name: "messages",
        how: How::Remap,
        refs: &[("reservation_id", "reservations"), ("guest_id", "guests"), ("resend_of", "messages")],
        venue: false,
    },
    TableSpec {
        name: "events",
        how: How::Remap,
        refs: &[("message_id", "messages"), ("reservation_id", "reservations")],
        venue: false,
    },
    TableSpec { name: "opens", how: How::Remap, refs: &[("message_id", "messages")], venue: false },
    TableSpec { name: "bounces", how: How::Remap, refs: &[("message_id", "messages")], venue: false },
    TableSpec { name: "replies", how: How::Remap, refs: &[("message_id", "messages")], venue: false },
    TableSpec { name: "processed_mail", how: How::Merge, refs: &[], venue: false },
    TableSpec { name: "mailbox_messages", how: How::Merge, refs: &[], venue: false },
];

/// The file's tables that are not copied, and why (any other table is an error, so a
/// table added by a later migration cannot be left behind silently).
pub const NOT_COPIED: &[(&str, &str)] = &[
    ("venues", "the file's one venue becomes the new venue"),
    ("sending_pause", "the sending pause is the running server's state, not the venue's data"),
    ("mailbox_status", "each watcher writes its own standing again when it starts"),
    ("pending_scrubs", "SQLite's own WAL clean-up after an erasure"),
    ("schema_version", "the target keeps its own"),
];

/// Rows read and written for one table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCount {
    pub table: &'static str,
    pub read: u64,
    pub written: u64,
    /// Rows already in the target under the same natural key (shared tables only).
    pub merged: u64,
    /// What was added to this table's ids (0 for merged tables).
    pub id_offset: i64,
}

/// What a copy did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopyReport {
    pub venue: Venue,
    pub tables: Vec<TableCount>,
}

fn sqlite_err(e: rusqlite::Error) -> StoreError {
    StoreError::Db(e.into())
}

/// The file's tables (FTS5's shadow tables left out: PostgreSQL has its own index).
fn source_tables(src: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut stmt = src
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(sqlite_err)?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sqlite_err)?;
    let names: Vec<String> = names.collect::<Result<_, _>>().map_err(sqlite_err)?;
    Ok(names.into_iter().filter(|n| !n.starts_with("guests_search")).collect())
}

fn source_columns(src: &rusqlite::Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = src.prepare(&format!("PRAGMA table_info(\"{table}\")")).map_err(sqlite_err)?;
    let cols = stmt.query_map([], |r| r.get::<_, String>(1)).map_err(sqlite_err)?;
    cols.collect::<Result<_, _>>().map_err(sqlite_err)
}

fn target_columns(tx: &Tx<'_>, table: &str) -> Result<Vec<String>> {
    let cols = tx
        .prepare_cached(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
        )?
        .query_map([table], |r| r.get::<_, String>(0))?;
    Ok(cols.collect::<Result<_, _>>()?)
}

fn to_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => Value::Integer(i),
        V::Real(f) => Value::Real(f),
        V::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        V::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Opens the file read-only: nothing this copy does can write to it.
fn open_source(file: &Path) -> Result<rusqlite::Connection> {
    if !file.is_file() {
        return Err(StoreError::NotFound(format!("the SQLite store {}", file.display())));
    }
    let src =
        rusqlite::Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(sqlite_err)?;
    src.pragma_update(None, "query_only", true).map_err(sqlite_err)?;
    let version: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sqlite_err)?;
    if version > migrate::SCHEMA_VERSION {
        return Err(StoreError::TooNew { path: file.to_owned(), found: version, supported: migrate::SCHEMA_VERSION });
    }
    if version == 0 {
        return Err(StoreError::Invalid(format!("{} is not a guestmail store", file.display())));
    }
    Ok(src)
}

impl Store {
    /// Copies the SQLite store `file` into this (PostgreSQL) store as the new venue `new`,
    /// in one transaction. `default_sender` is the config's, which this store's implicit
    /// venue sends from when it holds guests: a new venue may not share it.
    pub fn copy_sqlite_venue(&mut self, file: &Path, new: &NewVenue, default_sender: &str) -> Result<CopyReport> {
        if self.engine() != Engine::Postgres {
            return Err(StoreError::Invalid("migrate-store copies into a PostgreSQL store (--to postgres://…)".into()));
        }
        let src = open_source(file)?;
        let tables = source_tables(&src)?;
        for t in &tables {
            let known = TABLES.iter().any(|s| s.name == t) || NOT_COPIED.iter().any(|(n, _)| n == t);
            if !known {
                return Err(StoreError::Invalid(format!("the file has a table {t} that migrate-store cannot copy")));
            }
        }
        if tables.iter().any(|t| t == "venues") {
            let n: i64 = src.query_row("SELECT COUNT(*) FROM venues", [], |r| r.get(0)).map_err(sqlite_err)?;
            if n > 1 {
                return Err(StoreError::Invalid(format!(
                    "{} holds {n} venues; migrate-store copies a single-venue store",
                    file.display()
                )));
            }
        }
        let now = self.now();
        let report = self.write_once(|tx| {
            // Other writers wait until the commit, so the offsets stay free; readers go on.
            tx.execute_batch(
                "LOCK TABLE venues, addresses, guests, reservations, messages, events, opens, bounces, replies,
                 processed_mail, mailbox_messages IN SHARE ROW EXCLUSIVE MODE",
            )?;
            let existing = venues::existing_senders(tx, default_sender)?;
            let v = check_new(new, &existing)?;
            let venue_id = venues::insert(tx, &v, now)?;
            let mut offsets: Vec<(&str, i64)> = Vec::new();
            let mut counts = Vec::new();
            for spec in TABLES.iter().filter(|s| tables.iter().any(|t| t == s.name)) {
                counts.push(copy_table(&src, tx, spec, venue_id, &mut offsets)?);
            }
            for (table, _) in &offsets {
                tx.execute_batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
                ))?;
            }
            tx.execute_batch("SELECT setval(pg_get_serial_sequence('addresses', 'id'), GREATEST((SELECT MAX(id) FROM addresses), 1))")?;
            check_counts(tx, &counts, venue_id)?;
            Ok((venue_id, counts))
        });
        let (venue_id, tables) = report?;
        Ok(CopyReport { venue: self.venue(venue_id)?, tables })
    }
}

/// Copies one table's rows, returning its counts; a remapped table's offset joins `offsets`.
fn copy_table<'a>(
    src: &rusqlite::Connection,
    tx: &Tx<'_>,
    spec: &'a TableSpec,
    venue_id: i64,
    offsets: &mut Vec<(&'a str, i64)>,
) -> Result<TableCount> {
    let target = target_columns(tx, spec.name)?;
    let mut columns: Vec<String> =
        source_columns(src, spec.name)?.into_iter().filter(|c| target.contains(c) && c != "venue_id").collect();
    if spec.how == How::Merge {
        columns.retain(|c| c != "id");
    }
    let offset: i64 = if spec.how == How::Remap {
        tx.query_row(&format!("SELECT COALESCE(MAX(id), 0) FROM {}", spec.name), (), |r| r.get(0))?
    } else {
        0
    };
    if spec.how == How::Remap {
        offsets.push((spec.name, offset));
    }
    let offset_of = |table: &str| offsets.iter().find(|(t, _)| *t == table).map_or(0, |(_, o)| *o);
    // For each column, what to add to it (0: copied as it is).
    let shifts: Vec<i64> = columns
        .iter()
        .map(|c| {
            if c == "id" && spec.how == How::Remap {
                offset
            } else {
                spec.refs.iter().find(|(col, _)| col == c).map_or(0, |(_, t)| offset_of(t))
            }
        })
        .collect();
    let mut names = columns.join(", ");
    if spec.venue {
        names.push_str(", venue_id");
    }
    let width = columns.len() + usize::from(spec.venue);
    let or_ignore = if spec.how == How::Merge { "OR IGNORE " } else { "" };
    // Several rows per statement: one round trip per batch, not per row.
    let insert = |rows: usize| {
        let tuples: Vec<String> = (0..rows)
            .map(|r| {
                let marks: Vec<String> = (1..=width).map(|c| format!("?{}", r * width + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        format!("INSERT {or_ignore}INTO {} ({names}) VALUES {}", spec.name, tuples.join(", "))
    };
    let order = if spec.how == How::Remap { " ORDER BY id" } else { "" };
    let select = format!("SELECT {} FROM {}{order}", columns.join(", "), spec.name);
    let mut stmt = src.prepare(&select).map_err(sqlite_err)?;
    let mut rows = stmt.query([]).map_err(sqlite_err)?;
    let mut count = TableCount { table: spec.name, read: 0, written: 0, merged: 0, id_offset: offset };
    let mut batch: Vec<Value> = Vec::with_capacity(BATCH_ROWS * width);
    let flush = |batch: &mut Vec<Value>, count: &mut TableCount| -> Result<()> {
        let n = batch.len() / width.max(1);
        if n == 0 {
            return Ok(());
        }
        let inserted = tx.prepare_cached(&insert(n))?.execute(&*batch)? as u64;
        count.written += inserted;
        count.merged += n as u64 - inserted.min(n as u64);
        batch.clear();
        Ok(())
    };
    while let Some(row) = rows.next().map_err(sqlite_err)? {
        for (i, shift) in shifts.iter().enumerate() {
            let v = to_value(row.get_ref(i).map_err(sqlite_err)?);
            batch.push(match v {
                Value::Integer(n) if *shift != 0 => Value::Integer(n + shift),
                other => other,
            });
        }
        if spec.venue {
            batch.push(Value::Integer(venue_id));
        }
        count.read += 1;
        if batch.len() >= BATCH_ROWS * width {
            flush(&mut batch, &mut count)?;
        }
    }
    flush(&mut batch, &mut count)?;
    Ok(count)
}

/// Rows read = rows written + rows merged for every table, and the new venue's guests and
/// reservations all arrived under it.
fn check_counts(tx: &Tx<'_>, counts: &[TableCount], venue_id: i64) -> Result<()> {
    for c in counts {
        if c.read != c.written + c.merged {
            return Err(StoreError::Invalid(format!(
                "{}: {} rows read but {} written and {} merged; nothing was copied",
                c.table, c.read, c.written, c.merged
            )));
        }
        if c.table == "guests" || c.table == "reservations" {
            let there: i64 =
                tx.query_row(&format!("SELECT COUNT(*) FROM {} WHERE venue_id = ?1", c.table), [venue_id], |r| {
                    r.get(0)
                })?;
            if there as u64 != c.read {
                return Err(StoreError::Invalid(format!(
                    "{}: {} rows read but {there} found under the new venue; nothing was copied",
                    c.table, c.read
                )));
            }
        }
    }
    Ok(())
}
