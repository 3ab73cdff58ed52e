//! The tests' Postgres server: the one `GUESTMAIL_TEST_PG` names (`.ci/run` starts a private
//! one with tests/harness/postgres.sh; see tests/harness/README.md to start one by hand), and a
//! fresh schema on it per test, so tests sharing the server never see each other's rows.
//!
//! Every connection made with [`PgSchema::url`] works in that schema: the URL carries the
//! server option `-c search_path=t_<hex>,public` (libpq's `options` parameter, which the
//! `postgres` crate reads too). The extensions the schema needs (`citext`, `pg_trgm`) live in
//! `public`, created once per database, so every test schema can use them.

use postgres::error::SqlState;
use postgres::{Client, NoTls};
use ring::rand::{SecureRandom as _, SystemRandom};

/// The variable naming the test server, e.g. `postgres://guestmail:guestmail@127.0.0.1:15432/guestmail`.
pub const ENV: &str = "GUESTMAIL_TEST_PG";

/// The extensions assets/migrations/pg/ uses, created in `public` before any test schema.
const EXTENSIONS: &[&str] = &["citext", "pg_trgm"];

/// The URL in `GUESTMAIL_TEST_PG`, or `None` when it is unset or empty.
pub fn server() -> Option<String> {
    std::env::var(ENV).ok().filter(|url| !url.trim().is_empty())
}

/// A schema of its own on the test server, dropped (with everything in it) on drop.
pub struct PgSchema {
    url: String,
    admin_url: String,
    name: String,
}

impl PgSchema {
    /// A URL whose every connection works in this schema (then in `public`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema's name, `t_` and 16 hex digits.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection working in this schema.
    pub fn connect(&self) -> Client {
        Client::connect(&self.url, NoTls).unwrap_or_else(|e| panic!("connect to the test schema {}: {e}", self.name))
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.admin_url, NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// A fresh, empty schema on the server `GUESTMAIL_TEST_PG` names, or `None` when it names
/// none. Panics when the server is named but cannot be used: a test must not pass quietly
/// on a broken set-up.
pub fn fresh() -> Option<PgSchema> {
    let admin_url = server()?;
    let mut client = Client::connect(&admin_url, NoTls)
        .unwrap_or_else(|e| panic!("connect to the server {ENV} names (not printed: it holds a password): {e}"));
    for extension in EXTENSIONS {
        create_extension(&mut client, extension);
    }
    let name = format!("t_{}", random_hex());
    client.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap_or_else(|e| panic!("create schema {name}: {e}"));
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{separator}options=-c%20search_path%3D{name},public");
    Some(PgSchema { url, admin_url, name })
}

/// `CREATE EXTENSION IF NOT EXISTS` in `public`. Two tests creating it at once can both find
/// it missing, and the slower then fails on the catalog's unique index: once it exists,
/// the second try is a no-op.
fn create_extension(client: &mut Client, extension: &str) {
    let sql = format!("CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public");
    if let Err(first) = client.batch_execute(&sql) {
        let raced =
            matches!(first.code(), Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::DUPLICATE_OBJECT);
        assert!(raced, "create extension {extension}: {first}");
        client.batch_execute(&sql).unwrap_or_else(|e| panic!("create extension {extension} (second try): {e}"));
    }
}

/// 16 hex digits from the system's random source.
fn random_hex() -> String {
    let mut bytes = [0u8; 8];
    SystemRandom::new().fill(&mut bytes).expect("system random source");
    hex::encode(bytes)
}
