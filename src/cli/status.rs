//! `guestmail status`: the background's health as one JSON object, for monitoring. Exits 1
//! when unhealthy (the database is missing, cannot be opened, is damaged or read-only; sending
//! paused).
//!
//! `{"healthy", "problems": [..], "database": {"path", "ok", "read_only", "check"},
//!   "emails": {state: count}, "sending_paused": null | {..}, "tracker": {"listen", "up"},
//!   "last_bounce_at": RFC 3339 | null,
//!   "mailboxes": [{"role", "mailbox", "state", "since", "updated_at", "detail"}]}`
//!
//! A mailbox whose login was refused is a problem at once (the venue's credentials); one
//! whose connection is lost becomes one after [`LOST_TOO_LONG`] (a server restarting is not).

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

/// How long a mailbox may stay unreachable before `status` calls it a problem.
const LOST_TOO_LONG: i64 = 10 * 60 * 1000;

pub fn run(ctx: &Context, _args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let mut problems: Vec<String> = Vec::new();
    let db = &ctx.paths.db;
    // No database there (a wrong --db or GUESTMAIL_DB): say so, and do not create an empty
    // one that the next check would find healthy.
    let on_server = crate::store::Location::from(db).is_postgres();
    let exists = on_server || db.exists();
    // Read-only: the file (or its folder, where SQLite puts the WAL) cannot be written.
    let read_only = !on_server
        && exists
        && (std::fs::OpenOptions::new().write(true).open(db).is_err()
            || db.parent().and_then(|d| std::fs::metadata(d).ok()).is_some_and(|m| m.permissions().readonly()));
    if read_only {
        problems.push("the database is read-only: nothing can be sent or recorded".into());
    }
    let mut database = json!({ "path": ctx.paths.db_shown(), "read_only": read_only });
    let mut emails = serde_json::Map::new();
    let mut last_bounce = Value::Null;
    let mut sending_paused = Value::Null;
    let mut mailboxes = Vec::new();
    let store = if exists { ctx.open_store() } else { Err(anyhow::anyhow!("no database at {}", ctx.paths.db_shown())) };
    match store {
        Ok(store) => {
            let check = store.quick_check().unwrap_or_else(|e| e.to_string());
            if check != "ok" {
                problems.push(format!("the database is damaged: {check}"));
            }
            database["check"] = json!(check);
            match store.count_by_state() {
                Ok(counts) => {
                    for (state, n) in counts {
                        emails.insert(state.to_string(), json!(n));
                    }
                }
                Err(e) => problems.push(format!("cannot count the emails: {e}")),
            }
            match store.sending_pause() {
                Ok(Some(p)) => {
                    let line = crate::strings::pause::line(ctx.config.language, p.reason, &p.detail);
                    problems.push(format!("sending is paused: {line}"));
                    let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339());
                    sending_paused = json!({
                        "reason": format!("{:?}", p.reason),
                        "line": line,
                        "since": at(p.since),
                        "next_try": at(p.retry_at),
                        "attempts": p.attempts,
                    });
                }
                Ok(None) => {}
                Err(e) => problems.push(format!("cannot read the sending pause: {e}")),
            }
            let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339());
            match store.mailbox_standings() {
                Ok(standings) => {
                    let now = crate::store::now_ms();
                    for m in standings {
                        let since = at(m.since).unwrap_or_default();
                        match m.state.as_str() {
                            "refused" => {
                                problems.push(format!("{}: login refused since {since}: {}", m.role, m.detail));
                            }
                            "lost" if now - m.since > LOST_TOO_LONG => {
                                problems.push(format!("{}: unreachable since {since}: {}", m.role, m.detail));
                            }
                            _ => {}
                        }
                        mailboxes.push(json!({
                            "role": m.role,
                            "mailbox": m.mailbox,
                            "state": m.state,
                            "since": since,
                            "updated_at": at(m.updated_at),
                            "detail": m.detail,
                        }));
                    }
                }
                Err(e) => problems.push(format!("cannot read the mailboxes' standing: {e}")),
            }
            if let Ok(Some(at)) = store.last_bounce_at() {
                last_bounce =
                    chrono::DateTime::from_timestamp_millis(at).map_or(Value::Null, |t| json!(t.to_rfc3339()));
            }
        }
        Err(e) => {
            problems.push(format!("{e:#}"));
            database["check"] = json!(format!("{e:#}"));
        }
    }
    database["ok"] = json!(!read_only && database["check"] == json!("ok"));
    let listen = &ctx.config.tracking_listen;
    let tracker_up = crate::tracker::guestmail_answers(listen, Duration::from_secs(1));
    let status = json!({
        "healthy": problems.is_empty(),
        "problems": problems,
        "database": database,
        "emails": emails,
        "sending_paused": sending_paused,
        "tracker": { "listen": listen, "up": tracker_up },
        "last_bounce_at": last_bounce,
        "mailboxes": mailboxes,
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{status}")?;
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
