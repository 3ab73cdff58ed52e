//! The history queries on both engines: the follow-up list and phone confirmations, a
//! guest's history with its paging and notes, one email's merged log, and the delivery
//! health (its query plan checked on SQLite). The communication-history screen has its own file (`history_comm.rs`).

#![allow(clippy::unwrap_used)]

use crate::support;

use std::borrow::Cow;
use std::net::IpAddr;

use guestmail::domain::{BounceClass, EmailKind, EventKind, Language, MessageState, NewReservation, ReservationStatus};
use guestmail::store::{
    AddressErrorInput, BounceLinks, DemoMessage, FollowUpReason, LogEntry, NewBounce, OpenHit, OpenVerdict, Store,
    StoreError, now_ms,
};
use support::engines::{Db, Engine};
use support::{day, marker_day};

/// The start of the fixture's day: every reservation of it is still to come.
fn dawn() -> chrono::NaiveDateTime {
    day().and_hms_opt(0, 0, 0).unwrap()
}

fn at(text: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn the_follow_up_list_has_the_guests_still_to_come_whose_email_did_not_get_through(engine: Engine) {
    use ReservationStatus::{Confirmed, Pending};
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let store = marker_day(&db.location);
    let list = store.follow_up(day(), dawn()).unwrap();
    let seen: Vec<(&str, String, ReservationStatus, FollowUpReason)> = list
        .iter()
        .map(|f| (f.guest_name.as_str(), f.starts_at.format("%H:%M").to_string(), f.status, f.reason))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("Amélie Martin", "12:00".into(), Confirmed, FollowUpReason::NotOpened { machine_opens: 0 }),
            ("Bram Peeters", "12:30".into(), Confirmed, FollowUpReason::NotSentYet),
            // Pending: the request is what may not have reached the guest.
            ("Claire Dubois", "13:00".into(), Pending, FollowUpReason::Bounced),
            ("François Leroy", "20:00".into(), Pending, FollowUpReason::NoConfirmation),
            ("Giulia Rossi", "20:30".into(), Confirmed, FollowUpReason::Suppressed),
        ],
        "completed (David), cancelled (Emma) and no-show (Hugo) reservations are not on the list"
    );
    assert!(list.iter().all(|f| f.phone.starts_with("+32 470")), "{list:#?}");
    // The next day: a confirmed reservation imported without any email, and a pending one.
    let next = store.follow_up(day().succ_opt().unwrap(), dawn()).unwrap();
    let names: Vec<(&str, FollowUpReason)> = next.iter().map(|f| (f.guest_name.as_str(), f.reason)).collect();
    assert_eq!(names, [("Ines Next", FollowUpReason::NoConfirmation), ("Jules Later", FollowUpReason::NoConfirmation)]);
    assert_eq!(next[0].message_id, None);
}

crate::both_engines!(the_follow_up_list_has_the_guests_still_to_come_whose_email_did_not_get_through);

fn the_follow_up_list_leaves_out_what_has_already_started(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let store = marker_day(&db.location);
    let names = |now: &str| -> Vec<String> {
        store.follow_up(day(), at(now)).unwrap().into_iter().map(|f| f.guest_name).collect()
    };
    // 12:30 exactly: Bram's table is being seated, no call any more.
    assert_eq!(names("2037-11-23 12:30"), ["Claire Dubois", "François Leroy", "Giulia Rossi"]);
    assert_eq!(names("2037-11-23 12:29"), ["Bram Peeters", "Claire Dubois", "François Leroy", "Giulia Rossi"]);
    assert!(names("2037-11-23 21:00").is_empty(), "the evening is over");
    // A later day is still to come in full.
    let tomorrow = store.follow_up(day().succ_opt().unwrap(), at("2037-11-23 21:00")).unwrap();
    assert_eq!(tomorrow.len(), 2);
}

crate::both_engines!(the_follow_up_list_leaves_out_what_has_already_started);

