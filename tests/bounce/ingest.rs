//! Bounce ingestion from a real Maildir in a temp dir into the store, on both engines (a
//! SQLite file, and a PostgreSQL schema when `GUESTMAIL_TEST_PG` names a server): each message
//! taken in once (even after a restart), matching by VERP token, Message-ID and our header,
//! unmatched reports kept, the error counter, the block past the threshold, the reset and the
//! re-block.

use crate::support;

use support::outbox_env as env;
use support::smtp;

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use env::{booking, flush};
use guestmail::bounce::ingest::{Limits, WatchReport, ingest_maildir, watch_until};
use guestmail::config::Config;
use guestmail::domain::{Language, MessageState, NewReservation, ReservationStatus};
use guestmail::mail::Worker;
use guestmail::store::{MessageRecord, Store};
use smtp::TestSmtp;
use support::engines::{Db, Engine};

const GUEST: &str = "guest@example.org";

struct Fixture {
    db: PathBuf,
    maildir: PathBuf,
    store: Store,
    message: MessageRecord,
}

fn fixture(on: &Db) -> Fixture {
    let db = on.location.clone();
    let maildir = on.dir.path().join("Maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    let mut store = Store::open(&db).expect("store");
    let id = store
        .create_reservation(&NewReservation {
            name: "Ada Guest".into(),
            email: GUEST.into(),
            phone: String::new(),
            language: Language::En,
            starts_at: NaiveDate::from_ymd_opt(2037, 5, 1).and_then(|d| d.and_hms_opt(19, 30, 0)).expect("date"),
            party_size: 2,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .expect("reservation");
    let message =
        store.messages_for_reservation(id).expect("messages").into_iter().next().expect("pending email queued");
    Fixture { db, maildir, store, message }
}

/// A standard DSN about `recipient`, delivered to `to`, returning the original's headers.
fn dsn(to: &str, recipient: &str, status: &str, action: &str, returned_headers: &str) -> String {
    let words = if status == "5.2.2" { "Mailbox full" } else { "Recipient address rejected: User unknown" };
    format!(
        "Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: {to}\n\
Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\n\
Content-Type: text/plain\n\nYour message could not be delivered.\n\n--B\n\
Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n\
Final-Recipient: rfc822; {recipient}\nAction: {action}\nStatus: {status}\n\
Diagnostic-Code: smtp; 550 {status} <{recipient}>: {words}\n\n--B\n\
Content-Type: text/rfc822-headers\n\n{returned_headers}From: Le Petit Bistro <hello@bistro.example>\nTo: {recipient}\n\
Subject: Your reservation\n\n--B--\n"
    )
}

fn limits(block_after: u32) -> Limits {
    Limits { block_after, ..Limits::from(&Config::default()) }
}

fn verp(message: &MessageRecord) -> String {
    format!("bounces+{}@bistro.example", message.token)
}

fn deliver(maildir: &Path, name: &str, text: &str) {
    std::fs::write(maildir.join("new").join(name), text).expect("write mail");
}

fn error_count(store: &Store) -> (u32, bool) {
    store.address(GUEST).expect("address").map_or((0, false), |a| (a.error_count, a.blocked))
}

fn each_message_is_taken_in_once_even_after_a_restart(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let bounce = dsn(&verp(&f.message), GUEST, "5.1.1", "failed", "");
    deliver(&f.maildir, "1700000000.M1P1.host", &bounce);
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!((summary.messages, summary.bounces, summary.matched, summary.errors_counted), (1, 1, 1, 1));
    assert!(f.maildir.join("cur/1700000000.M1P1.host:2,S").is_file(), "moved to cur/ with the Seen flag");
    assert!(std::fs::read_dir(f.maildir.join("new")).expect("new/").next().is_none());
    assert_eq!(f.store.message(f.message.id).expect("message").state, MessageState::Bounced);
    assert_eq!(f.store.bounces_for_message(f.message.id).expect("bounces").len(), 1);

    // A second pass finds nothing new.
    let again = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!(again.messages, 0);

    // Restart: a new connection, and the same message back in new/ (a crash before the move).
    drop(f.store);
    let mut store = Store::open(&f.db).expect("reopen");
    deliver(&f.maildir, "1700000000.M1P1.host", &bounce);
    let after_restart = ingest_maildir(&mut store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!((after_restart.messages, after_restart.already_processed, after_restart.errors_counted), (1, 1, 0));
    assert_eq!(error_count(&store), (1, false), "counted once");
    assert_eq!(store.bounces_for_message(f.message.id).expect("bounces").len(), 1);
}

crate::both_engines!(each_message_is_taken_in_once_even_after_a_restart);

fn cur_messages_without_the_seen_flag_are_taken_in(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let bounce = dsn(&verp(&f.message), GUEST, "5.2.2", "failed", "");
    std::fs::write(f.maildir.join("cur/1700000001.M2P2.host:2,F"), bounce).expect("write");
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!(summary.errors_counted, 1);
    assert!(f.maildir.join("cur/1700000001.M2P2.host:2,FS").is_file(), "flags kept, Seen added");
}

crate::both_engines!(cur_messages_without_the_seen_flag_are_taken_in);

fn a_bounce_is_tied_by_message_id_or_our_header_without_verp(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let mid = f.message.message_id.trim_matches(['<', '>']).to_owned();
    let by_mid = dsn("hello@bistro.example", GUEST, "5.1.1", "failed", &format!("Message-ID: <{mid}>\n"));
    let by_header =
        dsn("hello@bistro.example", GUEST, "5.1.1", "failed", &format!("X-Guestmail-Token: {}\n", f.message.token));
    deliver(&f.maildir, "1.a.host", &by_mid);
    deliver(&f.maildir, "2.b.host", &by_header);
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!((summary.matched, summary.unmatched), (2, 0));
    let rows = f.store.bounces_for_message(f.message.id).expect("bounces");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|b| b.class == "hard" && b.status.as_deref() == Some("5.1.1")));
}

crate::both_engines!(a_bounce_is_tied_by_message_id_or_our_header_without_verp);

fn unmatched_bounces_are_kept_and_count_nothing_on_strangers(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let stranger =
        dsn("bounces+0123456789abcdef0123456789abcdef@bistro.example", "nobody@else.example", "5.1.1", "failed", "");
    deliver(&f.maildir, "1.c.host", &stranger);
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!((summary.unmatched, summary.errors_counted), (1, 0));
    let unmatched = f.store.unmatched_bounces().expect("unmatched");
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].recipient.as_deref(), Some("nobody@else.example"));
    assert!(unmatched[0].message_id.is_none());
    assert!(f.store.address("nobody@else.example").expect("address").is_none());
    assert_eq!(f.store.message(f.message.id).expect("message").state, MessageState::Queued);
}

