//! The journey as the store applies it, on both engines: what the guest receives, and
//! when. Two connections race where two host stands (or a host stand and the outbox
//! worker) would.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Barrier};

use chrono::{Duration, NaiveDateTime};
use guestmail::clock::Clock;
use guestmail::domain::{EmailKind, Language, MessageState, NewReservation, ReservationStatus};
use guestmail::journey::{Change, Policy, Refusal, Withdrawal};
use guestmail::store::{AddressErrorInput, Delivery, ResendOutcome, Rules, Store, StoreError};

use crate::raw;
use crate::support::engines::{Db, Engine};

fn booking(email: &str, starts_at: NaiveDateTime, status: ReservationStatus) -> NewReservation {
    NewReservation {
        name: "Anna Peeters".into(),
        email: email.into(),
        phone: "+32 475 12 34 56".into(),
        language: Language::En,
        starts_at,
        party_size: 2,
        status,
        notes: String::new(),
    }
}

fn now_local() -> NaiveDateTime {
    Clock::Local.now()
}

fn states(store: &Store, id: i64) -> Vec<(EmailKind, MessageState)> {
    store.messages_for_reservation(id).unwrap().into_iter().map(|m| (m.kind, m.state)).collect()
}

/// What a worker would send now: claims everything due and reports the kinds.
fn claim_all(store: &mut Store, worker: &str) -> Vec<EmailKind> {
    let claim = store.claim_batch(worker, guestmail::store::now_ms(), 100).unwrap();
    claim.messages.iter().map(|m| m.kind).collect()
}

fn with_the_server_down_add_confirm_cancel_sends_only_the_cancellation(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let id = store
        .create_reservation(&booking("a@example.org", now_local() + Duration::days(3), ReservationStatus::Pending))
        .unwrap();
    store.set_status(id, ReservationStatus::Confirmed, "staff").unwrap();
    let applied = store.change_status(id, ReservationStatus::Cancelled, Change::default(), "staff").unwrap();
    let withdrawn: Vec<EmailKind> = applied.withdrawn.iter().map(|w| w.1).collect();
    assert_eq!(withdrawn, [EmailKind::Confirmed, EmailKind::Reminder]);
    // Sending works again: one email leaves, the cancellation.
    assert_eq!(claim_all(&mut store, "w1"), [EmailKind::Cancelled]);
    let all = states(&store, id);
    assert_eq!(all.iter().filter(|(_, s)| *s == MessageState::Withdrawn).count(), 3, "{all:?}");
    let request = store.latest_message(id, EmailKind::Pending).unwrap().unwrap();
    assert_eq!(request.withdrawn_reason, Some(Withdrawal::Confirmed));
}

crate::both_engines!(with_the_server_down_add_confirm_cancel_sends_only_the_cancellation);

fn nothing_about_the_past_is_sent_when_its_time_has_gone(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let path = db.location.clone();
    // Booked yesterday for this morning (the store's clock frozen at the booking).
    let starts = now_local() - Duration::hours(2);
    let booked = Clock::Local.ms_of(starts - Duration::days(1));
    let mut store = Store::open(&path).unwrap().frozen_at(booked);
    let id = store.create_reservation(&booking("p@example.org", starts, ReservationStatus::Pending)).unwrap();
    // The outbox was down since; now the request would be about the past.
    let mut worker = Store::open(&path).unwrap();
    assert!(claim_all(&mut worker, "w1").is_empty());
    let m = store.latest_message(id, EmailKind::Pending).unwrap().unwrap();
    assert_eq!((m.state, m.withdrawn_reason), (MessageState::Withdrawn, Some(Withdrawal::TimePassed)));
}

crate::both_engines!(nothing_about_the_past_is_sent_when_its_time_has_gone);