fn confirmed_by_phone_leaves_the_list_once_and_shows_in_the_history(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = marker_day(&db.location);
    let amelie = store.follow_up(day(), dawn()).unwrap()[0].clone();
    assert!(store.mark_confirmed_by_phone(amelie.reservation_id, "staff").unwrap());
    assert!(!store.mark_confirmed_by_phone(amelie.reservation_id, "staff").unwrap(), "a second call changes nothing");
    let names: Vec<String> = store.follow_up(day(), dawn()).unwrap().into_iter().map(|f| f.guest_name).collect();
    assert_eq!(names, ["Bram Peeters", "Claire Dubois", "François Leroy", "Giulia Rossi"]);
    assert!(store.reservation(amelie.reservation_id).unwrap().confirmed_by_phone);
    let logged = store.events_for_reservation(amelie.reservation_id).unwrap();
    assert_eq!(logged.iter().filter(|e| e.kind == EventKind::ConfirmedByPhone).count(), 1);
    assert!(logged.iter().all(|e| e.kind != EventKind::StatusChanged), "it was already confirmed");
    let history = store.guest_history(amelie.guest_id, 50, None).unwrap();
    let note = history.notes.iter().find(|n| n.kind == EventKind::ConfirmedByPhone).unwrap();
    assert_eq!((note.reservation_id, note.actor.as_str()), (Some(amelie.reservation_id), "staff"));

    let cancelled = store.day(day()).unwrap().into_iter().find(|r| r.status == ReservationStatus::Cancelled).unwrap();
    // The journey refuses a phone confirmation of a closed reservation, in its words.
    let err = store.mark_confirmed_by_phone(cancelled.id, "staff").unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    assert_eq!(err.to_string(), "a cancelled reservation cannot become confirmed");
    assert!(matches!(store.mark_confirmed_by_phone(999_999, "staff"), Err(StoreError::NotFound(_))));
}

crate::both_engines!(confirmed_by_phone_leaves_the_list_once_and_shows_in_the_history);

fn confirmed_by_phone_confirms_a_pending_reservation_without_an_email(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = marker_day(&db.location);
    let claire = store.follow_up(day(), dawn()).unwrap().into_iter().find(|f| f.guest_name == "Claire Dubois").unwrap();
    assert_eq!(claire.status, ReservationStatus::Pending);
    let emails_before = store.guest_history(claire.guest_id, 50, None).unwrap().emails;
    assert!(store.mark_confirmed_by_phone(claire.reservation_id, "staff").unwrap());
    let row = store.reservation(claire.reservation_id).unwrap();
    assert_eq!((row.status, row.confirmed_by_phone), (ReservationStatus::Confirmed, true));
    let logged = store.events_for_reservation(claire.reservation_id).unwrap();
    let kinds: Vec<EventKind> = logged
        .iter()
        .map(|e| e.kind)
        .filter(|k| matches!(k, EventKind::StatusChanged | EventKind::ConfirmedByPhone))
        .collect();
    assert_eq!(kinds, [EventKind::StatusChanged, EventKind::ConfirmedByPhone]);
    assert_eq!(
        store.guest_history(claire.guest_id, 50, None).unwrap().emails,
        emails_before,
        "no confirmation email is queued unless staff ask"
    );
    let names: Vec<String> = store.follow_up(day(), dawn()).unwrap().into_iter().map(|f| f.guest_name).collect();
    assert!(!names.contains(&"Claire Dubois".to_owned()), "{names:?}");
}

crate::both_engines!(confirmed_by_phone_confirms_a_pending_reservation_without_an_email);

fn book(store: &mut Store, email: &str, when: &str, status: ReservationStatus) -> i64 {
    store
        .create_reservation(&NewReservation {
            name: "Anna Peeters".into(),
            email: email.into(),
            phone: "+32 475 12 34 56".into(),
            language: Language::Nl,
            starts_at: chrono::NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M").unwrap(),
            party_size: 2,
            status,
            notes: String::new(),
        })
        .unwrap()
}

fn human_or_machine(f: &guestmail::store::OpenFacts<'_>) -> OpenVerdict {
    let machine = f.user_agent.is_some_and(|ua| ua.contains("Proxy"));
    if machine {
        OpenVerdict {
            kind: guestmail::store::OpenKind::Machine,
            rule: Cow::Borrowed("test"),
            reason: Cow::Borrowed("proxy"),
            via: None,
        }
    } else {
        OpenVerdict::person()
    }
}