crate::both_engines!(unmatched_bounces_are_kept_and_count_nothing_on_strangers);

fn delays_auto_replies_and_ordinary_mail_count_nothing(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    deliver(&f.maildir, "1.d.host", &dsn(&verp(&f.message), GUEST, "4.4.1", "delayed", ""));
    let vacation = format!(
        "From: {GUEST}\nTo: {}\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n",
        verp(&f.message)
    );
    deliver(&f.maildir, "2.e.host", &vacation);
    let reply = format!("From: {GUEST}\nTo: hello@bistro.example\nSubject: Re: Your reservation\n\nSee you Friday!\n");
    deliver(&f.maildir, "3.f.host", &reply);
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!((summary.messages, summary.bounces, summary.not_bounces, summary.errors_counted), (3, 2, 1, 0));
    assert_eq!(error_count(&f.store), (0, false));
    assert_eq!(f.store.message(f.message.id).expect("message").state, MessageState::Queued);
    let classes: Vec<String> =
        f.store.bounces_for_message(f.message.id).expect("bounces").into_iter().map(|b| b.class).collect();
    assert_eq!(classes, ["delayed", "autoreply"]);
}

crate::both_engines!(delays_auto_replies_and_ordinary_mail_count_nothing);

fn the_counter_blocks_past_the_threshold_resets_and_blocks_again(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let block_after = Config::default().block_after;
    assert_eq!(block_after, 12);
    let bounce = dsn(&verp(&f.message), GUEST, "5.2.2", "failed", "");
    let mut n = 0;
    let mut deliver_and_ingest = |f: &mut Fixture, count: u32| {
        for _ in 0..count {
            n += 1;
            deliver(&f.maildir, &format!("{n}.g.host"), &bounce);
        }
        ingest_maildir(&mut f.store, &f.maildir, &limits(block_after)).expect("ingest")
    };
    deliver_and_ingest(&mut f, 12);
    assert_eq!(error_count(&f.store), (12, false), "12 errors: not yet above the threshold");
    let summary = deliver_and_ingest(&mut f, 1);
    assert_eq!(summary.newly_blocked, 1);
    assert_eq!(error_count(&f.store), (13, true), "13 errors: blocked");
    let address = f.store.address(GUEST).expect("address").expect("known");
    assert_eq!(address.last_error_status.as_deref(), Some("5.2.2"));
    assert_eq!(address.last_error_class.as_deref(), Some("soft"));

    f.store.reset_address(GUEST, "host").expect("reset");
    assert_eq!(error_count(&f.store), (0, false));
    deliver_and_ingest(&mut f, 12);
    assert_eq!(error_count(&f.store), (12, false));
    deliver_and_ingest(&mut f, 1);
    assert_eq!(error_count(&f.store), (13, true), "blocked again");
}