fn the_thank_you_waits_three_hours_after_the_meal_and_an_early_completion_needs_force(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let starts = now_local() + Duration::hours(2);
    let id = store.create_reservation(&booking("t@example.org", starts, ReservationStatus::Confirmed)).unwrap();
    let err = store.change_status(id, ReservationStatus::Completed, Change::default(), "staff").unwrap_err();
    assert!(matches!(err, StoreError::Refused(Refusal::NotYet { .. })), "{err}");
    assert_eq!(store.reservation(id).unwrap().status, ReservationStatus::Confirmed, "a refusal changes nothing");
    let forced = Change { force: true, send: true };
    let applied = store.change_status(id, ReservationStatus::Completed, forced, "staff").unwrap();
    let thanks = applied.queued.iter().find(|q| q.kind == EmailKind::Completed).unwrap();
    let starts = store.reservation(id).unwrap().starts_at;
    assert_eq!(thanks.due_at, Clock::Local.ms_of(starts + Duration::hours(3)));
    assert!(claim_all(&mut store, "w1").is_empty(), "never at once");
}

crate::both_engines!(the_thank_you_waits_three_hours_after_the_meal_and_an_early_completion_needs_force);

fn a_cancel_racing_the_worker_either_withdraws_the_email_or_finds_it_in_flight(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let path = db.location.clone();
    let mut setup = Store::open(&path).unwrap();
    let (mut in_flight, mut withdrawn) = (0, 0);
    for i in 0..60 {
        // One request waiting at a time, so the worker's claim can only be this one.
        let email = format!("race{i}@example.org");
        let starts = now_local() + Duration::days(2);
        let id = setup.create_reservation(&booking(&email, starts, ReservationStatus::Pending)).unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let (b1, b2, p1, p2) = (barrier.clone(), barrier, path.clone(), path.clone());
        let host = std::thread::spawn(move || {
            let mut s = Store::open(&p1).unwrap();
            b1.wait();
            s.change_status(id, ReservationStatus::Cancelled, Change::default(), "staff").unwrap()
        });
        let worker = std::thread::spawn(move || {
            let mut s = Store::open(&p2).unwrap();
            b2.wait();
            s.claim_batch("w", guestmail::store::now_ms(), 1).unwrap()
        });
        let applied = host.join().unwrap();
        let claim = worker.join().unwrap();
        let request = setup.latest_message(id, EmailKind::Pending).unwrap().unwrap();
        let cancellation = setup.latest_message(id, EmailKind::Cancelled).unwrap().unwrap();
        let claimed: Vec<i64> = claim.messages.iter().map(|m| m.id).collect();
        if claimed.contains(&request.id) {
            // Claimed before the cancel committed: in flight, and the cancel said so.
            assert_eq!(request.state, MessageState::Sending, "round {i}");
            assert_eq!(applied.in_flight, [(request.id, EmailKind::Pending)], "round {i}");
            in_flight += 1;
        } else {
            // Otherwise withdrawn by the cancel; the worker may have taken the cancellation.
            assert_eq!(request.state, MessageState::Withdrawn, "round {i}: {claim:?}");
            assert!(applied.withdrawn.iter().any(|w| w.0 == request.id), "round {i}");
            assert!(claimed.is_empty() || claimed == [cancellation.id], "round {i}: {claimed:?}");
            withdrawn += 1;
        }
        // Drain the round: all that may still go out is the cancellation.
        let left = claim_all(&mut setup, "w2");
        assert!(left.iter().all(|k| *k == EmailKind::Cancelled), "round {i}: {left:?}");
    }
    assert_eq!(in_flight + withdrawn, 60);
    eprintln!("{in_flight} claimed before the cancel, {withdrawn} withdrawn by it");
}

crate::both_engines!(a_cancel_racing_the_worker_either_withdraws_the_email_or_finds_it_in_flight);

