//! Taking bounces in from an IMAP mailbox (`bounce_mailbox`): a hosted mailbox (Google
//! Workspace, Microsoft 365, the provider's IMAP) instead of a Maildir on this machine.
//!
//! The client is the `imap` crate (3.x, jonhoo/rust-imap): blocking, over any `Read + Write`
//! stream, so it runs on our threads like the rest of guestmail (no async runtime, which
//! `async-imap` would need), with IDLE, MOVE and UID commands. Its own TLS features would
//! bring a second TLS stack (native-tls or rustls-connector); it is built without them and
//! handed our own rustls stream instead (the rustls lettre already uses, ring provider, the
//! Mozilla roots plus `mailbox_ca_file`). STARTTLS is done here before the client takes the
//! stream, and is required on `imap://` unless `?tls=none` names a loopback server.
//!
//! Each pass lists the folder's UIDs, takes in those not yet looked at under the folder's
//! UIDVALIDITY (the store remembers each one with what it was, in the same transaction as
//! the report), then moves the bounces to `bounce_processed_folder` (created if missing), or
//! flags them `\Seen \Flagged` where moving is not allowed. Anything that is not a report is
//! left alone, unread (BODY.PEEK). A report's own Message-ID is its key in `processed_mail`,
//! so a new UIDVALIDITY (a rebuilt mailbox) re-reads messages but counts nothing twice.
//! Between passes the watcher IDLEs where the server offers it, else polls.
//!
//! A lost connection is retried after 1, 2, 5, 10, 30 then every 60 seconds; a refused login
//! is the venue's problem (retried after 1, 2, 5, then every 10 minutes), said on the screen
//! and in the log, never a crash loop ([`Retry`]). Each change is told to the caller as a
//! [`Status`]: `Lost` or `Refused` after each failed try, `Watching` after each login, which
//! the screen takes as "back on" (its status line clears the trouble). A password from a
//! file is read again before each login, and a change to that file ends the wait after a
//! refused login at once: a venue that fixes it is heard within a second, without a restart.
//! The password is never logged.
//!
//! The files: `settings` (what a watcher is given), `connect` (TCP, TLS, login), `pass` (one
//! pass over the folder); here, the watch loop.

mod connect;
mod pass;
mod settings;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use super::mailbox_url::{MailboxUrl, Security};
use super::watch_lock::WatchLock;
use crate::store::Store;
pub use connect::{Failure, Session, Stream, connect};
use pass::Folder;
pub use pass::Pass;
pub use settings::{MailboxSettings, Retry, Role};

/// How often the watcher polls a server without IDLE.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// How long one IDLE lasts before the watcher looks at its stop flag (and IDLEs again).
const IDLE_SLICE: Duration = Duration::from_secs(2);

/// A full pass even without news, in case a notification was missed.
const IDLE_FULL_PASS: Duration = Duration::from_mins(1);

/// What the watcher tells the screen and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Logged in and watching (`idle`: with IDLE, else polling).
    Watching { idle: bool },
    /// The connection was lost or could not be made; retried after `retry`.
    Lost { why: String, retry: Duration },
    /// The login was refused: the venue's credentials; retried after `retry`.
    Refused { why: String, retry: Duration },
}

/// What one watcher did, when it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchReport {
    pub sessions: usize,
    pub passes: usize,
    pub bounces: usize,
    pub not_bounces: usize,
    pub replies: usize,
    pub stood_by: usize,
}

