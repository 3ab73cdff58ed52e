//! Bounce handling against real files and databases, in one test binary: ingestion from a
//! Maildir, the IMAP mailbox's bookkeeping, the shared corpus of real reports, and the
//! `bounce` command. The store's side runs on both engines (`support::engines`).

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod corpus;
mod ingest;
mod mailbox;
mod watch_lock;
