//! Bounce handling against real files and databases, in one test binary: ingestion from a
//! Maildir, the shared corpus of real reports, and the `bounce` command.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod corpus;
mod ingest;
