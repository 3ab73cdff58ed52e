//! The communication-history screen's query on both engines: newest first, every filter
//! (the text one through FTS5 on SQLite, a trigram index on PostgreSQL), and keyset paging
//! that neither skips nor repeats a row.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use guestmail::domain::{EmailKind, Language, MessageState, ReservationStatus};
use guestmail::store::{CommCursor, CommFilter, CommRow, DemoMessage, Store};

use crate::support::engines::{Db, Engine};

const T0: i64 = 1_790_000_000_000;
const MIN: i64 = 60_000;

/// 3 named guests with 10 emails each at distinct times, plus `crowd` guests all called
/// "Crowd Zz" with one email each (to take the many-guests path of the text filter).
fn fixture(db: &Db, crowd: usize) -> Store {
    let mut store = Store::open(&db.location).unwrap();
    let kinds = [EmailKind::Pending, EmailKind::Confirmed, EmailKind::Reminder];
    let states = [MessageState::Sent, MessageState::Bounced, MessageState::Deferred, MessageState::Suppressed];
    store
        .demo_bulk(|w| {
            let when = NaiveDate::from_ymd_opt(2037, 11, 23).unwrap().and_hms_opt(20, 0, 0).unwrap();
            let mut n = 0_i64;
            let guests = [
                ("Anna Peeters", "anna@example.be"),
                ("Bob Smith", "bob@example.org"),
                ("Chloé Moreau", "chloe_m@example.fr"),
            ];
            for _ in 0..10 {
                for (name, email) in guests {
                    let g = w.guest(name, email, "", Language::En, 0)?;
                    let r = w.reservation(g, when, 2, ReservationStatus::Confirmed, "", 0)?;
                    let m = DemoMessage {
                        reservation_id: r,
                        guest_id: g,
                        kind: kinds[(n % 3) as usize],
                        recipient: email,
                        subject: "",
                        state: states[(n % 4) as usize],
                        // Ids and times in different orders: newest first is by time.
                        created_at: T0 + ((n * 7) % 30) * MIN,
                        sent_at: None,
                        server_reply: None,
                        last_error: None,
                        next_attempt_at: None,
                        opens: &[],
                    };
                    w.message(&m, "test.localhost")?;
                    n += 1;
                }
            }
            for c in 0..crowd {
                let email = format!("crowd{c}@example.net");
                let g = w.guest("Crowd Zz", &email, "", Language::En, 0)?;
                let r = w.reservation(g, when, 2, ReservationStatus::Confirmed, "", 0)?;
                let m = DemoMessage {
                    reservation_id: r,
                    guest_id: g,
                    kind: EmailKind::Pending,
                    recipient: &email,
                    subject: "",
                    state: MessageState::Sent,
                    created_at: T0 - (c as i64 + 1) * MIN,
                    sent_at: None,
                    server_reply: None,
                    last_error: None,
                    next_attempt_at: None,
                    opens: &[],
                };
                w.message(&m, "test.localhost")?;
            }
            Ok(())
        })
        .unwrap();
    store
}

/// Reads every page of `limit` rows.
fn all_pages(store: &Store, f: &CommFilter, limit: usize) -> Vec<CommRow> {
    let mut out: Vec<CommRow> = Vec::new();
    let mut after: Option<CommCursor> = None;
    loop {
        let page = store.communication_history(f, limit, after).unwrap();
        assert!(page.len() <= limit);
        let Some(last) = page.last() else { break };
        after = Some(last.cursor());
        out.extend(page);
    }
    out
}

fn assert_newest_first(rows: &[CommRow]) {
    assert!(rows.windows(2).all(|w| (w[0].created_at, w[0].id) > (w[1].created_at, w[1].id)), "not newest first");
}

