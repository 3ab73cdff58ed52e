//! One small API over the store's two database engines, SQLite (the embedded default) and
//! PostgreSQL (a venue group's shared server), so the store writes each statement once.
//!
//! The API follows rusqlite's shape (`prepare_cached(sql)?.query_row(params, |row| …)`),
//! which the store was written against: a [`Conn`] prepares [`Stmt`]s, binds [`Params`],
//! and hands each result [`Row`] to a closure that reads columns through [`FromValue`].
//! SQLite runs the SQL as written; PostgreSQL runs it through [`dialect::to_postgres`].
//! A [`Tx`] is an open transaction that dereferences to its connection: it rolls back when
//! dropped uncommitted. Write transactions are `BEGIN IMMEDIATE` on SQLite (one writer at a
//! time) and `SERIALIZABLE` on PostgreSQL, so the store's read-then-write logic keeps the
//! meaning it has on SQLite; a lost race on either engine is [`Error::is_retryable`].

pub mod dialect;
mod pg;
pub mod value;

use std::cell::Cell;
use std::ops::Deref;

pub use pg::PgConn;
pub use value::{FromValue, Params, ToParam, Value, ValueRef};

/// Builds a statement's parameters from expressions of different types (`?1`, `?2`, …).
macro_rules! params {
    () => { () };
    ($($p:expr),+ $(,)?) => { [$(&$p as &dyn $crate::store::engine::ToParam),+] };
}
pub(crate) use params;

/// The channel every PostgreSQL write notifies on commit: the screens listen to it.
pub const CHANGE_CHANNEL: &str = "guestmail_changes";

/// The text says the cause (no `source`: `{:#}` would repeat it).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Sqlite(rusqlite::Error),
    #[error("{}", pg_message(.0))]
    Postgres(postgres::Error),
    #[error("no row where one was expected")]
    NoRows,
    #[error("column {column}: {message}")]
    Conversion { column: usize, message: String },
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sqlite(e)
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

/// postgres's errors say "db error" and keep the server's message in their source.
fn pg_message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("PostgreSQL: {} ({})", db.message(), db.code().code());
    }
    // The client's error says what failed; its sources, why.
    let mut text = format!("PostgreSQL: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

impl Error {
    /// A lost race for a lock or a serialization conflict: running the whole transaction
    /// again is the cure.
    pub fn is_retryable(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            Error::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            Error::Postgres(e) => e.code().is_some_and(|c| {
                *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::LOCK_NOT_AVAILABLE
            }),
            _ => false,
        }
    }

    /// A UNIQUE constraint refused the row.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Error::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            Error::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `.optional()` on a single-row query: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows | Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Which engine a connection runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// One open connection.
pub struct Conn {
    inner: Inner,
    /// Changes seen through notifications (PostgreSQL), for [`Conn::data_version`].
    notified: Cell<i64>,
    listening: Cell<bool>,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

impl Conn {
    pub fn sqlite(conn: rusqlite::Connection) -> Self {
        Conn { inner: Inner::Sqlite(conn), notified: Cell::new(0), listening: Cell::new(false) }
    }

    pub fn postgres(conn: PgConn) -> Self {
        Conn { inner: Inner::Postgres(Box::new(conn)), notified: Cell::new(0), listening: Cell::new(false) }
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for the pragmas and checks only SQLite has.
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    pub fn as_postgres(&self) -> Option<&PgConn> {
        match &self.inner {
            Inner::Sqlite(_) => None,
            Inner::Postgres(c) => Some(c),
        }
    }

    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(match &self.inner {
            Inner::Sqlite(c) => Stmt::Sqlite(c.prepare_cached(sql)?),
            Inner::Postgres(c) => Stmt::Postgres { conn: c, sql: sql.to_owned() },
        })
    }

    /// A statement used once (not kept in SQLite's statement cache).
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(match &self.inner {
            Inner::Sqlite(c) => Stmt::SqliteOnce(c.prepare(sql)?),
            Inner::Postgres(c) => Stmt::Postgres { conn: c, sql: sql.to_owned() },
        })
    }

    pub fn query_row<T>(&self, sql: &str, params: impl Params, f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Several statements with no parameters, run as written (no dialect rewriting).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch(sql)?,
            Inner::Postgres(c) => c.batch(sql)?,
        }
        Ok(())
    }

    /// The id the last `INSERT` on this connection gave its row.
    pub fn last_insert_rowid(&self) -> Result<i64> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.last_insert_rowid()),
            Inner::Postgres(_) => self.query_row("SELECT lastval()", (), |r| r.get(0)),
        }
    }

    /// Opens a write transaction (see the module's header).
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Inner::Postgres(c) => c.batch("BEGIN ISOLATION LEVEL SERIALIZABLE")?,
        }
        Ok(Tx { conn: self, open: true })
    }

    /// Opens a transaction that relies on row locks (`FOR UPDATE SKIP LOCKED`) rather than
    /// on serializability: the outbox's claims, where several workers must not wait on or
    /// abort each other. SQLite has one writer anyway.
    pub fn begin_locking(&mut self) -> Result<Tx<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Inner::Postgres(c) => c.batch("BEGIN ISOLATION LEVEL READ COMMITTED")?,
        }
        Ok(Tx { conn: self, open: true })
    }

    /// A number that changes when another connection commits a change: SQLite's
    /// `data_version`; on PostgreSQL, the count of change notifications received (the
    /// first call starts listening, and reading them never queries the server).
    pub fn data_version(&self) -> Result<i64> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?),
            Inner::Postgres(c) => {
                if !self.listening.get() {
                    c.batch(&format!("LISTEN {CHANGE_CHANNEL}"))?;
                    self.listening.set(true);
                }
                let seen = c.pending_notifications()? as i64;
                self.notified.set(self.notified.get() + seen);
                Ok(self.notified.get())
            }
        }
    }
}

