//! One test body, both engines: [`both_engines!`] turns
//! `fn name(db) { … }` into a module `name` with two tests, `name::sqlite` (always) and
//! `name::postgres` (when `GUESTMAIL_TEST_PG` names a server; otherwise it prints why it
//! skipped and passes). They run in parallel, and a failure names its engine.
//!
//! The body gets `db: &Db`: a SQLite file in a fresh temporary directory, or a fresh schema
//! on the test server ([`super::pg::fresh`]). [`Db::path`] is what `Store::open` takes in
//! either case (a path, or the schema's `postgres://` URL, which `Location` recognises), and
//! [`Db::arg`] is what the real binary takes after `--db`. [`Db::dir`] is a temporary
//! directory for the test's other files (a Maildir, an outbox), present on both engines.

use std::path::{Path, PathBuf};

use super::pg::{self, PgSchema};

/// Where one run of a test keeps its store.
pub struct Db {
    path: PathBuf,
    dir: tempfile::TempDir,
    /// Dropped last (fields drop in order): the schema outlives nothing that uses it.
    pg: Option<PgSchema>,
}

impl Db {
    /// A SQLite file, `g.db`, in a fresh temporary directory (not created yet).
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        Db { path: dir.path().join("g.db"), dir, pg: None }
    }

    /// A fresh schema on the test server, or `None` (after saying so) when there is none.
    pub fn postgres(test: &str) -> Option<Db> {
        let Some(schema) = pg::fresh() else {
            println!("skipped {test}: set {} to run it on PostgreSQL", pg::ENV);
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        Some(Db { path: PathBuf::from(schema.url()), dir, pg: Some(schema) })
    }

    /// What `Store::open` takes: the file, or the schema's URL.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the binary takes after `--db`.
    pub fn arg(&self) -> &str {
        self.path.to_str().expect("a UTF-8 database location")
    }

    /// A temporary directory for the test's other files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// The schema, on PostgreSQL (for raw checks through its own client).
    pub fn schema(&self) -> Option<&PgSchema> {
        self.pg.as_ref()
    }

    /// One integer from a query without parameters, through the engine's own client.
    pub fn query_i64(&self, sql: &str) -> i64 {
        match &self.pg {
            Some(schema) => schema.connect().query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")).get(0),
            None => rusqlite::Connection::open(&self.path)
                .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
        }
    }

    /// Runs one statement without parameters behind the store's back (a test moving its
    /// fixture in time), through the engine's own client; returns the rows it changed.
    pub fn execute(&self, sql: &str) -> u64 {
        match &self.pg {
            Some(schema) => schema.connect().execute(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")),
            None => rusqlite::Connection::open(&self.path)
                .and_then(|c| c.execute(sql, []))
                .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64,
        }
    }
}

/// `both_engines! { fn name(db) { … } }`: the body runs once per engine, `db: &Db`.
/// Attributes before `fn` (doc comments, `#[cfg(unix)]`) go on both tests.
// Test binaries that include `support` without using it would otherwise warn.
#[allow(unused_macros)]
macro_rules! both_engines {
    ($(#[$meta:meta])* fn $name:ident($db:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let owned = $crate::support::engines::Db::sqlite();
                let $db: &$crate::support::engines::Db = &owned;
                $body
            }

            #[test]
            fn postgres() {
                let Some(owned) = $crate::support::engines::Db::postgres(module_path!()) else { return };
                let $db: &$crate::support::engines::Db = &owned;
                $body
            }
        }
    };
    ($($(#[$meta:meta])* fn $name:ident($db:ident) $body:block)+) => {
        $($crate::support::engines::both_engines! { $(#[$meta])* fn $name($db) $body })+
    };
}
#[allow(unused_imports)]
pub(crate) use both_engines;
