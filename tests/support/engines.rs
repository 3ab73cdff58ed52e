//! Running one test on both store engines: SQLite always, PostgreSQL when
//! `GUESTMAIL_TEST_PG` names a server (see [`super::pg`]); without one the PostgreSQL half
//! says it is skipped and passes.
//!
//! A test written as `fn name(engine: Engine)` is listed once in [`both_engines!`], which
//! makes the tests `name::sqlite` and `name::postgres`.
#![allow(dead_code)]

use std::path::PathBuf;

use super::pg::{self, PgSchema};

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh, empty store location for one test: a file in a temporary folder, or a schema of
/// its own on the test server (dropped with this value).
pub struct Db {
    pub location: PathBuf,
    pub dir: tempfile::TempDir,
    pub schema: Option<PgSchema>,
}

impl Db {
    /// A new location on `engine`; `None` for PostgreSQL when no server is named.
    pub fn fresh(engine: Engine) -> Option<Db> {
        let dir = tempfile::tempdir().expect("tempdir");
        match engine {
            Engine::Sqlite => Some(Db { location: dir.path().join("guestmail.db"), dir, schema: None }),
            Engine::Postgres => {
                let schema = pg::fresh()?;
                Some(Db { location: PathBuf::from(schema.url()), dir, schema: Some(schema) })
            }
        }
    }
}

/// Whether a PostgreSQL test can run; says why not when it cannot.
pub fn postgres_or_skip(test: &str) -> bool {
    if pg::server().is_some() {
        return true;
    }
    eprintln!("{test}::postgres skipped: {} names no PostgreSQL server", pg::ENV);
    false
}

/// `both_engines!(a, b)`: for each `fn a(engine: Engine)` in scope, the tests `a::sqlite`
/// and `a::postgres`.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::support::engines::Engine::Sqlite);
            }

            #[test]
            fn postgres() {
                if $crate::support::engines::postgres_or_skip(stringify!($name)) {
                    super::$name($crate::support::engines::Engine::Postgres);
                }
            }
        }
    )+};
}