fn a_guest_history_spans_reservations_newest_first_with_opens_resends_and_notes(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let first = book(&mut store, "anna@example.be", "2037-11-20 19:00", ReservationStatus::Pending);
    let second = book(&mut store, "anna@example.be", "2037-11-23 20:00", ReservationStatus::Confirmed);
    let other = book(&mut store, "someone@example.be", "2037-11-23 20:00", ReservationStatus::Confirmed);
    let guest = store.reservation(second).unwrap().guest.id;
    assert_eq!(store.reservation(first).unwrap().guest.id, guest, "same address, same guest");
    let confirmation = store.latest_message(second, EmailKind::Confirmed).unwrap().unwrap();
    store.fixture_mark_sent(confirmation.id, now_ms() - 60_000).unwrap();
    let ip: IpAddr = "192.0.2.7".parse().unwrap();
    let hit = |ua: &str| OpenHit {
        token: confirmation.token.clone(),
        at: now_ms(),
        ip: Some(ip),
        user_agent: Some(ua.into()),
    };
    store.record_opens(&[hit("Mail Proxy"), hit("iPhone Mail"), hit("iPhone Mail")], human_or_machine).unwrap();
    let resend = match store.resend_confirmation(second, true, "staff").unwrap() {
        guestmail::store::ResendOutcome::Queued { id, .. } => id,
        other => panic!("{other:?}"),
    };
    let error =
        AddressErrorInput { class: Some(BounceClass::Complaint), diagnostic: "abuse report", ..Default::default() };
    store.record_address_error("anna@example.be", &error, 12).unwrap();
    store.reset_address("anna@example.be", "staff").unwrap();

    let h = store.guest_history(guest, 50, None).unwrap();
    assert_eq!(
        (h.guest.name.as_str(), h.guest.phone.as_str(), h.guest.language),
        ("Anna Peeters", "+32 475 12 34 56", Language::Nl)
    );
    assert_eq!((h.address.error_count, h.address.blocked), (0, false), "reset after the complaint");
    assert_eq!(h.address.last_error.as_deref(), Some("abuse report"));
    let ids: Vec<i64> = h.emails.iter().map(|e| e.id).collect();
    let mut expected: Vec<i64> = store.messages_for_reservation(first).unwrap().iter().map(|m| m.id).collect();
    expected.extend(store.messages_for_reservation(second).unwrap().iter().map(|m| m.id));
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, expected, "every email of both reservations, newest first, none of the other guest's");
    assert!(store.messages_for_reservation(other).unwrap().iter().all(|m| !ids.contains(&m.id)));
    let newest = &h.emails[0];
    assert_eq!((newest.id, newest.resend_of), (resend, Some(confirmation.id)));
    let opened = h.emails.iter().find(|e| e.id == confirmation.id).unwrap();
    assert_eq!((opened.human_opens, opened.machine_opens, opened.state), (2, 1, MessageState::Sent));
    assert!(opened.first_opened_at.is_some() && opened.last_opened_at >= opened.first_opened_at);
    assert_eq!(opened.reservation_at.unwrap().format("%d/%m %H:%M").to_string(), "23/11 20:00");
    let kinds: Vec<EventKind> = h.notes.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [EventKind::Complaint, EventKind::CounterReset], "the timeline notes, oldest first");

    // Paging: two at a time, resuming below the last id, gives the same list.
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = store.guest_emails(guest, 2, before).unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(|e| e.id);
        paged.extend(page.into_iter().map(|e| e.id));
    }
    assert_eq!(paged, ids);
    assert!(matches!(store.guest_history(424_242, 10, None), Err(StoreError::NotFound(_))));
}

crate::both_engines!(a_guest_history_spans_reservations_newest_first_with_opens_resends_and_notes);

