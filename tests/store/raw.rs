//! The database behind the store's back, through the engine's own client: for a fixture the
//! store has no API for (moving rows back in time, a schema version from the future).

use crate::support::engines::Db;

/// Runs one statement without parameters; returns the rows it changed.
pub fn execute(db: &Db, sql: &str) -> u64 {
    match &db.schema {
        Some(schema) => schema.connect().execute(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")),
        None => rusqlite::Connection::open(&db.location)
            .and_then(|c| c.execute(sql, []))
            .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64,
    }
}

/// One integer from a query without parameters.
pub fn query_i64(db: &Db, sql: &str) -> i64 {
    match &db.schema {
        Some(schema) => schema.connect().query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")).get(0),
        None => rusqlite::Connection::open(&db.location)
            .and_then(|c| c.query_row(sql, [], |r| r.get(0)))
            .unwrap_or_else(|e| panic!("{sql}: {e}")),
    }
}
