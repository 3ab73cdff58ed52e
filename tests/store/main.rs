//! The store in one test binary: reservations and emails, the journey's plans applied in
//! the same transaction, the history and communication-history queries, the demo's journey.
//! Each of those runs on both engines (`both_engines!` of `support::engines`: `name::sqlite`
//! always, `name::postgres` when `GUESTMAIL_TEST_PG` names a server). SQLite's own matters
//! stay SQLite-only: query plans, the file's privacy, WAL and `user_version`. PostgreSQL's
//! own: the baseline schema (`pg_schema`) and every statement preparing there
//! (`pg_statements`).

#[path = "../support/mod.rs"]
mod support;

// Every store statement on PostgreSQL, and the fixtures behind the store's back.
mod pg_statements;
mod pg_tls;
mod raw;

mod basics;
mod demo_journey;
mod history;
mod history_comm;
mod history_plans;
mod journey;
mod migrate_store;
mod pg_schema;
mod privacy;
mod query_plans;
mod venues;