/// One session: log in, select, pass, then IDLE (or poll) and pass again, until `stop`.
fn run_session(
    stop: &AtomicBool,
    store: &mut Store,
    settings: &MailboxSettings,
    report: &mut WatchReport,
    on_status: &mut dyn FnMut(&Status),
) -> Result<(), Failure> {
    let mut session = connect(settings)?;
    report.sessions += 1;
    let caps = session.capabilities()?;
    let (idle, can_move, uidplus) = (caps.has_str("IDLE"), caps.has_str("MOVE"), caps.has_str("UIDPLUS"));
    drop(caps);
    let replies = settings.role == Role::Replies;
    let processed = &settings.processed_folder;
    let processed_ok = !replies
        && match session.list(None, Some(processed)) {
            Ok(names) if names.iter().any(|n| n.name() == processed) => true,
            _ => match session.create(processed) {
                Ok(()) => {
                    tracing::info!(folder = processed, "created the folder for processed bounces");
                    true
                }
                Err(e) => {
                    tracing::warn!(folder = processed, error = %e, "cannot create the folder for processed bounces; flagging them instead");
                    false
                }
            },
        };
    // The venue's own mailbox is only ever EXAMINEd: read only, no flag changes.
    let mailbox =
        if replies { session.examine(&settings.url.folder)? } else { session.select(&settings.url.folder)? };
    let folder = Folder {
        settings,
        name: settings.url.name(),
        uidvalidity: mailbox.uid_validity.unwrap_or(0),
        can_move,
        uidplus,
        processed_ok,
    };
    tracing::info!(mailbox = %folder.name, uidvalidity = folder.uidvalidity, idle, can_move, role = ?settings.role, "watching the mailbox");
    let watching = Status::Watching { idle };
    record_standing(store, settings, &watching);
    on_status(&watching);
    let mut last_full = Instant::now();
    let mut changed = true;
    while !stop.load(Ordering::Relaxed) {
        if changed || last_full.elapsed() >= IDLE_FULL_PASS {
            let pass =
                if replies { folder.reply_pass(&mut session, store)? } else { folder.pass(&mut session, store)? };
            report.passes += 1;
            report.replies += pass.replies;
            report.bounces += pass.bounces;
            report.not_bounces += pass.not_bounces;
            if pass.looked_at > 0 || pass.moved + pass.flagged > 0 {
                tracing::info!(?pass, role = ?settings.role, "mailbox pass");
            }
            last_full = Instant::now();
            session.take_all_unsolicited().for_each(drop);
        }
        if idle {
            let mut handle = session.idle();
            handle.timeout(IDLE_SLICE).keepalive(false);
            changed = matches!(
                handle.wait_while(imap::extensions::idle::stop_on_any)?,
                imap::extensions::idle::WaitOutcome::MailboxChanged
            );
        } else {
            let until = Instant::now() + POLL_INTERVAL;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            session.noop()?;
            changed = true;
        }
    }
    let _ = session.logout();
    Ok(())
}

/// Writes the watcher's standing where `guestmail status` reads it; a failed write is only
/// logged (the watcher goes on, the screen still hears of it).
fn record_standing(store: &mut Store, settings: &MailboxSettings, status: &Status) {
    let (state, detail) = match status {
        Status::Watching { idle: true } => ("watching", "IDLE"),
        Status::Watching { idle: false } => ("watching", "polling"),
        Status::Lost { why, .. } => ("lost", why.as_str()),
        Status::Refused { why, .. } => ("refused", why.as_str()),
    };
    if let Err(e) = store.record_mailbox_standing(settings.role.key(), &settings.url.name(), state, detail) {
        tracing::warn!(error = %e, role = ?settings.role, "cannot record the mailbox's standing");
    }
}

/// Sleeps `d` in short steps; false when `stop` was set meanwhile.
fn sleep_unless(stop: &AtomicBool, d: Duration) -> bool {
    sleep_until_changed(stop, d, || false)
}

