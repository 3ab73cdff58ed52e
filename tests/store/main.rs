//! The store against real SQLite files, in one test binary: reservations and emails, the
//! journey's plans applied in the same transaction, the history and communication-history
//! queries and their plans, the demo's journey, the privacy of the files, and the Postgres
//! schema (when `GUESTMAIL_TEST_PG` names a server).

#[path = "../support/mod.rs"]
mod support;

mod basics;
mod demo_journey;
mod history;
mod history_comm;
mod history_plans;
mod journey;
mod migrate_store;
mod pg_schema;
mod pg_statements;
mod privacy;
mod query_plans;
mod venues;