fn an_email_log_merges_events_opens_and_bounce_reports_in_time_order(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let r = book(&mut store, "anna@example.be", "2037-11-23 20:00", ReservationStatus::Confirmed);
    let m = store.latest_message(r, EmailKind::Confirmed).unwrap().unwrap();
    store.fixture_mark_sent(m.id, now_ms()).unwrap();
    let hit = OpenHit { token: m.token.clone(), at: now_ms() + 5, ip: None, user_agent: Some("Mail Proxy".into()) };
    store.record_opens(&[hit], human_or_machine).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(10));
    let bounce = NewBounce {
        recipient: "anna@example.be",
        class: BounceClass::Hard,
        status: Some("5.1.1"),
        reply_code: Some("550"),
        action: Some("failed"),
        diagnostic: "user unknown",
    };
    let links = BounceLinks { verp_token: Some(&m.token), ..BounceLinks::default() };
    store.record_bounce(None, "test", &links, &[bounce], 12).unwrap();
    let log = store.message_log(m.id).unwrap();
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at), "{log:#?}");
    let shape: Vec<String> = log
        .iter()
        .map(|l| match &l.entry {
            LogEntry::Event { kind, .. } => kind.to_string(),
            LogEntry::Open { machine, .. } => format!("open machine={machine}"),
            LogEntry::Bounce { class, status, .. } => format!("report {class} {}", status.as_deref().unwrap_or("")),
            LogEntry::Reply { auto, .. } => format!("reply auto={auto}"),
        })
        .collect();
    assert_eq!(shape, ["queued", "open machine=true", "bounced", "report hard 5.1.1"]);
}

crate::both_engines!(an_email_log_merges_events_opens_and_bounce_reports_in_time_order);

fn demo_message(
    w: &guestmail::store::DemoWriter<'_>,
    g: i64,
    r: i64,
    state: MessageState,
    at: i64,
    opens: &[(i64, bool)],
) {
    let m = DemoMessage {
        reservation_id: r,
        guest_id: g,
        kind: EmailKind::Confirmed,
        recipient: "health@example.be",
        subject: "",
        state,
        created_at: at,
        sent_at: Some(at + 1000),
        server_reply: None,
        last_error: None,
        next_attempt_at: None,
        opens,
    };
    w.message(&m, "test.localhost").unwrap();
}

fn delivery_health_counts_the_last_30_days_against_the_target(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let now = 1_800_000_000_000;
    let day_ms = 86_400_000;
    assert_eq!(store.delivery_health(now).unwrap().delivery_rate(), None);
    store
        .demo_bulk(|w| {
            let g = w.guest("Health", "health@example.be", "", Language::En, 0)?;
            let when = chrono::NaiveDate::from_ymd_opt(2037, 11, 23).unwrap().and_hms_opt(20, 0, 0).unwrap();
            let r = w.reservation(g, when, 2, ReservationStatus::Confirmed, "", 0)?;
            for i in 0..46 {
                let opens: &[(i64, bool)] = if i < 30 { &[(now - day_ms, false)] } else { &[(now - day_ms, true)] };
                demo_message(w, g, r, MessageState::Sent, now - 2 * day_ms, opens);
            }
            demo_message(w, g, r, MessageState::Bounced, now - 3 * day_ms, &[]);
            // A bounce report after a person opened it: it arrived all the same.
            demo_message(w, g, r, MessageState::Bounced, now - 3 * day_ms, &[(now - day_ms, false)]);
            demo_message(w, g, r, MessageState::Failed, now - 3 * day_ms, &[]);
            demo_message(w, g, r, MessageState::Sent, now - 29 * day_ms, &[]);
            // Not counted: still queued, never attempted, or older than 30 days.
            demo_message(w, g, r, MessageState::Queued, now - day_ms, &[]);
            demo_message(w, g, r, MessageState::Suppressed, now - day_ms, &[]);
            demo_message(w, g, r, MessageState::Bounced, now - 31 * day_ms, &[]);
            Ok(())
        })
        .unwrap();
    let h = store.delivery_health(now).unwrap();
    assert_eq!((h.attempted, h.delivered, h.opened), (50, 48, 31));
    assert!((h.delivery_rate().unwrap() - 0.96).abs() < 1e-9);
    assert!(h.below_target(), "96% is under the brief's 98%");
    if db.schema.is_some() {
        return;
    }
    let plan = store.explain(&guestmail::store::HEALTH_QUERY.replace("?1", "0")).unwrap();
    assert!(plan.iter().any(|l| l.contains("COVERING INDEX messages_by_state_created")), "{plan:#?}");
}

crate::both_engines!(delivery_health_counts_the_last_30_days_against_the_target);
