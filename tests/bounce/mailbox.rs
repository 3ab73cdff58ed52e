//! The IMAP bounce mailbox's bookkeeping in the store, on both engines: each message
//! recorded once by UIDVALIDITY and UID, settled later, and the watcher's standing whose
//! `since` moves only when its state changes.

use crate::support::engines::{Db, Engine};

use guestmail::store::{BounceLinks, MailboxKind, MailboxUid, Store};

fn a_mailbox_message_is_recorded_once_and_settled_later(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).expect("open");
    let at = MailboxUid { mailbox: "bounces@mail.example:993/INBOX", uidvalidity: 7, uid: 3 };
    let links = BounceLinks::default();
    let first = store.record_mailbox_message(at, "k1", &links, &[], true, 12).expect("record");
    assert!(!first.already_processed);
    let again = store.record_mailbox_message(at, "k1", &links, &[], true, 12).expect("record again");
    assert!(again.already_processed, "the same key is taken in once");
    store.record_mailbox_message(MailboxUid { uid: 4, ..at }, "k2", &links, &[], false, 12).expect("other");
    let seen = store.mailbox_seen(at.mailbox, 7).expect("seen");
    assert_eq!(seen.get(&3), Some(&MailboxKind::Bounce { settled: false }));
    assert_eq!(seen.get(&4), Some(&MailboxKind::Other));
    assert!(store.mailbox_seen(at.mailbox, 8).expect("seen").is_empty(), "another UIDVALIDITY is another mailbox");
    store.settle_mailbox_messages(at.mailbox, 7, &[3]).expect("settle");
    assert_eq!(store.mailbox_seen(at.mailbox, 7).expect("seen").get(&3), Some(&MailboxKind::Bounce { settled: true }));
}

fn a_watchers_standing_keeps_its_since_until_the_state_changes(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).expect("open");
    let mailbox = "bounces@mail.example:993/INBOX";
    store.record_mailbox_standing("bounce_mailbox", mailbox, "refused", "login refused").expect("write");
    let first = store.mailbox_standings().expect("read").remove(0);
    std::thread::sleep(std::time::Duration::from_millis(5));
    store.record_mailbox_standing("bounce_mailbox", mailbox, "refused", "login refused again").expect("write");
    let again = store.mailbox_standings().expect("read").remove(0);
    assert_eq!(again.since, first.since, "refused again: still refused since the first time");
    assert!(again.updated_at > first.updated_at);
    assert_eq!(again.detail, "login refused again");
    std::thread::sleep(std::time::Duration::from_millis(5));
    store.record_mailbox_standing("bounce_mailbox", mailbox, "watching", "").expect("write");
    let now = store.mailbox_standings().expect("read");
    assert_eq!(now.len(), 1, "one row per role");
    assert_eq!(now[0].state, "watching");
    assert!(now[0].since > first.since, "a new state starts a new since");
}

crate::both_engines!(
    a_mailbox_message_is_recorded_once_and_settled_later,
    a_watchers_standing_keeps_its_since_until_the_state_changes
);
