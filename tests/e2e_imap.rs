//! Bounces from a real IMAP mailbox: the harness of `../shared/harness/dovecot` runs a private
//! Dovecot on loopback (IMAPS and STARTTLS with its own certificate, trusted here through
//! `mailbox_ca_file`), and the watcher of `bounce_mailbox` takes in what is delivered to it;
//! the watcher of `reply_mailbox` reads replies and leaves the venue's mailbox as it was. A
//! server going away, then coming back with another password, then with the right one shows
//! on a screen's status line (the watcher's events through an App, drawn) and clears.
//!
//! Needs root (the Dovecot master starts as root), as tests and CI run; `.ci/run` installs
//! Dovecot up front. Without root each test says why and passes as skipped.
//!
//! The timed run over 10,000 bounces is `#[ignore]`d (it prints its figure, it asserts no
//! time): `cargo test --release --test e2e_imap -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use guestmail::action::Action;
use guestmail::app::App;
use guestmail::bounce::imap::{self, MailboxSettings, Retry, Role, Security, Status, WatchReport};
use guestmail::config::Config;
use guestmail::domain::{Language, MessageState, NewReservation, ReservationStatus};
use guestmail::event::Event;
use guestmail::keymap::Keymap;
use guestmail::store::{MessageRecord, Store};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::dovecot::{Dovecot, PASSWORD, USER, skip, snapshot};

const GUEST: &str = "guest@example.org";

