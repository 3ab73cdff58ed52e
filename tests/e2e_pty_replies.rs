//! End-to-end: the real binary in a pseudo-terminal with `reply_mailbox` (or `bounce_mailbox`)
//! on a private Dovecot (`../shared/harness/dovecot`). Guests' replies (In-Reply-To one of our Message-IDs) are
//! delivered to the venue's mailbox while the screen runs: `↩` appears on their reservations'
//! rows, and the venue's mailbox is left as it was (same folders, same flags, nothing moved).
//!
//! It also times each reply from its delivery into the Maildir to `↩` on the screen (IDLE,
//! the store, the data thread's poll, the redraw) and prints the figures; no time is asserted
//! beyond the bounded wait.
//!
//! A bounce report delivered to `bounce_mailbox` turns the email's marker into `✗` on the
//! screen, timed the same way.
//!
//! Needs root (the Dovecot master starts as root), as tests and CI run; without root it says
//! why and passes as skipped.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use guestmail::bounce::mailbox_url::MailboxUrl;
use guestmail::store::Store;
use support::dovecot::{Dovecot, PASSWORD, USER, skip, snapshot};
use support::{Pty, WAIT, day, marker_day};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");
/// How long a reply may take from the mailbox to the screen before the test fails.
const REPLY_WAIT: Duration = Duration::from_secs(10);

/// The screen line that shows `name`.
fn line_with(screen: &str, name: &str) -> String {
    screen.lines().find(|l| l.contains(name)).unwrap_or_default().to_owned()
}

/// A guest's reply to our email `message_id`, as a mail client writes it.
fn reply(from: &str, message_id: &str, n: usize, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: hello@bistro.example\r\nMessage-ID: <pty-reply-{n}@example.org>\r\n\
In-Reply-To: {message_id}\r\nReferences: {message_id}\r\nDate: Mon, 23 Nov 2037 17:04:00 +0100\r\n\
Subject: Re: Your reservation\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\n\
On Sun, 22 Nov 2037, Le Petit Bistro wrote:\r\n> Your table is booked\r\n"
    )
}