crate::both_engines!(the_counter_blocks_past_the_threshold_resets_and_blocks_again);

fn a_complaint_blocks_at_once(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let arf = format!(
        "From: feedback@isp.example\nTo: {}\nSubject: Abuse report\nMIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n--F\n\
Content-Type: text/plain\n\nThis is an email abuse report.\n\n--F\n\
Content-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\n\
Original-Rcpt-To: {GUEST}\n\n--F\nContent-Type: message/rfc822\n\nFrom: hello@bistro.example\nTo: {GUEST}\n\
Subject: Your reservation\n\nHello\n--F--\n",
        verp(&f.message)
    );
    deliver(&f.maildir, "1.h.host", &arf);
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    assert_eq!((summary.errors_counted, summary.newly_blocked), (1, 1));
    assert_eq!(error_count(&f.store), (1, true));
}

crate::both_engines!(a_complaint_blocks_at_once);

fn a_directory_that_is_not_a_maildir_is_a_clear_error(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let err = ingest_maildir(&mut f.store, &f.maildir.join("missing"), &limits(12)).expect_err("not a maildir");
    assert!(err.to_string().contains("not a Maildir"), "{err}");
}

crate::both_engines!(a_directory_that_is_not_a_maildir_is_a_clear_error);

fn the_watcher_takes_in_new_mail_until_stopped(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let f = fixture(db);
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, dir, store) = (Arc::clone(&stop), f.maildir.clone(), Store::open(&f.db).expect("watcher store"));
        std::thread::spawn(move || watch_until(&stop, store, &dir, limits(12)))
    };
    deliver(&f.maildir, "1.w.host", &dsn(&verp(&f.message), GUEST, "5.1.1", "failed", ""));
    // A loose stall guard, not a timing assertion: the watcher polls every two seconds.
    let deadline = Instant::now() + Duration::from_mins(1);
    while error_count(&f.store).0 == 0 {
        assert!(Instant::now() < deadline, "the watcher never took the bounce in");
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    watcher.join().expect("the watcher thread ends when stopped");
    assert_eq!(error_count(&f.store), (1, false));
}

crate::both_engines!(the_watcher_takes_in_new_mail_until_stopped);

/// Bytes this thread has read from files so far (`rchar` of /proc/thread-self/io): what a
/// pass over the Maildir really pulled in, whatever the page cache holds.
fn bytes_read_by_this_thread() -> u64 {
    let io = std::fs::read_to_string("/proc/thread-self/io").expect("/proc/thread-self/io (Linux)");
    io.lines().find_map(|l| l.strip_prefix("rchar: ")).and_then(|v| v.trim().parse().ok()).expect("rchar")
}

/// A sparse file of `size` bytes that starts with `head`.
fn huge_file(path: &Path, head: &str, size: u64) {
    let file = std::fs::File::create(path).expect("create");
    std::io::Write::write_all(&mut &file, head.as_bytes()).expect("head");
    file.set_len(size).expect("grow");
}

const HUGE: u64 = 200 * 1024 * 1024;

fn a_200_mb_bounce_is_parsed_from_its_head_without_reading_the_rest(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    // A real report whose returned original carries a 200 MB attachment.
    let head = dsn(&verp(&f.message), GUEST, "5.1.1", "failed", "").replace(
        "--B--\n",
        "--B\nContent-Type: message/rfc822\n\nFrom: hello@bistro.example\nTo: guest@example.org\n\
MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"I\"\n\n--I\n\
Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n",
    );
    huge_file(&f.maildir.join("new/1.huge.host"), &head, HUGE);
    let before = bytes_read_by_this_thread();
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    let read = bytes_read_by_this_thread() - before;
    assert_eq!((summary.bounces, summary.matched, summary.errors_counted), (1, 1, 1), "{summary}");
    assert!(read < 8 * 1024 * 1024, "read {read} bytes of a {HUGE}-byte file");
    assert_eq!(f.store.message(f.message.id).expect("message").state, MessageState::Bounced);
    assert!(f.maildir.join("cur/1.huge.host:2,S").is_file());
}