struct Fixture {
    dir: tempfile::TempDir,
    db: PathBuf,
    message: MessageRecord,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("guestmail.db");
    let mut store = Store::open(&db).unwrap();
    let id = store
        .create_reservation(&NewReservation {
            name: "Ada Guest".into(),
            email: GUEST.into(),
            phone: String::new(),
            language: Language::En,
            starts_at: NaiveDate::from_ymd_opt(2037, 5, 1).and_then(|d| d.and_hms_opt(19, 30, 0)).unwrap(),
            party_size: 2,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .unwrap();
    let message = store.messages_for_reservation(id).unwrap().remove(0);
    Fixture { dir, db, message }
}

/// A standard DSN about our email to the fixture's guest, with its own Message-ID.
fn dsn(message: &MessageRecord, own_id: &str) -> String {
    support::dovecot::dsn(&message.token, GUEST, own_id)
}

const NOT_A_BOUNCE: &str = "From: Someone <someone@example.net>\r\nTo: bounces@guestmail.test\r\n\
Message-ID: <hello-1@example.net>\r\nSubject: Hello\r\n\r\nJust a note, not a report.\r\n";

/// A watcher on its own thread; its statuses collected.
struct Watcher {
    stop: Arc<AtomicBool>,
    statuses: Arc<Mutex<Vec<Status>>>,
    thread: JoinHandle<WatchReport>,
}

impl Watcher {
    fn start(db: &Path, settings: MailboxSettings) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let statuses = Arc::new(Mutex::new(Vec::new()));
        let store = Store::open(db).unwrap();
        let (s, st) = (Arc::clone(&stop), Arc::clone(&statuses));
        let thread = std::thread::spawn(move || {
            imap::watch_until(&s, store, &settings, |status| st.lock().unwrap().push(status.clone()))
        });
        Watcher { stop, statuses, thread }
    }

    fn wait_watching(&self) {
        wait_for("the watcher to log in", Duration::from_secs(10), || {
            self.statuses.lock().unwrap().iter().any(|s| matches!(s, Status::Watching { .. }))
        });
    }

    fn stop(self) -> (WatchReport, Vec<Status>) {
        self.stop.store(true, Ordering::SeqCst);
        let report = self.thread.join().unwrap();
        (report, self.statuses.lock().unwrap().clone())
    }
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}

fn error_count(db: &Path) -> u32 {
    Store::open(db).unwrap().address(GUEST).unwrap().map_or(0, |a| a.error_count)
}

#[test]
fn bounces_delivered_while_watching_are_taken_in_by_idle_moved_and_never_twice() {
    if skip("bounces_delivered_while_watching_are_taken_in_by_idle_moved_and_never_twice") {
        return;
    }
    let dovecot = Dovecot::start();
    let f = fixture();
    let settings =
        MailboxSettings::bounces_from_config(&dovecot.config(f.dir.path(), &dovecot.imaps_url())).unwrap().unwrap();
    let watcher = Watcher::start(&f.db, settings.clone());
    watcher.wait_watching();
    assert!(
        watcher.statuses.lock().unwrap().contains(&Status::Watching { idle: true }),
        "Dovecot offers IDLE and the watcher uses it"
    );
    // Let it settle into IDLE, then deliver: a message that is not a bounce, and a bounce.
    std::thread::sleep(Duration::from_millis(300));
    dovecot.deliver(NOT_A_BOUNCE);
    let delivered = Instant::now();
    dovecot.deliver(&dsn(&f.message, "dsn-1"));
    let store = Store::open(&f.db).unwrap();
    wait_for("the bounce in the store", Duration::from_secs(5), || {
        store.message(f.message.id).unwrap().state == MessageState::Bounced
    });
    let took = delivered.elapsed();
    println!("FIGURE imap bounce: delivery to store through IDLE in {} ms", took.as_millis());
    assert!(took < Duration::from_secs(5), "{took:?}");
    // MOVE lands the copy first, then expunges the original.
    wait_for("the bounce moved", Duration::from_secs(5), || {
        dovecot.messages("guestmail-processed").len() == 1 && dovecot.messages("INBOX").len() == 1
    });
    let inbox = dovecot.messages("INBOX");
    assert_eq!(inbox.len(), 1, "the note stays: {inbox:?}");
    assert!(!inbox[0].1.contains('S'), "left unread (BODY.PEEK): {inbox:?}");
    let (report, _) = watcher.stop();
    assert_eq!((report.bounces, report.not_bounces), (1, 1), "{report:?}");
    assert_eq!(error_count(&f.db), 1);

    // A restart: nothing is taken in twice, the note is not read again.
    let watcher = Watcher::start(&f.db, settings.clone());
    watcher.wait_watching();
    std::thread::sleep(Duration::from_millis(500));
    let (report, _) = watcher.stop();
    assert_eq!((report.bounces, report.not_bounces), (0, 0), "{report:?}");
    assert_eq!(error_count(&f.db), 1);
    assert_eq!(store.bounces_for_message(f.message.id).unwrap().len(), 1);

    // A rebuilt mailbox (new UIDVALIDITY), with the bounce back in the INBOX: read again,
    // counted nothing (its Message-ID was taken in), moved out of the way again.
    let processed = dovecot.maildir("guestmail-processed");
    for (name, _) in dovecot.messages("guestmail-processed") {
        let from = ["new", "cur"].iter().map(|s| processed.join(s).join(&name)).find(|p| p.exists()).unwrap();
        std::fs::rename(from, dovecot.maildir("INBOX").join("new").join(name.split(':').next().unwrap())).unwrap();
    }
    for name in ["dovecot-uidlist", "dovecot.index", "dovecot.index.cache", "dovecot.index.log"] {
        let _ = std::fs::remove_file(dovecot.maildir("INBOX").join(name));
    }
    let watcher = Watcher::start(&f.db, settings);
    watcher.wait_watching();
    wait_for("the returned bounce moved again", Duration::from_secs(5), || {
        dovecot.messages("guestmail-processed").len() == 1 && dovecot.messages("INBOX").len() == 1
    });
    let (report, _) = watcher.stop();
    assert_eq!(
        (report.bounces, report.not_bounces),
        (0, 1),
        "the note is looked at again, nothing counted: {report:?}"
    );
    assert_eq!(error_count(&f.db), 1, "counted once across UIDVALIDITYs");
    assert_eq!(store.bounces_for_message(f.message.id).unwrap().len(), 1);
}

#[test]
fn a_wrong_password_is_the_venue_s_problem_said_once_not_a_crash_loop() {
    if skip("a_wrong_password_is_the_venue_s_problem_said_once_not_a_crash_loop") {
        return;
    }
    let dovecot = Dovecot::start();
    let f = fixture();
    let mut config = dovecot.config(f.dir.path(), &dovecot.imaps_url());
    let pw = f.dir.path().join("wrong-password");
    std::fs::write(&pw, "not the password").unwrap();
    std::fs::set_permissions(&pw, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    config.bounce_mailbox_password_file = Some(pw);
    let settings = MailboxSettings::bounces_from_config(&config).unwrap().unwrap();
    let watcher = Watcher::start(&f.db, settings);
    wait_for("the refusal", Duration::from_secs(5), || !watcher.statuses.lock().unwrap().is_empty());
    std::thread::sleep(Duration::from_secs(2));
    let (report, statuses) = watcher.stop();
    assert_eq!(statuses.len(), 1, "one login, then a long wait: {statuses:?}");
    let Status::Refused { why, retry } = &statuses[0] else { panic!("{statuses:?}") };
    assert!(retry >= &Duration::from_mins(1), "{retry:?}");
    assert!(!why.contains("not the password"), "{why}");
    let line = guestmail::strings::replies::mailbox_trouble(Language::En, imap::Role::Bounces, &statuses[0]).unwrap();
    assert!(line.contains("check bounce_mailbox and its password"), "{line}");
    assert_eq!(report.sessions, 0);
    let log = std::fs::read_to_string(dovecot.dir.path().join("log/dovecot.log")).unwrap_or_default();
    assert!(log.matches("auth failed").count() <= 1, "{log}");
}

#[test]
fn starttls_is_required_on_imap_and_verified() {
    if skip("starttls_is_required_on_imap_and_verified") {
        return;
    }
    let dovecot = Dovecot::start();
    let f = fixture();
    let url = format!("imap://{}@127.0.0.1:{}/INBOX", USER.replace('@', "%40"), dovecot.port);
    let settings = MailboxSettings::bounces_from_config(&dovecot.config(f.dir.path(), &url)).unwrap().unwrap();
    assert_eq!(settings.url.security, Security::StartTls);
    let mut session =
        imap::connect(&settings).expect("STARTTLS, verified against the harness's certificate, then login");
    session.logout().unwrap();

    // Without the harness's certificate, verification fails: a lost connection, not a login.
    let mut config = dovecot.config(f.dir.path(), &dovecot.imaps_url());
    config.mailbox_ca_file = None;
    let settings = MailboxSettings::bounces_from_config(&config).unwrap().unwrap();
    match imap::connect(&settings) {
        Err(imap::Failure::Lost(why)) => assert!(why.contains("TLS"), "{why}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("an unknown certificate was accepted"),
    }
}

#[test]
fn settings_errors_name_the_key() {
    let mut config = Config { bounce_mailbox: Some("imaps://b@imap.example.org/INBOX".into()), ..Config::default() };
    let e = MailboxSettings::bounces_from_config(&config).unwrap_err();
    assert!(e.contains("bounce_mailbox_password_env or bounce_mailbox_password_file"), "{e}");
    config.bounce_mailbox_password_env = Some("GUESTMAIL_TEST_SURELY_UNSET_VAR".into());
    let e = MailboxSettings::bounces_from_config(&config).unwrap_err();
    assert!(e.starts_with("bounce_mailbox_password_env"), "{e}");
    let err = Config::parse("bounce_mailbox = \"imap://b@imap.example.org/INBOX?tls=none\"\n", Path::new("g.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("bounce_mailbox") && err.contains("loopback"), "{err}");
}

/// Marks an email as sent (as the outbox does once the server accepted it).
fn mark_sent(db: &Path, id: i64, at: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("UPDATE messages SET state = 'sent', sent_at = ?2 WHERE id = ?1", rusqlite::params![id, at]).unwrap();
}

fn reply(from: &str, in_reply_to: Option<&str>, id: &str, subject: &str, extra: &str, body: &str) -> String {
    let thread = in_reply_to.map(|m| format!("In-Reply-To: {m}\r\nReferences: {m}\r\n")).unwrap_or_default();
    format!(
        "From: {from}\r\nTo: hello@bistro.example\r\nMessage-ID: <{id}@example.org>\r\n{thread}{extra}\
Date: Mon, 23 Nov 2026 19:04:00 +0100\r\nSubject: {subject}\r\n\r\n{body}"
    )
}

#[test]
fn replies_are_tied_by_thread_or_address_and_the_venue_s_mailbox_is_left_as_it_was() {
    if skip("replies_are_tied_by_thread_or_address_and_the_venue_s_mailbox_is_left_as_it_was") {
        return;
    }
    let dovecot = Dovecot::start();
    let f = fixture();
    let now = chrono::Utc::now().timestamp_millis();
    mark_sent(&f.db, f.message.id, now - 3_600_000);
    // A second guest, whose email a reply names only by its sender's address.
    let mut store = Store::open(&f.db).unwrap();
    let other = store
        .create_reservation(&NewReservation {
            name: "Bo Guest".into(),
            email: "bo@example.net".into(),
            phone: String::new(),
            language: Language::En,
            starts_at: NaiveDate::from_ymd_opt(2037, 5, 2).and_then(|d| d.and_hms_opt(20, 0, 0)).unwrap(),
            party_size: 4,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .unwrap();
    let bo = store.messages_for_reservation(other).unwrap().remove(0);
    mark_sent(&f.db, bo.id, now - 7_200_000);
    // Already in the venue's mailbox before the watcher starts: one read and flagged by
    // staff, in a folder of theirs, and a stranger's note.
    dovecot.deliver(&reply(
        "Bo Guest <bo@example.net>",
        None,
        "bo-1",
        "Dog",
        "",
        "Can we bring a dog?\r\n\r\nBo\r\n-- \r\nBo Guest, Brussels\r\n",
    ));
    dovecot.deliver_in("From: staff@bistro.example\r\nSubject: filed\r\n\r\nkept\r\n", "Archive/2025");
    dovecot.deliver(NOT_A_BOUNCE);
    // Staff read and flagged one message: the file's flags say so.
    let inbox_new = dovecot.maildir("INBOX").join("new");
    let first = std::fs::read_dir(&inbox_new).unwrap().flatten().next().unwrap().path();
    let flagged =
        dovecot.maildir("INBOX").join("cur").join(format!("{}:2,FS", first.file_name().unwrap().to_string_lossy()));
    std::fs::rename(&first, &flagged).unwrap();
    let before = snapshot(&dovecot);

    let mut config = dovecot.config(f.dir.path(), "imaps://x@127.0.0.1/INBOX");
    config.reply_mailbox = Some(dovecot.imaps_url());
    config.reply_mailbox_password_file = config.bounce_mailbox_password_file.clone();
    let settings = MailboxSettings::replies_from_config(&config).unwrap().unwrap();
    let watcher = Watcher::start(&f.db, settings.clone());
    watcher.wait_watching();
    wait_for("the address-only reply", Duration::from_secs(5), || {
        !store.replies_for_message(bo.id).unwrap().is_empty()
    });
    // Delivered while it IDLEs: a reply in the thread, then an out-of-office.
    std::thread::sleep(Duration::from_millis(300));
    let mid = f.message.message_id.clone();
    dovecot.deliver(&reply(
        "Ada Guest <Ada@Example.org>",
        Some(&mid),
        "ada-1",
        "Re: Your reservation",
        "",
        "We'll be 10 minutes late, sorry!\r\n\r\nOn Mon, 23 Nov 2026, Le Petit Bistro wrote:\r\n> Your table\r\n",
    ));
    let delivered = Instant::now();
    wait_for("the threaded reply", Duration::from_secs(5), || {
        !store.replies_for_message(f.message.id).unwrap().is_empty()
    });
    let took = delivered.elapsed();
    println!("FIGURE imap reply: delivery to store through IDLE in {} ms", took.as_millis());
    dovecot.deliver(&reply(
        "ada@example.org",
        Some(&mid),
        "ada-ooo",
        "Out of office: Re: Your reservation",
        "Auto-Submitted: auto-replied\r\n",
        "I am away until Monday.\r\n",
    ));
    wait_for("the out-of-office", Duration::from_secs(5), || {
        store.replies_for_message(f.message.id).unwrap().len() == 2
    });
    let (report, _) = watcher.stop();
    assert_eq!(report.replies, 3, "{report:?}");

    let ada = store.replies_for_message(f.message.id).unwrap();
    assert_eq!((ada[0].excerpt.as_str(), ada[0].auto), ("We'll be 10 minutes late, sorry!", false));
    assert_eq!(ada[0].from, "ada@example.org");
    assert_eq!((ada[1].excerpt.as_str(), ada[1].auto), ("I am away until Monday.", true));
    let bo_replies = store.replies_for_message(bo.id).unwrap();
    assert_eq!((bo_replies[0].excerpt.as_str(), bo_replies[0].auto), ("Can we bring a dog? Bo", false));
    // The history's log of the email shows the replies.
    let log = store.message_log(f.message.id).unwrap();
    let shown: Vec<_> = log
        .iter()
        .filter_map(|l| match &l.entry {
            guestmail::store::LogEntry::Reply { excerpt, auto } => Some((excerpt.as_str(), *auto)),
            _ => None,
        })
        .collect();
    assert_eq!(shown, [("We'll be 10 minutes late, sorry!", false), ("I am away until Monday.", true)]);
    // The list's reply mark, from the day query.
    assert!(store.reservation(f.message.reservation_id.unwrap()).unwrap().replied);
    assert!(store.reservation(other).unwrap().replied);
    // A person's reply is a person's open; the out-of-office is not.
    assert_eq!(store.message(f.message.id).unwrap().human_open_count, 1);
    assert_eq!(store.message(bo.id).unwrap().human_open_count, 1);

    // `reservation show` lists them under the email.
    let out = Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .args(["--db", f.db.to_str().unwrap(), "reservation", "show"])
        .arg(f.message.reservation_id.unwrap().to_string())
        .env("GUESTMAIL_CONFIG", f.dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let replies = &shown["messages"][0]["replies"];
    assert_eq!(replies[0]["excerpt"], "We'll be 10 minutes late, sorry!");
    assert_eq!((replies[0]["auto"].as_bool(), replies[1]["auto"].as_bool()), (Some(false), Some(true)));
    assert_eq!(replies[0]["from"], "ada@example.org");
    assert_eq!(replies[0]["at"], "2026-11-23T18:04:00+00:00");

    // A restart reads nothing again.
    let watcher = Watcher::start(&f.db, settings);
    watcher.wait_watching();
    std::thread::sleep(Duration::from_millis(500));
    let (report, _) = watcher.stop();
    assert_eq!(report.replies, 0, "{report:?}");
    assert_eq!(store.replies_for_message(f.message.id).unwrap().len(), 2);

    // The venue's mailbox: same folders, same messages, same flags (plus the three delivered
    // while watching, unread).
    let after = snapshot(&dovecot);
    let added: usize =
        after.iter().map(|(_, m)| m.len()).sum::<usize>() - before.iter().map(|(_, m)| m.len()).sum::<usize>();
    assert_eq!(added, 2, "{before:?}\n{after:?}");
    assert_eq!(after.iter().map(|(f, _)| f).collect::<Vec<_>>(), before.iter().map(|(f, _)| f).collect::<Vec<_>>());
    for (folder, msgs) in &before {
        let now = &after.iter().find(|(f, _)| f == folder).unwrap().1;
        for m in msgs {
            assert!(now.contains(m), "{folder}: {m:?} changed: {now:?}");
        }
    }
    assert!(
        after
            .iter()
            .flat_map(|(_, m)| m)
            .all(|(n, fl)| fl.is_empty() || before.iter().any(|(_, b)| b.iter().any(|(bn, bf)| bn == n && bf == fl))),
        "no flag set by guestmail: {after:?}"
    );
}

/// The screen's side of a watcher: its events go through an App, as the screen's event loop
/// takes them, and the status line is drawn from the App's state.
struct Screen {
    app: App,
    events: Receiver<Event>,
}

impl Screen {
    const WIDTH: u16 = 240;
    const HEIGHT: u16 = 10;

    fn new() -> Self {
        let day = NaiveDate::from_ymd_opt(2037, 5, 1).unwrap();
        let mut app = App::new("Le Petit Bistro", Language::En, Keymap::default(), day, day);
        app.update(Action::Resize(Self::WIDTH, Self::HEIGHT));
        app.update(Action::DayLoaded(day, Vec::new()));
        let (_, events) = mpsc::channel();
        Screen { app, events }
    }

    /// The drawn status line (the row above the key hints).
    fn status_line(&self) -> String {
        let mut t = Terminal::new(TestBackend::new(Self::WIDTH, Self::HEIGHT)).unwrap();
        t.draw(|f| f.render_widget(&self.app, f.area())).unwrap();
        let buf = t.backend().buffer();
        (0..Self::WIDTH).map(|x| buf[(x, Self::HEIGHT - 2)].symbol()).collect::<String>().trim_end().to_owned()
    }

    /// Takes the watcher's events in until the drawn status line satisfies `done`.
    fn wait_line(&mut self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            while let Ok(event) = self.events.recv_timeout(Duration::from_millis(20)) {
                if let Some(action) = self.app.action_for(event) {
                    self.app.update(action);
                }
            }
            let line = self.status_line();
            if done(&line) {
                return line;
            }
            assert!(start.elapsed() < timeout, "timed out waiting for {what}; the status line shows: {line:?}");
        }
    }
}

/// A watcher of `role` on a real Dovecot, its events sent to a screen as the screen's
/// services send them: stopping the server shows a lost connection, a changed password a
/// refused login (what to check), and when the password is restored the watcher logs in
/// again, which clears the line and says so; then it takes mail in again.
fn trouble_then_back_on(role: Role) {
    let dovecot = Dovecot::start();
    let f = fixture();
    let now = chrono::Utc::now().timestamp_millis();
    mark_sent(&f.db, f.message.id, now - 3_600_000);
    let mut config = dovecot.config(f.dir.path(), &dovecot.imaps_url());
    config.reply_mailbox = Some(dovecot.imaps_url());
    config.reply_mailbox_password_file = config.bounce_mailbox_password_file.clone();
    let mut settings = match role {
        Role::Bounces => MailboxSettings::bounces_from_config(&config),
        Role::Replies => MailboxSettings::replies_from_config(&config),
    }
    .unwrap()
    .unwrap();
    // The real waits after a refused login are minutes: a test that restores the password
    // shortens them (the lost-connection waits keep their first steps).
    settings.retry = Retry { lost: vec![Duration::from_secs(1)], refused: vec![Duration::from_secs(1)] };
    let (key, name) = match role {
        Role::Bounces => ("bounce_mailbox", "the bounce mailbox"),
        Role::Replies => ("reply_mailbox", "the reply mailbox"),
    };
    let (tx, rx) = mpsc::channel();
    let mut screen = Screen::new();
    screen.events = rx;
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let (stop, statuses, store) = (Arc::clone(&stop), Arc::clone(&statuses), Store::open(&f.db).unwrap());
        std::thread::spawn(move || {
            imap::watch_until(&stop, store, &settings, |status| {
                statuses.lock().unwrap().push(status.clone());
                let _ = tx.send(Event::Mailbox(role, status.clone()));
            })
        })
    };
    let quiet = screen.status_line();
    wait_for("the first login", Duration::from_secs(10), || {
        statuses.lock().unwrap().iter().any(|s| matches!(s, Status::Watching { .. }))
    });
    assert_eq!(screen.wait_line("the first login taken in", Duration::from_secs(1), |_| true), quiet);

    // The server goes away while the watcher IDLEs.
    dovecot.run(&["stop"]);
    assert_eq!(dovecot.end_sessions(USER), 1, "the watcher's one session");
    let lost = screen.wait_line("the lost connection", Duration::from_secs(15), |l| {
        l.contains(&format!("lost the connection to {name}: reconnecting in 1 s"))
    });
    println!("status line, server stopped: {lost}");
    assert!(lost.contains(&format!("check the server in {key} and the network")), "{lost}");

    // It comes back with another password: the venue's problem, said with what to check.
    dovecot.run(&["adduser", USER, "a new password"]);
    dovecot.restart();
    let refused = screen.wait_line("the refused login", Duration::from_secs(15), |l| {
        l.contains(&format!("{name} refused our login: check {key} and its password"))
    });
    println!("status line, password changed: {refused}");
    assert!(!refused.contains(PASSWORD) && !refused.contains("a new password"), "{refused}");
    assert_eq!(screen.app.services_off.len(), 1, "{:?}", screen.app.services_off);

    // The password is put back: the next try logs in, the line is cleared and says so.
    dovecot.run(&["adduser", USER, PASSWORD]);
    let back = if role == Role::Bounces { "Bounce mailbox connected again" } else { "Reply mailbox connected again" };
    screen.wait_line("the mailbox back on", Duration::from_secs(15), |l| l == back);
    assert!(screen.app.services_off.is_empty(), "{:?}", screen.app.services_off);

    // And it works again: mail delivered now is taken in.
    std::thread::sleep(Duration::from_millis(300));
    let store = Store::open(&f.db).unwrap();
    match role {
        Role::Bounces => {
            dovecot.deliver(&dsn(&f.message, "dsn-back"));
            wait_for("the bounce after the reconnection", Duration::from_secs(10), || {
                store.message(f.message.id).unwrap().state == MessageState::Bounced
            });
        }
        Role::Replies => {
            dovecot.deliver(&reply(
                "Ada Guest <ada@example.org>",
                Some(&f.message.message_id),
                "ada-back",
                "Re: Your reservation",
                "",
                "See you at 19:30\r\n",
            ));
            wait_for("the reply after the reconnection", Duration::from_secs(10), || {
                !store.replies_for_message(f.message.id).unwrap().is_empty()
            });
        }
    }
    stop.store(true, Ordering::SeqCst);
    let report = thread.join().unwrap();
    assert_eq!(report.sessions, 2, "one session before the stop, one after the password came back: {report:?}");
    let statuses = statuses.lock().unwrap().clone();
    let kinds: Vec<&str> = statuses
        .iter()
        .map(|s| match s {
            Status::Watching { .. } => "watching",
            Status::Lost { .. } => "lost",
            Status::Refused { .. } => "refused",
        })
        .collect();
    let mut compact = kinds.clone();
    compact.dedup();
    // Lost (possibly tried more than once while the server was down), then refused, then back.
    assert_eq!(compact, ["watching", "lost", "refused", "watching"], "{kinds:?}");
}

#[test]
fn the_reply_mailbox_lost_or_refused_shows_on_the_status_line_until_it_is_back_on() {
    if skip("the_reply_mailbox_lost_or_refused_shows_on_the_status_line_until_it_is_back_on") {
        return;
    }
    trouble_then_back_on(Role::Replies);
}

#[test]
fn the_bounce_mailbox_lost_or_refused_shows_on_the_status_line_until_it_is_back_on() {
    if skip("the_bounce_mailbox_lost_or_refused_shows_on_the_status_line_until_it_is_back_on") {
        return;
    }
    trouble_then_back_on(Role::Bounces);
}

/// Taken in from a mailbox of 10,000 bounces: a timed run, not a timed assertion.
#[test]
#[ignore = "a timed run: cargo test --release --test e2e_imap -- --ignored --nocapture"]
fn ten_thousand_bounces_timed() {
    const N: usize = 10_000;
    if skip("ten_thousand_bounces_timed") {
        return;
    }
    let dovecot = Dovecot::start();
    let f = fixture();
    // Written straight into the Maildir as the mail uid (as `deliver` does, without a
    // process per message).
    let marker = std::fs::read_to_string(dovecot.dir.path().join(".dovecot_e2e")).unwrap();
    let get = |k: &str| {
        marker
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .unwrap()
    };
    let (uid, gid) = (get("uid"), get("gid"));
    let new = dovecot.maildir("INBOX").join("new");
    for i in 0..N {
        let path = new.join(format!("17000{i:05}.M1P1Q{i}.bench"));
        std::fs::write(&path, dsn(&f.message, &format!("bench-{i}"))).unwrap();
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
    }
    let settings =
        MailboxSettings::bounces_from_config(&dovecot.config(f.dir.path(), &dovecot.imaps_url())).unwrap().unwrap();
    let start = Instant::now();
    let watcher = Watcher::start(&f.db, settings);
    let took = wait_for("10,000 bounces moved", Duration::from_mins(10), || {
        dovecot.messages("guestmail-processed").len() == N
    });
    let (report, _) = watcher.stop();
    assert_eq!(report.bounces, N, "{report:?}");
    let secs = start.elapsed().as_secs_f64().max(took.as_secs_f64());
    println!("FIGURE imap bounces: {N} taken in and moved in {secs:.1} s = {:.0} messages/s", N as f64 / secs);
}

/// The venue changed the mailbox's password at the provider, guestmail's login is refused,
/// and then the venue writes the new password into the password file: the watcher tries it
/// at once (within seconds), not after the minutes a refused login otherwise waits, and
/// without a restart.
#[test]
fn a_fixed_password_file_is_tried_at_once_after_a_refused_login() {
    if skip("a_fixed_password_file_is_tried_at_once_after_a_refused_login") {
        return;
    }
    let dovecot = Dovecot::start();
    let f = fixture();
    let config = dovecot.config(f.dir.path(), &dovecot.imaps_url());
    let pw = config.bounce_mailbox_password_file.clone().unwrap();
    dovecot.run(&["adduser", USER, "the provider's new one"]);
    let mut settings = MailboxSettings::bounces_from_config(&config).unwrap().unwrap();
    // A refused login waits a minute here: far longer than the test allows.
    settings.retry = Retry { lost: vec![Duration::from_secs(1)], refused: vec![Duration::from_mins(1)] };
    let watcher = Watcher::start(&f.db, settings);
    wait_for("the refused login", Duration::from_secs(10), || {
        watcher.statuses.lock().unwrap().iter().any(|s| matches!(s, Status::Refused { .. }))
    });
    // Written where `guestmail status` reads it.
    let standing = |f: &Fixture| Store::open(&f.db).unwrap().mailbox_standings().unwrap()[0].state.clone();
    assert_eq!(standing(&f), "refused");
    std::fs::write(&pw, "the provider's new one").unwrap();
    let took = wait_for("the login with the new password", Duration::from_secs(10), || {
        watcher.statuses.lock().unwrap().iter().any(|s| matches!(s, Status::Watching { .. }))
    });
    println!("FIGURE imap: a fixed password file logged in {} ms after it was written", took.as_millis());
    let (report, statuses) = watcher.stop();
    assert_eq!(report.sessions, 1, "{report:?}");
    assert_eq!(standing(&f), "watching");
    let log = std::fs::read_to_string(dovecot.dir.path().join("log/dovecot.log")).unwrap_or_default();
    assert!(!format!("{statuses:?}").contains("the provider's new one"), "no password in a status");
    assert!(log.contains(&format!("Login: user=<{USER}>")), "logged in");
}