fn two_host_stands_resending_together_make_one_email(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let path = db.location.clone();
    let mut store = Store::open(&path).unwrap();
    let id = store
        .create_reservation(&booking("r@example.org", now_local() + Duration::days(2), ReservationStatus::Confirmed))
        .unwrap();
    let claimed = claim_all(&mut store, "w");
    assert_eq!(claimed, [EmailKind::Confirmed]);
    let m = store.latest_message(id, EmailKind::Confirmed).unwrap().unwrap();
    store
        .record_delivery(
            m.id,
            "w",
            &Delivery::Sent { reply: "250".into(), subject: String::new() },
            12,
            guestmail::store::now_ms(),
        )
        .unwrap();
    // Ten minutes later two stands press `r` (and say yes to nothing) at once.
    raw::execute(db, "UPDATE messages SET created_at = created_at - 600000, sent_at = sent_at - 600000");
    let barrier = Arc::new(Barrier::new(2));
    let stands: Vec<_> = (0..2)
        .map(|_| {
            let (b, p) = (barrier.clone(), path.clone());
            std::thread::spawn(move || {
                let mut s = Store::open(&p).unwrap();
                b.wait();
                s.resend(id, None, false, "staff")
            })
        })
        .collect();
    let outcomes: Vec<_> = stands.into_iter().map(|t| t.join().unwrap()).collect();
    let queued = outcomes.iter().filter(|o| matches!(o, Ok(ResendOutcome::Queued { .. }))).count();
    assert_eq!(queued, 1, "{outcomes:?}");
    // The other one was told the email is waiting (or was just sent): nothing more queued.
    assert!(
        outcomes.iter().any(|o| matches!(
            o,
            Err(StoreError::Refused(Refusal::StillWaiting { .. })) | Ok(ResendOutcome::Ask { .. })
        )),
        "{outcomes:?}"
    );
    assert_eq!(states(&store, id).iter().filter(|(k, _)| *k == EmailKind::Confirmed).count(), 2);
}

crate::both_engines!(two_host_stands_resending_together_make_one_email);

fn a_reminder_is_withdrawn_after_the_confirmation_was_refused(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let path = db.location.clone();
    let mut store = Store::open(&path).unwrap();
    let starts = now_local() + Duration::hours(30);
    let id = store.create_reservation(&booking("bad@example.org", starts, ReservationStatus::Confirmed)).unwrap();
    assert_eq!(claim_all(&mut store, "w"), [EmailKind::Confirmed]);
    let m = store.latest_message(id, EmailKind::Confirmed).unwrap().unwrap();
    let refused = Delivery::Permanent {
        reply_code: Some("550".into()),
        status: Some("5.1.1".into()),
        text: "user unknown".into(),
        failure: guestmail::failure::Failure::new(
            guestmail::failure::Fault::Guest,
            guestmail::failure::Reason::UnknownUser,
        ),
    };
    store.record_delivery(m.id, "w", &refused, 12, guestmail::store::now_ms()).unwrap();
    // When the reminder falls due (24 h before), the worker withdraws it instead.
    let reminder = store.latest_message(id, EmailKind::Reminder).unwrap().unwrap();
    let claim = store.claim_batch("w", reminder.next_attempt_at.unwrap(), 10).unwrap();
    assert!(claim.messages.is_empty());
    assert_eq!(claim.withdrawn, [(reminder.id, EmailKind::Reminder, Withdrawal::ConfirmationFailed)]);
}

crate::both_engines!(a_reminder_is_withdrawn_after_the_confirmation_was_refused);

