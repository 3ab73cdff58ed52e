//! The Postgres schema (`assets/migrations/pg/008_baseline.sql`) on a real server, when
//! `GUESTMAIL_TEST_PG` names one (CI starts one; `tests/harness/README.md` says how by hand):
//! it loads, it says version 8, and what SQLite compares without case (`COLLATE NOCASE`)
//! Postgres compares without case too. Without a server each test prints why it skips.
//! (`tests/harness/compare_schemas.sh` checks it column by column against SQLite's.)

use postgres::error::SqlState;

use crate::support::pg::{self, PgSchema};

const BASELINE: &str = include_str!("../../assets/migrations/pg/008_baseline.sql");

fn schema_or_skip(test: &str) -> Option<PgSchema> {
    let schema = pg::fresh();
    if schema.is_none() {
        eprintln!("skip {test}: {} is not set, no PostgreSQL to test on", pg::ENV);
    }
    schema
}

#[test]
fn pg_schema_url_points_every_connection_at_its_schema() {
    let Some(schema) = schema_or_skip("pg_schema_url_points_every_connection_at_its_schema") else { return };
    let mut a = schema.connect();
    let path: String = a.query_one("SHOW search_path", &[]).unwrap().get(0);
    assert_eq!(path, format!("{},public", schema.name()));
    a.batch_execute("CREATE TABLE probe (x BIGINT); INSERT INTO probe VALUES (7)").unwrap();
    let home: String = a
        .query_one("SELECT table_schema::text FROM information_schema.tables WHERE table_name = 'probe'", &[])
        .unwrap()
        .get(0);
    assert_eq!(home, schema.name());
    // A second connection from the same URL sees it unqualified; another schema does not.
    let seen: i64 = schema.connect().query_one("SELECT x FROM probe", &[]).unwrap().get(0);
    assert_eq!(seen, 7);
    let other = pg::fresh().unwrap();
    let err = other.connect().query_one("SELECT x FROM probe", &[]).unwrap_err();
    assert_eq!(err.code(), Some(&SqlState::UNDEFINED_TABLE), "{err}");
}

#[test]
fn pg_schema_loads_at_version_8() {
    let Some(schema) = schema_or_skip("pg_schema_loads_at_version_8") else { return };
    let mut db = schema.connect();
    db.batch_execute(BASELINE).unwrap();
    let versions: Vec<i64> =
        db.query("SELECT version FROM schema_version", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(versions, [8]);
    // Every table landed in the test's own schema, none in public.
    let tables: i64 = db
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", &[&schema.name()])
        .unwrap()
        .get(0);
    assert_eq!(tables, 13);
}

#[test]
fn pg_schema_compares_addresses_without_case() {
    let Some(schema) = schema_or_skip("pg_schema_compares_addresses_without_case") else { return };
    let mut db = schema.connect();
    db.batch_execute(BASELINE).unwrap();
    let guest: i64 = db
        .query_one("INSERT INTO guests (name, email, created_at) VALUES ('Ana', 'Ana@X.be', 0) RETURNING id", &[])
        .unwrap()
        .get(0);
    let found: Vec<i64> =
        db.query("SELECT id FROM guests WHERE email = $1", &[&"ana@x.be"]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(found, [guest]);
    // The stored spelling is kept as written.
    let stored: String = db.query_one("SELECT email::text FROM guests", &[]).unwrap().get(0);
    assert_eq!(stored, "Ana@X.be");
    // addresses.email is UNIQUE COLLATE NOCASE on SQLite: one row per address, whatever its case.
    db.execute("INSERT INTO addresses (email, updated_at) VALUES ('Ana@X.be', 0)", &[]).unwrap();
    let err = db.execute("INSERT INTO addresses (email, updated_at) VALUES ('ANA@x.be', 0)", &[]).unwrap_err();
    assert_eq!(err.code(), Some(&SqlState::UNIQUE_VIOLATION), "{err}");
    // The store's upsert finds the same row, as on SQLite.
    let added = db
        .execute("INSERT INTO addresses (email, updated_at) VALUES ('ana@X.BE', 1) ON CONFLICT (email) DO NOTHING", &[])
        .unwrap();
    assert_eq!(added, 0);
    // A plain TEXT column stays case-sensitive, as on SQLite.
    let names: i64 = db.query_one("SELECT count(*) FROM guests WHERE name = 'ana'", &[]).unwrap().get(0);
    assert_eq!(names, 0);
}

#[test]
fn pg_schema_keeps_sqlite_rules() {
    let Some(schema) = schema_or_skip("pg_schema_keeps_sqlite_rules") else { return };
    let mut db = schema.connect();
    db.batch_execute(BASELINE).unwrap();
    let check = db
        .execute("INSERT INTO guests (name, email, language, created_at) VALUES ('Bo', 'bo@x.be', 'de', 0)", &[])
        .unwrap_err();
    assert_eq!(check.code(), Some(&SqlState::CHECK_VIOLATION), "{check}");
    let fk = db
        .execute("INSERT INTO reservations (guest_id, starts_at, party_size, status, created_at, updated_at) VALUES (999, '2037-06-05 19:30', 2, 'pending', 0, 0)", &[])
        .unwrap_err();
    assert_eq!(fk.code(), Some(&SqlState::FOREIGN_KEY_VIOLATION), "{fk}");
    // events are append-only: naming kind in an UPDATE is refused, other columns are not.
    db.execute("INSERT INTO events (kind, at) VALUES ('note', 1)", &[]).unwrap();
    let err = db.execute("UPDATE events SET kind = 'other'", &[]).unwrap_err();
    assert!(err.to_string().contains("append-only") || format!("{err:?}").contains("append-only"), "{err:?}");
    assert_eq!(db.execute("UPDATE events SET detail = 'erased'", &[]).unwrap(), 1);
    // sending_pause holds at most the row with id 1.
    let pause =
        "INSERT INTO sending_pause (id, reason, detail, since, last_at, retry_at) VALUES ($1, 'r', 'd', 0, 0, 0)";
    db.execute(pause, &[&1_i64]).unwrap();
    let second = db.execute(pause, &[&2_i64]).unwrap_err();
    assert_eq!(second.code(), Some(&SqlState::CHECK_VIOLATION), "{second}");
}