/// The config the binary runs with: the reply mailbox on the harness, its password in an
/// owner-only file, the harness's certificate trusted; a tracking port of its own.
fn config(dir: &Path, dovecot: &Dovecot) -> std::path::PathBuf {
    let pw = dir.join("reply-password");
    std::fs::write(&pw, PASSWORD).unwrap();
    std::fs::set_permissions(&pw, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let port = support::dovecot::free_port();
    let text = format!(
        "reply_mailbox = \"{url}\"\nreply_mailbox_password_file = \"{pw}\"\nmailbox_ca_file = \"{ca}\"\n\
tracking_listen = \"127.0.0.1:{port}\"\n",
        url = dovecot.imaps_url(),
        pw = pw.display(),
        ca = dovecot.dir.path().join("tls/cert.pem").display(),
    );
    let path = dir.join("guestmail.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The folder's UIDVALIDITY, once Dovecot has opened it (the watcher's EXAMINE): the first
/// line of its `dovecot-uidlist` is `3 V<uidvalidity> N<next uid> ...`.
fn uidvalidity(dovecot: &Dovecot) -> Option<u32> {
    let list = std::fs::read_to_string(dovecot.maildir("INBOX").join("dovecot-uidlist")).ok()?;
    list.lines().next()?.split(' ').find_map(|w| w.strip_prefix('V'))?.parse().ok()
}

/// The real screen on the fixture's day, 30 rows of `cols` columns, with a home of its own.
fn screen(dir: &Path, db: &Path, config: &Path, cols: u16) -> Pty {
    let home = dir.join("home");
    let (db, config, home) = (db.to_str().unwrap(), config.to_str().unwrap(), home.to_str().unwrap());
    Pty::spawn(
        BIN,
        &["--db", db, "--config", config, "--date", "2037-11-23"],
        &[("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)],
        cols,
        30,
    )
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_guest_reply_delivered_while_the_screen_runs_shows_the_reply_mark_and_leaves_the_mailbox_alone() {
    if skip("a_guest_reply_delivered_while_the_screen_runs_shows_the_reply_mark_and_leaves_the_mailbox_alone") {
        return;
    }
    let dovecot = Dovecot::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let store = marker_day(&db);
    // The guests who will answer, each with an email of ours on the day shown.
    let rows = store.day(day()).unwrap();
    let guests: Vec<(String, String, String)> = ["Bram Peeters", "David Smith", "Giulia Rossi", "Emma Janssens"]
        .iter()
        .map(|name| {
            let row = rows.iter().find(|r| r.guest.name == *name).unwrap();
            let message = store.messages_for_reservation(row.id).unwrap().remove(0);
            (row.guest.name.clone(), row.guest.email.clone(), message.message_id)
        })
        .collect();
    drop(store);

    // The venue's mailbox before: a note of staff's, read and flagged, and one filed away.
    dovecot.deliver("From: staff@bistro.example\r\nSubject: filed\r\n\r\nkept\r\n");
    dovecot.deliver_in("From: staff@bistro.example\r\nSubject: archived\r\n\r\nkept\r\n", "Archive/2037");
    let new = dovecot.maildir("INBOX").join("new");
    let first = std::fs::read_dir(&new).unwrap().flatten().next().unwrap().path();
    let read_and_flagged =
        dovecot.maildir("INBOX").join("cur").join(format!("{}:2,FS", first.file_name().unwrap().to_string_lossy()));
    std::fs::rename(&first, &read_and_flagged).unwrap();
    let before = snapshot(&dovecot);

    let config = config(dir.path(), &dovecot);
    let mut pty = screen(dir.path(), &db, &config, 120);
    let s = pty.wait_for_text("8 reservations", WAIT);
    assert!(!s.contains('↩'), "no reply yet:\n{s}");
    // The watcher has read the mailbox once (it looked at the staff's note) and IDLEs.
    let name = MailboxUrl::parse(&dovecot.imaps_url()).unwrap().name();
    let reader = Store::open(&db).unwrap();
    wait_for("the reply watcher's first pass", WAIT, || {
        uidvalidity(&dovecot).is_some_and(|v| reader.mailbox_seen(&name, v).unwrap().len() == 1)
    });
    std::thread::sleep(Duration::from_millis(300));

    let mut timings = Vec::new();
    for (n, (guest, email, message_id)) in guests.iter().enumerate() {
        let start = Instant::now();
        dovecot.deliver(&reply(&format!("{guest} <{email}>"), message_id, n, "We'll be 10 minutes late, sorry!"));
        let delivered = Instant::now();
        let screen =
            pty.wait_until(&format!("↩ on {guest}'s row"), REPLY_WAIT, |s| line_with(s, guest).contains('↩'));
        let took = delivered.elapsed();
        println!(
            "FIGURE pty reply {n}: delivered into the Maildir -> ↩ on screen in {} ms (the deliver command itself {} ms)",
            took.as_millis(),
            (delivered - start).as_millis()
        );
        timings.push(took);
        assert!(line_with(&screen, guest).contains(&format!("{guest} ↩")), "{}", line_with(&screen, guest));
        // Only the reservations answered so far have the mark.
        assert_eq!(screen.matches('↩').count(), n + 1, "{screen}");
        std::thread::sleep(Duration::from_millis(300));
    }
    let s = pty.screen_text();
    for name in ["Amélie Martin", "Claire Dubois", "Hugo Van Damme"] {
        assert!(!line_with(&s, name).contains('↩'), "{name} did not reply:\n{s}");
    }
    timings.sort();
    println!(
        "FIGURE pty reply: delivery -> ↩ on screen through IDLE over {} replies: min {} ms, median {} ms, max {} ms",
        timings.len(),
        timings[0].as_millis(),
        timings[timings.len() / 2].as_millis(),
        timings[timings.len() - 1].as_millis()
    );

    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success(), "the screen quits cleanly");

    // The venue's mailbox: the same folders; what was there is there with the same flags;
    // the replies delivered during the run are there, unread and unflagged.
    let after = snapshot(&dovecot);
    assert_eq!(after.iter().map(|(f, _)| f).collect::<Vec<_>>(), before.iter().map(|(f, _)| f).collect::<Vec<_>>());
    for (folder, msgs) in &before {
        let now = &after.iter().find(|(f, _)| f == folder).unwrap().1;
        for m in msgs {
            assert!(now.contains(m), "{folder}: {m:?} changed: {now:?}");
        }
    }
    let inbox = &after.iter().find(|(f, _)| f == "INBOX").unwrap().1;
    let inbox_before = &before.iter().find(|(f, _)| f == "INBOX").unwrap().1;
    let added: Vec<_> = inbox.iter().filter(|m| !inbox_before.contains(m)).collect();
    assert_eq!(added.len(), guests.len(), "{after:?}");
    assert!(added.iter().all(|(_, flags)| flags.is_empty()), "guestmail set no flag: {added:?}");
    assert!(before.iter().any(|(_, m)| m.iter().any(|(_, f)| f == "FS")), "the staff's flags were in the check");
}

/// Waits until this instance's log shows `n` logins of the venue's user.
fn wait_logins(dovecot: &Dovecot, n: usize) {
    wait_for(&format!("login {n} of the reply watcher"), WAIT, || {
        let log = std::fs::read_to_string(dovecot.dir.path().join("log/dovecot.log")).unwrap_or_default();
        log.matches(&format!("Login: user=<{USER}>")).count() >= n
    });
}

#[test]
fn the_reply_mailbox_s_troubles_show_on_the_screen_s_status_line_and_clear_when_it_is_back() {
    if skip("the_reply_mailbox_s_troubles_show_on_the_screen_s_status_line_and_clear_when_it_is_back") {
        return;
    }
    let dovecot = Dovecot::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    drop(marker_day(&db));
    let config = config(dir.path(), &dovecot);
    let mut pty = screen(dir.path(), &db, &config, 160);
    pty.wait_for_text("8 reservations", WAIT);
    wait_logins(&dovecot, 1);
    let lost = "Guests' replies are not read: lost the connection to the reply mailbox: reconnecting in";

    // The server goes down, sessions and all: the status line says so, with what to check.
    dovecot.run(&["stop"]);
    assert_eq!(dovecot.end_sessions(USER), 1);
    let s = pty.wait_for_text(lost, WAIT);
    assert!(line_with(&s, lost).contains("check the server in reply_mailbox and the network"), "{s}");
    // It comes back: the watcher reconnects on its own, the line is cleared and says so.
    dovecot.restart();
    let s = pty.wait_for_text("Reply mailbox connected again", WAIT);
    assert!(!s.contains(lost), "{s}");
    wait_logins(&dovecot, 2);

    // Its password changed (the venue's problem): said with what to check, not a crash loop.
    dovecot.run(&["adduser", USER, "changed by the provider"]);
    assert_eq!(dovecot.end_sessions(USER), 1);
    let refused =
        "Guests' replies are not read: the reply mailbox refused our login: check reply_mailbox and its password";
    let s = pty.wait_for_text(refused, WAIT);
    assert!(!s.contains("Reply mailbox connected again"), "{s}");
    assert!(!s.contains(PASSWORD) && !s.contains("changed by the provider"), "{s}");
    // The screen still works meanwhile.
    pty.send_keys("j");
    pty.wait_until("the highlight to move", WAIT, |s| line_with(s, "Bram Peeters").starts_with('▸'));
    assert!(pty.screen_text().contains(refused), "the trouble stays until the mailbox is back");
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success(), "the screen quits cleanly");
}

#[test]
fn a_bounce_delivered_to_the_bounce_mailbox_while_the_screen_runs_turns_the_marker_into_a_cross() {
    if skip("a_bounce_delivered_to_the_bounce_mailbox_while_the_screen_runs_turns_the_marker_into_a_cross") {
        return;
    }
    let dovecot = Dovecot::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let store = marker_day(&db);
    // Guests whose last email of a kind was sent and not opened by a person (a red ●).
    let rows = store.day(day()).unwrap();
    let bounced: Vec<(String, String, String)> = [("Amélie Martin", 1), ("Emma Janssens", 0)]
        .iter()
        .map(|(name, kind)| {
            let row = rows.iter().find(|r| r.guest.name == *name).unwrap();
            assert_eq!(row.markers[*kind], guestmail::domain::Marker::Sent, "{name}");
            let wanted = guestmail::domain::EmailKind::MARKED[*kind];
            let message =
                store.messages_for_reservation(row.id).unwrap().into_iter().find(|m| m.kind == wanted).unwrap();
            (row.guest.name.clone(), row.guest.email.clone(), message.token)
        })
        .collect();
    drop(store);

    let config = config(dir.path(), &dovecot);
    let text = std::fs::read_to_string(&config).unwrap().replace("reply_mailbox", "bounce_mailbox");
    std::fs::write(&config, text).unwrap();
    let mut pty = screen(dir.path(), &db, &config, 120);
    pty.wait_for_text("8 reservations", WAIT);
    wait_logins(&dovecot, 1);
    std::thread::sleep(Duration::from_millis(500));
    let crosses_before = pty.screen_text().matches('✗').count();

    let mut timings = Vec::new();
    for (n, (guest, email, token)) in bounced.iter().enumerate() {
        dovecot.deliver(&support::dovecot::dsn(token, email, &format!("pty-dsn-{n}")));
        let delivered = Instant::now();
        let screen =
            pty.wait_until(&format!("✗ on {guest}'s row"), REPLY_WAIT, |s| line_with(s, guest).contains('✗'));
        let took = delivered.elapsed();
        println!("FIGURE pty bounce {n}: delivered into the Maildir -> ✗ on screen in {} ms", took.as_millis());
        timings.push(took);
        assert_eq!(screen.matches('✗').count(), crosses_before + n + 1, "one more ✗ per bounce:\n{screen}");
    }
    timings.sort();
    println!(
        "FIGURE pty bounce: delivery -> ✗ on screen through IDLE over {} bounces: min {} ms, max {} ms",
        timings.len(),
        timings[0].as_millis(),
        timings[timings.len() - 1].as_millis()
    );
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success(), "the screen quits cleanly");
    // Taken in once each, and moved out of the inbox into the processed folder.
    let reader = Store::open(&db).unwrap();
    for (guest, email, _) in &bounced {
        assert_eq!(reader.address(email).unwrap().map(|a| a.error_count), Some(1), "{guest}");
    }
}