/// An open transaction; dropped without [`Tx::commit`], it rolls back.
pub struct Tx<'c> {
    conn: &'c Conn,
    open: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        let done = match &self.conn.inner {
            Inner::Sqlite(c) => c.execute_batch("COMMIT").map_err(Error::from),
            // Screens on other terminals hear about the change when it commits.
            Inner::Postgres(c) => c.batch(&format!("NOTIFY {CHANGE_CHANNEL}; COMMIT")).map_err(Error::from),
        };
        if done.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        done
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Deref for Tx<'_> {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        self.conn
    }
}

/// A prepared statement.
pub enum Stmt<'s> {
    Sqlite(rusqlite::CachedStatement<'s>),
    SqliteOnce(rusqlite::Statement<'s>),
    Postgres { conn: &'s PgConn, sql: String },
}

/// Binds the engine's values to a SQLite statement.
struct Bind<'a>(ValueRef<'a>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ValueRef as V;
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match self.0 {
            ValueRef::Null => V::Null,
            ValueRef::Integer(i) => V::Integer(i),
            ValueRef::Real(f) => V::Real(f),
            ValueRef::Text(t) => V::Text(t.as_bytes()),
            ValueRef::Blob(b) => V::Blob(b),
        }))
    }
}

fn sqlite_params<'a>(values: &'a [ValueRef<'a>]) -> rusqlite::ParamsFromIter<impl Iterator<Item = Bind<'a>>> {
    rusqlite::params_from_iter(values.iter().map(|v| Bind(*v)))
}

impl<'s> Stmt<'s> {
    fn sqlite(&mut self) -> Option<&mut rusqlite::Statement<'s>> {
        match self {
            Stmt::Sqlite(s) => Some(s),
            Stmt::SqliteOnce(s) => Some(s),
            Stmt::Postgres { .. } => None,
        }
    }

    /// The rows of a PostgreSQL statement, `None` on SQLite.
    fn postgres_rows(&self, values: &[ValueRef<'_>]) -> Option<Result<Vec<postgres::Row>>> {
        match self {
            Stmt::Postgres { conn, sql } => Some(conn.query(sql, values).map_err(Error::from)),
            Stmt::Sqlite(_) | Stmt::SqliteOnce(_) => None,
        }
    }

    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        let values = params.values();
        match self {
            Stmt::Postgres { conn, sql } => return Ok(conn.execute(sql, &values)? as usize),
            Stmt::Sqlite(_) | Stmt::SqliteOnce(_) => {}
        }
        let stmt = self.sqlite().ok_or(Error::NoRows)?;
        Ok(stmt.execute(sqlite_params(&values))?)
    }

    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let values = params.values();
        let mut out = Vec::new();
        if let Some(rows) = self.postgres_rows(&values) {
            for row in rows? {
                out.push(f(&Row(RowInner::Postgres(&row))));
            }
            return Ok(out.into_iter());
        }
        let stmt = self.sqlite().ok_or(Error::NoRows)?;
        let mut rows = stmt.query(sqlite_params(&values))?;
        while let Some(row) = rows.next()? {
            out.push(f(&Row(RowInner::Sqlite(row))));
        }
        Ok(out.into_iter())
    }

    pub fn query_row<T>(&mut self, params: impl Params, f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        let values = params.values();
        if let Some(rows) = self.postgres_rows(&values) {
            let rows = rows?;
            let row = rows.first().ok_or(Error::NoRows)?;
            return f(&Row(RowInner::Postgres(row)));
        }
        let stmt = self.sqlite().ok_or(Error::NoRows)?;
        let mut rows = stmt.query(sqlite_params(&values))?;
        let row = rows.next()?.ok_or(Error::NoRows)?;
        f(&Row(RowInner::Sqlite(row)))
    }

    pub fn exists(&mut self, params: impl Params) -> Result<bool> {
        self.query_row(params, |_| Ok(())).optional().map(|r| r.is_some())
    }
}

/// One result row.
pub struct Row<'a>(RowInner<'a>);

enum RowInner<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

/// A column's position (the store reads columns by position only).
pub trait ColumnIndex {
    fn index(self) -> usize;
}

impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

impl Row<'_> {
    pub fn get<I: ColumnIndex, T: FromValue>(&self, idx: I) -> Result<T> {
        let column = idx.index();
        let convert = |v: ValueRef<'_>| T::from_value(v).map_err(|e| Error::Conversion { column, message: e.message });
        match &self.0 {
            RowInner::Sqlite(r) => {
                use rusqlite::types::ValueRef as V;
                let value = match r.get_ref(column)? {
                    V::Null => ValueRef::Null,
                    V::Integer(i) => ValueRef::Integer(i),
                    V::Real(f) => ValueRef::Real(f),
                    V::Text(t) => ValueRef::Text(
                        std::str::from_utf8(t).map_err(|e| Error::Conversion { column, message: e.to_string() })?,
                    ),
                    V::Blob(b) => ValueRef::Blob(b),
                };
                convert(value)
            }
            RowInner::Postgres(r) => convert(pg::cell(r, column)?),
        }
    }

    /// A conversion error for column `idx` (a text that does not parse as the domain type).
    pub fn invalid(idx: usize, e: impl std::fmt::Display) -> Error {
        Error::Conversion { column: idx, message: e.to_string() }
    }
}