crate::both_engines!(a_200_mb_bounce_is_parsed_from_its_head_without_reading_the_rest);

fn a_200_mb_message_that_is_no_report_is_set_aside_unread(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let reply = format!("From: {GUEST}\nTo: hello@bistro.example\nSubject: Photos of the evening\n\nSee attached!\n");
    huge_file(&f.maildir.join("new/2.photos.host"), &reply, HUGE);
    let before = bytes_read_by_this_thread();
    let summary = ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("ingest");
    let read = bytes_read_by_this_thread() - before;
    assert_eq!((summary.set_aside, summary.bounces, summary.errors_counted), (1, 0, 0), "{summary}");
    assert!(read < 8 * 1024 * 1024, "read {read} bytes of a {HUGE}-byte file");
    let aside = f.maildir.join("too-big/2.photos.host");
    assert_eq!(std::fs::metadata(&aside).expect("set aside in too-big/").len(), HUGE);
    assert_eq!(ingest_maildir(&mut f.store, &f.maildir, &limits(12)).expect("again").messages, 0);
}

crate::both_engines!(a_200_mb_message_that_is_no_report_is_set_aside_unread);

fn a_file_just_over_a_small_limit_is_cut_but_one_under_it_is_read_whole(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut f = fixture(db);
    let bounce = dsn(&verp(&f.message), GUEST, "5.2.2", "failed", "");
    deliver(&f.maildir, "1.small.host", &bounce);
    let whole = Limits { block_after: 12, max_bytes: bounce.len() as u64 };
    assert_eq!(ingest_maildir(&mut f.store, &f.maildir, &whole).expect("ingest").errors_counted, 1);
    // Over a (silly) limit of 200 bytes, only the top headers are read: not a report.
    deliver(&f.maildir, "2.small.host", &bounce);
    let tiny = Limits { block_after: 12, max_bytes: 200 };
    let summary = ingest_maildir(&mut f.store, &f.maildir, &tiny).expect("ingest");
    assert_eq!((summary.set_aside, summary.errors_counted), (1, 0), "{summary}");
}

crate::both_engines!(a_file_just_over_a_small_limit_is_cut_but_one_under_it_is_read_whole);

fn a_verp_token_that_matches_no_email_counts_nothing_even_for_our_guest(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let server = TestSmtp::start();
    let env = env_on(db, &server.url());
    let id = env.store().create_reservation(&booking("Ada", GUEST, Language::En, "2037-05-01 19:30", 2)).expect("book");
    flush(&mut env.worker());
    let mut store = env.store();
    let sent = store.messages_for_reservation(id).expect("messages").remove(0);
    assert_eq!(sent.state, MessageState::Sent);
    let maildir = maildir_in(env.db.dir.path());
    // Someone else's mail to the same address, returned to a token that is none of ours.
    let foreign = dsn("bounces+0123456789abcdef0123456789abcdef@mail.chez.example", GUEST, "5.1.1", "failed", "");
    deliver(&maildir, "1.foreign.host", &foreign);
    let summary = ingest_maildir(&mut store, &maildir, &limits(12)).expect("ingest");
    assert_eq!((summary.recipients, summary.matched, summary.unmatched, summary.errors_counted), (1, 0, 1, 0));
    assert_eq!(store.message(sent.id).expect("message").state, MessageState::Sent, "not blamed on our email");
    assert_eq!(error_count(&store), (0, false));
    assert_eq!(store.unmatched_bounces().expect("unmatched").len(), 1, "kept for staff to look at");
}

crate::both_engines!(a_verp_token_that_matches_no_email_counts_nothing_even_for_our_guest);