/// Sleeps `d` in short steps, or less when `changed` says something the wait was for has
/// changed (checked about once a second); false when `stop` was set meanwhile.
fn sleep_until_changed(stop: &AtomicBool, d: Duration, mut changed: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + d;
    let mut next_check = Instant::now() + Duration::from_secs(1);
    while Instant::now() < until {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        if Instant::now() >= next_check {
            if changed() {
                break;
            }
            next_check += Duration::from_secs(1);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    !stop.load(Ordering::Relaxed)
}

/// Watches the bounce mailbox until `stop` is set: the IMAP twin of
/// [`super::ingest::watch_until`], with its own lock (`<database>-bounce-mailbox.lock`, or
/// a PostgreSQL advisory lock: [`super::watch_lock`]), so one watcher per database takes a
/// mailbox in and the others, on this machine or another, stand by.
pub fn watch_until(
    stop: &Arc<AtomicBool>,
    mut store: Store,
    settings: &MailboxSettings,
    mut on_status: impl FnMut(&Status),
) -> WatchReport {
    let what = match settings.role {
        Role::Bounces => "bounce-mailbox",
        Role::Replies => "reply-mailbox",
    };
    let lock_path = super::watch_lock::describe(store.location(), what);
    let mut lock: Option<WatchLock> = None;
    let mut report = WatchReport::default();
    let (mut lost, mut refused) = (0usize, 0usize);
    while !stop.load(Ordering::Relaxed) {
        if lock.is_none() {
            match super::watch_lock::try_take(store.location(), what) {
                Ok(Some(held)) => lock = Some(held),
                Ok(None) => {
                    if report.stood_by == 0 {
                        tracing::info!(lock = %lock_path, "another guestmail takes in this bounce mailbox; standing by");
                    }
                    report.stood_by += 1;
                    if !sleep_unless(stop, POLL_INTERVAL) {
                        break;
                    }
                    continue;
                }
                Err(e) => {
                    // As for the Maildir: the store's keys alone keep each message once.
                    tracing::warn!(lock = %lock_path, error = %e, "cannot use the bounce mailbox's lock");
                }
            }
        }
        let sessions = report.sessions;
        let result = run_session(stop, &mut store, settings, &mut report, &mut on_status);
        if report.sessions > sessions {
            lost = 0;
            refused = 0;
        }
        let (status, wait) = match result {
            Ok(()) => break,
            Err(Failure::Refused(why)) => {
                let retry = Retry::wait(&settings.retry.refused, refused);
                refused += 1;
                tracing::warn!(mailbox = %settings.url.name(), role = ?settings.role, %why, ?retry, "mailbox: login refused (check the password)");
                (Status::Refused { why, retry }, retry)
            }
            Err(Failure::Lost(why)) => {
                let retry = Retry::wait(&settings.retry.lost, lost);
                lost += 1;
                tracing::warn!(mailbox = %settings.url.name(), role = ?settings.role, %why, ?retry, "mailbox: connection lost");
                (Status::Lost { why, retry }, retry)
            }
        };
        let refused_now = matches!(status, Status::Refused { .. });
        record_standing(&mut store, settings, &status);
        on_status(&status);
        // After a refused login, a new password file is tried at once, not after the wait.
        let file_then = settings.password_changed_at();
        let file_changed = || refused_now && settings.password_changed_at() != file_then;
        if !sleep_until_changed(stop, wait, file_changed) {
            break;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::pass::{own_message_id, uid_set};
    use super::*;

    #[test]
    fn mailbox_urls() {
        let ok: &[(&str, &str, u16, &str, &str, Security)] = &[
            ("imaps://bounces@imap.example.org/INBOX", "imap.example.org", 993, "bounces", "INBOX", Security::Tls),
            ("imaps://b%40x.org@imap.example.org", "imap.example.org", 993, "b@x.org", "INBOX", Security::Tls),
            ("imap://b@imap.example.org:1143/Bounces", "imap.example.org", 1143, "b", "Bounces", Security::StartTls),
            ("imap://b@h.example/INBOX?tls=required", "h.example", 143, "b", "INBOX", Security::StartTls),
            ("imap://b@127.0.0.1:1143/INBOX?tls=none", "127.0.0.1", 1143, "b", "INBOX", Security::Plain),
            ("imap://b@localhost/Archive%2F2025?tls=none", "localhost", 143, "b", "Archive/2025", Security::Plain),
        ];
        for &(url, host, port, user, folder, security) in ok {
            let u = MailboxUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(
                (u.host.as_str(), u.port, u.user.as_str(), u.folder.as_str(), u.security),
                (host, port, user, folder, security),
                "{url}"
            );
        }
        let bad: &[(&str, &str)] = &[
            ("imaps://b:hunter2@h.example/INBOX", "password"),
            ("imaps://h.example/INBOX", "no user"),
            ("imap://b@imap.example.org/INBOX?tls=none", "loopback"),
            ("imap://b@h.example/INBOX?tls=maybe", "tls=maybe"),
            ("pop3://b@h.example/", "pop3"),
            ("not a url", "not a URL"),
        ];
        for &(url, says) in bad {
            let e = MailboxUrl::parse(url).expect_err(url);
            assert!(e.contains(says), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn a_bad_password_file_is_named_by_its_key_not_as_smtp() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pw");
        std::fs::write(&path, "hunter2\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let config = crate::config::Config {
            bounce_mailbox: Some("imaps://bounces@imap.example.org/INBOX".into()),
            bounce_mailbox_password_file: Some(path.clone()),
            ..crate::config::Config::default()
        };
        let e = MailboxSettings::bounces_from_config(&config).expect_err("a file others can read");
        assert!(e.starts_with("bounce_mailbox_password_file: "), "{e}");
        assert!(e.contains("chmod 600"), "{e}");
        assert!(!e.to_lowercase().contains("smtp"), "an IMAP password is not the SMTP one: {e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn uid_sets_are_ranges() {
        for (uids, set) in [(&[][..], ""), (&[1][..], "1"), (&[1, 2, 3, 5, 7, 8][..], "1:3,5,7:8")] {
            assert_eq!(uid_set(uids), set);
        }
    }

    #[test]
    fn a_message_s_own_message_id() {
        for (raw, id) in [
            (&b"From: a\r\nMessage-ID: <x@y>\r\n\r\nMessage-ID: <no@no>\r\n"[..], Some("x@y")),
            (&b"message-id:\r\n <folded@y>\r\nSubject: s\r\n\r\n"[..], Some("folded@y")),
            (&b"Subject: s\r\n\r\nMessage-ID: <body@no>\r\n"[..], None),
        ] {
            assert_eq!(own_message_id(raw).as_deref(), id);
        }
    }
}