fn after_a_reset_the_held_emails_are_offered_except_those_about_the_past(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let path = db.location.clone();
    let email = "held@example.org";
    let mut store = Store::open(&path).unwrap();
    let err = AddressErrorInput { diagnostic: "550 5.1.1 unknown", actor: "t", ..Default::default() };
    for _ in 0..13 {
        store.record_address_error(email, &err, 12).unwrap();
    }
    let soon =
        store.create_reservation(&booking(email, now_local() + Duration::days(2), ReservationStatus::Pending)).unwrap();
    let later = store
        .create_reservation(&booking(email, now_local() + Duration::days(4), ReservationStatus::Confirmed))
        .unwrap();
    // A third one, booked while blocked, whose time has passed since.
    let starts = now_local() - Duration::hours(1);
    let mut past_store = Store::open(&path).unwrap().frozen_at(Clock::Local.ms_of(starts - Duration::days(1)));
    let past = past_store.create_reservation(&booking(email, starts, ReservationStatus::Pending)).unwrap();
    for id in [soon, later, past] {
        assert!(
            states(&store, id).iter().all(|(_, s)| *s == MessageState::Suppressed),
            "held: {:?}",
            states(&store, id)
        );
    }
    store.reset_address(email, "staff").unwrap();
    let offered = store.held_emails(email).unwrap();
    assert_eq!(
        offered.len(),
        2,
        "the request of `soon`, the confirmation of `later`; not the past one, not the reminder"
    );
    let queued = store.release_held(email, "staff").unwrap();
    assert_eq!(queued, offered);
    let kinds = claim_all(&mut store, "w");
    assert_eq!(kinds, [EmailKind::Pending, EmailKind::Confirmed]);
}

crate::both_engines!(after_a_reset_the_held_emails_are_offered_except_those_about_the_past);

fn the_venue_clock_times_the_reminder_in_brussels_across_the_change_to_summer_time(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let brussels = Clock::named(Some("Europe/Brussels")).unwrap();
    let rules = Rules { policy: Policy::default(), clock: brussels };
    // Booked on Friday 26 March 2027 (winter time) for Sunday 28 March at 20:00, the night the
    // clocks go forward: the reminder is due at 20:00 on Saturday, Brussels time (19:00 UTC).
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let booked = brussels.ms_of(at("2027-03-26 12:00"));
    let mut store = Store::open(&db.location).unwrap().with_rules(rules).frozen_at(booked);
    let id = store
        .create_reservation(&booking("tz@example.org", at("2027-03-28 20:00"), ReservationStatus::Confirmed))
        .unwrap();
    let reminder = store.latest_message(id, EmailKind::Reminder).unwrap().unwrap();
    assert_eq!(reminder.next_attempt_at, Some(Clock::utc().ms_of(at("2027-03-27 19:00"))));
    // A reservation far ahead in summer: 18:00 UTC the day before.
    let id = store
        .create_reservation(&booking("tz2@example.org", at("2027-07-01 20:00"), ReservationStatus::Confirmed))
        .unwrap();
    let reminder = store.latest_message(id, EmailKind::Reminder).unwrap().unwrap();
    assert_eq!(reminder.next_attempt_at, Some(Clock::utc().ms_of(at("2027-06-30 18:00"))));
}

crate::both_engines!(the_venue_clock_times_the_reminder_in_brussels_across_the_change_to_summer_time);

fn nonsense_is_refused_with_a_reason_and_changes_nothing(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let mut store = Store::open(&db.location).unwrap();
    let old = booking(
        "old@example.org",
        NaiveDateTime::parse_from_str("2020-01-01 19:00", "%Y-%m-%d %H:%M").unwrap(),
        ReservationStatus::Pending,
    );
    let err = store.create_reservation(&old).unwrap_err();
    assert!(matches!(err, StoreError::Refused(Refusal::Past { .. })), "{err}");
    let mut big = booking("big@example.org", now_local() + Duration::days(1), ReservationStatus::Pending);
    big.party_size = 100;
    assert!(matches!(store.create_reservation(&big), Err(StoreError::Refused(Refusal::PartySize { .. }))));
    let mut future_done = booking("done@example.org", now_local() + Duration::days(7), ReservationStatus::Completed);
    assert!(matches!(store.create_reservation(&future_done), Err(StoreError::Refused(Refusal::FutureOutcome { .. }))));
    future_done.starts_at = now_local() - Duration::days(7);
    let id = store.create_reservation(&future_done).unwrap();
    assert!(states(&store, id).is_empty(), "a past completed reservation queues nothing");
    assert_eq!(store.reservation_count().unwrap(), 1);
}

crate::both_engines!(nonsense_is_refused_with_a_reason_and_changes_nothing);