fn a_report_about_an_email_refused_at_rcpt_is_counted_once_and_it_stays_failed(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let server = TestSmtp::start();
    server.refuse(GUEST, 550, "5.1.1 <guest@example.org>: Recipient address rejected: User unknown", None);
    let env = env_on(db, &server.url());
    let id = env.store().create_reservation(&booking("Ada", GUEST, Language::En, "2037-05-01 19:30", 2)).expect("book");
    flush(&mut env.worker());
    let mut store = env.store();
    let refused = store.messages_for_reservation(id).expect("messages").remove(0);
    assert_eq!(refused.state, MessageState::Failed);
    assert_eq!(error_count(&store), (1, false), "counted at RCPT");
    // A relay on the way reports the same refusal later, to the email's own VERP address.
    let maildir = maildir_in(env.db.dir.path());
    deliver(&maildir, "1.late.host", &dsn(&verp(&refused), GUEST, "5.1.1", "failed", ""));
    let summary = ingest_maildir(&mut store, &maildir, &limits(12)).expect("ingest");
    assert_eq!((summary.matched, summary.errors_counted), (1, 0), "{summary}");
    assert_eq!(error_count(&store), (1, false), "counted once");
    assert_eq!(store.message(refused.id).expect("message").state, MessageState::Failed);
    assert_eq!(store.bounces_for_message(refused.id).expect("bounces").len(), 1, "the report is kept");
}

crate::both_engines!(a_report_about_an_email_refused_at_rcpt_is_counted_once_and_it_stays_failed);

/// What sending needs, with its store on `db`'s engine: a config for the loopback server,
/// the store and a worker, as `support::outbox_env` sets them up for a file.
struct Sending<'a> {
    db: &'a Db,
    config: Config,
}

impl Sending<'_> {
    fn store(&self) -> Store {
        Store::open(&self.db.location).expect("open store").with_message_domain(self.config.sender_domain())
    }

    fn worker(&self) -> Worker {
        Worker::open(&self.config, &self.db.location, &self.db.dir.path().join("outbox")).expect("worker")
    }
}

fn env_on<'a>(db: &'a Db, smtp_url: &str) -> Sending<'a> {
    let config = Config::parse(&env::config_text(Some(smtp_url)), Path::new("test.toml")).expect("valid config");
    Sending { db, config }
}

fn maildir_in(dir: &Path) -> PathBuf {
    let maildir = dir.join("Maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    maildir
}

/// Runs a watcher on its own thread with its own connection, as serve and the screen do.
fn spawn_watcher(db: &Path, maildir: &Path, stop: &Arc<AtomicBool>) -> std::thread::JoinHandle<WatchReport> {
    let (stop, dir, store) = (Arc::clone(stop), maildir.to_owned(), Store::open(db).expect("watcher store"));
    std::thread::spawn(move || watch_until(&stop, store, &dir, limits(100)))
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    // A loose stall guard, not a timing assertion: watchers poll every two seconds.
    let deadline = Instant::now() + Duration::from_mins(1);
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn two_watchers_on_one_database_take_each_file_in_once_and_the_second_takes_over(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let f = fixture(db);
    let first_stop = Arc::new(AtomicBool::new(false));
    let first = spawn_watcher(&f.db, &f.maildir, &first_stop);
    let bounce = dsn(&verp(&f.message), GUEST, "5.2.2", "failed", "");
    deliver(&f.maildir, "0.w.host", &bounce);
    wait_until("the first watcher never took the bounce in", || error_count(&f.store).0 == 1);
    // The second one (the screen next to a running serve) stands by while the first holds on.
    let second_stop = Arc::new(AtomicBool::new(false));
    let second = spawn_watcher(&f.db, &f.maildir, &second_stop);
    for n in 1..=10 {
        deliver(&f.maildir, &format!("{n}.w.host"), &bounce);
    }
    wait_until("not every bounce was taken in", || error_count(&f.store).0 == 11);
    first_stop.store(true, Ordering::Relaxed);
    let first = first.join().expect("first watcher");
    for n in 11..=15 {
        deliver(&f.maildir, &format!("{n}.w.host"), &bounce);
    }
    wait_until("the second watcher never took over", || error_count(&f.store).0 == 16);
    second_stop.store(true, Ordering::Relaxed);
    let second = second.join().expect("second watcher");
    assert_eq!((first.taken_in, first.stood_by), (11, 0), "{first:?}");
    assert_eq!(second.taken_in, 5, "{second:?}");
    assert!(second.stood_by > 0, "{second:?}");
    assert_eq!(error_count(&f.store), (16, false), "each file counted once");
    assert_eq!(std::fs::read_dir(f.maildir.join("cur")).expect("cur").count(), 16);
}

crate::both_engines!(two_watchers_on_one_database_take_each_file_in_once_and_the_second_takes_over);
