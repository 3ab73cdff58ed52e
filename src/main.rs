//! guestmail: the host stand's view of every reservation email, and the tools to act on it.
//!
//! # Architecture
//!
//! Threads, not an async runtime: SQLite, lettre's blocking SMTP transport and the small
//! HTTP endpoint all block, and each thread opens its own SQLite connection (WAL mode).
//! Imports point one way, from plain types up to the screen:
//!
//! ```text
//! domain      plain types and rules: statuses, email kinds, markers, address checks
//! diagnostic_words  the words servers and bounce reports use, by reason: one table
//! failure     the one classifier of sending failures: the guest's, the venue's, transient
//! journey     the journey policy: which emails a change queues (and when they fall due),
//!             which it withdraws, which actions it refuses or asks about; the one place
//! provider_id the email service provider's own id in the text of its accepting 250
//! venue       venues' rules: one sender per venue (refusal, suggestion), which venue
//!             a command works on
//! clock       the venue's clock (named time zone): wall-clock times <-> UTC ms
//! locale      weekday and month names in en/fr/nl, for the screen and the emails
//! tls         TLS trust for the servers guestmail connects to itself (IMAP, PostgreSQL)
//!   ^
//! store/      every SQL statement: migrations, reservations, messages, events, addresses,
//!   ^         outbox claims (group commit, asking the journey per email; on PostgreSQL
//!             FOR UPDATE SKIP LOCKED, and workers' leases + in-flight marks in outbox/lease.rs),
//!             the journey's plans applied (plans.rs), resends and held emails, import
//!             de-duplication, opens, bounces, providers' events (esp.rs), demo bulk writes;
//!             where it lives (location.rs: a file or a postgres:// URL, pg_tls.rs: sslmode)
//! mail/       compose (templates -> MIME), outbox worker + liveness (SQLite: lock files and
//!             in-flight marks; PostgreSQL: a lease renewed by a heartbeat), transports (SMTP over lettre's connection, bounded waits; Maildir);
//!             a venue problem pauses sending (store/pause.rs)
//! tracker/    the tracking-pixel HTTP endpoint (mio event loops, bounded queue), batched
//!             open writer, the one table of who fetched a pixel (person, proxy, machine)
//!             with the published address ranges of assets/ranges/ (tracker/ranges.rs);
//!             tracker/hooks/: the email service providers' event hooks (SES through SNS,
//!             Postmark, Mailgun, SendGrid), handed off the event loops to hook threads
//!             that check signatures and record through the store (store/esp.rs)
//! bounce/     bounce parsing (DSN, ARF, SES, vendor text), classes, plain-language
//!             explanations, Maildir ingestion (bounded reads; one watcher per database),
//!             IMAP mailboxes (imap/: settings, connect, one pass, the watch loop;
//!             mailbox_url.rs)
//! replies/    guest replies read from the venue's mailbox (read-only), tied to our emails
//! lockfile    one holder at a time across processes (flock), e.g. the bounce watcher
//! demo, import  demo data and CSV import (through the store)
//!   ^
//! data        the data thread's requests and answers (Command -> Outcome) and `execute`:
//!             staff commands and the panes' look-ups, run on their own SQLite connection
//! theme       colours and glyphs (NO_COLOR), for panes/ and ui/ alike
//!   ^
//! action, event, keymap, strings/   the one Action enum, the event channel, the key list,
//!             every user-facing text in en, fr and nl (texts named by an enum are one
//!             `match` per language in strings/names.rs)
//! panes/      the history panes as pure widgets over their own state structs (guest
//!             history, communication history, follow-up list, delivery health), with
//!             the one Selection type they share
//!   ^
//! app/        App state: the day's list and the overlay stack over it (app/overlay.rs:
//!             filter prompt, panes, popups; the top one takes keys, Esc, clicks);
//!             keys -> Action -> update (one exhaustive match), outcomes from the data
//!             thread (one exhaustive match)
//!   ^
//! ui/         drawing, a pure function of App: the list, then each overlay bottom first;
//!             one file per pane or popup
//! tui         the terminal runner: raw mode, event loop, data thread, restore on panic;
//!             tui/services.rs runs the outbox worker, the tracker and the bounce watcher in
//!             the TUI process
//!   ^
//! cli/        one file per command (clap); main.rs only parses and dispatches.
//!             `reservation` and `resend` are the journey's scriptable side (JSON, exit 3)
//!             `serve` runs worker + tracker + bounce watcher until SIGTERM
//! ```
//!
//! stdout carries data (JSON lines, summaries); logs go to a file beside the database,
//! never to the terminal the TUI owns.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = guestmail::cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("guestmail: {e:#}");
            ExitCode::FAILURE
        }
    }
}