fn every_email_newest_first_and_paging_neither_skips_nor_repeats(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let store = fixture(db, 0);
    let first = store.communication_history(&CommFilter::default(), 7, None).unwrap();
    assert_eq!(first.len(), 7);
    let all = all_pages(&store, &CommFilter::default(), 7);
    assert_eq!(all.len(), 30);
    assert_newest_first(&all);
    assert_eq!(&all[..7], &first[..]);
    let mut ids: Vec<i64> = all.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    assert_eq!(all[0].created_at, T0 + 29 * MIN);
    assert!(all.iter().all(|r| r.reservation_at.is_some() && !r.guest_name.is_empty()));
}

crate::both_engines!(every_email_newest_first_and_paging_neither_skips_nor_repeats);

fn filters_by_kind_state_dates_and_text_combine(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let store = fixture(db, 0);
    let everything = all_pages(&store, &CommFilter::default(), 100);
    let check = |f: CommFilter, keep: &dyn Fn(&CommRow) -> bool| {
        let got = all_pages(&store, &f, 4);
        assert_newest_first(&got);
        let want: Vec<i64> = everything.iter().filter(|r| keep(r)).map(|r| r.id).collect();
        assert!(!want.is_empty(), "the fixture has rows for {f:?}");
        assert_eq!(got.iter().map(|r| r.id).collect::<Vec<_>>(), want, "{f:?}");
    };
    check(CommFilter { kind: Some(EmailKind::Reminder), ..CommFilter::default() }, &|r| r.kind == EmailKind::Reminder);
    check(CommFilter { state: Some(MessageState::Deferred), ..CommFilter::default() }, &|r| {
        r.state == MessageState::Deferred
    });
    let (from, to) = (T0 + 10 * MIN, T0 + 20 * MIN);
    check(CommFilter { from: Some(from), to: Some(to), ..CommFilter::default() }, &|r| {
        r.created_at >= from && r.created_at < to
    });
    check(CommFilter { text: "PEETERS".into(), ..CommFilter::default() }, &|r| r.guest_name == "Anna Peeters");
    check(CommFilter { text: "example.org".into(), ..CommFilter::default() }, &|r| r.recipient == "bob@example.org");
    // Under three letters the trigram index cannot help: guests are scanned instead.
    check(CommFilter { text: "ob".into(), ..CommFilter::default() }, &|r| r.guest_name == "Bob Smith");
    // `_` is a letter here, not LIKE's any-character wildcard.
    check(CommFilter { text: "e_m@".into(), ..CommFilter::default() }, &|r| r.recipient == "chloe_m@example.fr");
    assert!(
        store
            .communication_history(&CommFilter { text: "e_x".into(), ..CommFilter::default() }, 10, None)
            .unwrap()
            .is_empty()
    );
    check(
        CommFilter {
            kind: Some(EmailKind::Confirmed),
            state: Some(MessageState::Sent),
            text: "smith".into(),
            from: Some(T0),
            to: None,
            venue: None,
        },
        &|r| r.kind == EmailKind::Confirmed && r.state == MessageState::Sent && r.guest_name == "Bob Smith",
    );
}

crate::both_engines!(filters_by_kind_state_dates_and_text_combine);

fn a_text_many_guests_share_pages_the_same_way(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    // More guests match than the guest-by-guest path takes: the time-ordered walk filters.
    let store = fixture(db, 2_010);
    let f = CommFilter { text: "crowd zz".into(), ..CommFilter::default() };
    let got = all_pages(&store, &f, 50);
    assert_eq!(got.len(), 2_010);
    assert_newest_first(&got);
    assert!(got.iter().all(|r| r.guest_name == "Crowd Zz"));
    let few = CommFilter { text: "crowd1".into(), ..CommFilter::default() };
    // crowd1, crowd10..19, crowd100..199, crowd1000..1999: 1,111 guests, read guest by guest.
    let got = all_pages(&store, &few, 50);
    assert_eq!(got.len(), 1_111);
    assert_newest_first(&got);
}

crate::both_engines!(a_text_many_guests_share_pages_the_same_way);
