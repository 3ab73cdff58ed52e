//! The demo obeys the journey: on either engine, filled by `demo::fill` at a fixed now,
//! every reservation's emails are ones the rules could have produced, and every failed
//! marker agrees with its address record.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, NaiveDate, NaiveDateTime};
use guestmail::clock::Clock;
use guestmail::demo::{DemoOptions, fill};
use guestmail::domain::{EmailKind, MessageState, ReservationStatus};
use guestmail::journey::{Booking, Policy};
use guestmail::store::{MessageRecord, Store};

use crate::support::engines::{Db, Engine};

fn options() -> DemoOptions {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    DemoOptions {
        reservations: 900,
        today,
        seed: 11,
        now: today.and_hms_opt(16, 0, 0).unwrap(),
        clock: Clock::utc(),
        policy: Policy::default(),
    }
}

fn filled(db: &Db) -> Store {
    let mut store = Store::open(&db.location).unwrap();
    fill(&mut store, &options()).unwrap();
    store
}

fn waiting(state: MessageState) -> bool {
    matches!(state, MessageState::Queued | MessageState::Deferred | MessageState::Suppressed)
}

fn every_demo_email_is_one_the_journey_could_have_produced(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let store = filled(db);
    let opts = options();
    let (clock, policy, now) = (opts.clock, opts.policy, opts.now);
    let ms = |t: NaiveDateTime| clock.ms_of(t);
    let now_ms = ms(now);
    let far = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let rows = store.reservations_between(far, far + Duration::days(365 * 100)).unwrap();
    assert_eq!(rows.len(), 900);
    let mut seen: Vec<MessageState> = Vec::new();
    let mut queued_reminders = 0;
    let mut queued_thanks = 0;
    for r in &rows {
        let booking = Booking { status: r.status, starts_at: r.starts_at };
        let start = ms(r.starts_at);
        let emails = store.messages_for_reservation(r.id).unwrap();
        let address = store.address(&r.guest.email).unwrap().unwrap();
        let of = |kind: EmailKind| -> Vec<&MessageRecord> { emails.iter().filter(|m| m.kind == kind).collect() };
        let ctx = |m: &MessageRecord| format!("{} {} at {}: {m:#?}\n{address:#?}", r.status, m.kind, r.starts_at);
        for m in &emails {
            seen.push(m.state);
            assert!(m.created_at <= now_ms && m.sent_at.is_none_or(|s| s <= now_ms), "{}", ctx(m));
            // Nothing waits that the rules would not still send.
            if waiting(m.state) {
                assert!(policy.fits(m.kind, booking, now).is_ok(), "a waiting email that no longer fits: {}", ctx(m));
            }
            if matches!(m.state, MessageState::Queued | MessageState::Deferred)
                && matches!(
                    m.kind,
                    EmailKind::Pending | EmailKind::Confirmed | EmailKind::Reminder | EmailKind::Cancelled
                )
            {
                assert!(r.starts_at > now, "waiting about a past meal: {}", ctx(m));
            }
            // A ✗ marker and the address record tell the same story.
            if matches!(m.state, MessageState::Bounced | MessageState::Failed) {
                assert!(address.error_count >= 1, "{}", ctx(m));
                assert!(m.last_error.is_some() && address.last_error == m.last_error, "{}", ctx(m));
            }
            if m.state == MessageState::Suppressed {
                assert!(address.blocked, "held for an address that is not blocked: {}", ctx(m));
            }
        }
        // The request goes out before the confirmation.
        for (req, conf) in of(EmailKind::Pending).iter().zip(of(EmailKind::Confirmed)) {
            if let Some(sent) = req.sent_at {
                assert!(sent < conf.created_at, "request sent after the confirmation: {}", ctx(req));
            }
        }
        // The cancellation only for a cancelled reservation, cancelled before its time.
        for m in of(EmailKind::Cancelled) {
            assert_eq!(r.status, ReservationStatus::Cancelled, "{}", ctx(m));
            assert!(m.created_at < start, "{}", ctx(m));
        }
        // The thank-you only after a completed meal, due thank_you_after_hours after it.
        let thanks_due = ms(r.starts_at + Duration::hours(i64::from(policy.thank_you_after_hours)));
        for m in of(EmailKind::Completed) {
            assert_eq!(r.status, ReservationStatus::Completed, "{}", ctx(m));
            assert!(m.created_at >= start, "a thank-you before the meal: {}", ctx(m));
            if m.state == MessageState::Queued {
                assert_eq!(m.next_attempt_at, Some(thanks_due), "{}", ctx(m));
                // Still ahead, or fallen due within the hour (the worker has not come round yet).
                assert!(now_ms - thanks_due < 3_600_000, "{}", ctx(m));
                queued_thanks += 1;
            }
            if let Some(sent) = m.sent_at {
                assert!(sent >= thanks_due, "{}", ctx(m));
            }
        }
        // The reminder: due reminder_hours before, for a reservation confirmed earlier than that.
        let reminder_due = ms(r.starts_at - Duration::hours(i64::from(policy.reminder_hours)));
        let confirmation = of(EmailKind::Confirmed).first().copied();
        for m in of(EmailKind::Reminder) {
            let conf = confirmation.unwrap_or_else(|| panic!("a reminder without a confirmation: {}", ctx(m)));
            assert!(conf.created_at < reminder_due, "{}", ctx(m));
            if m.state == MessageState::Queued {
                assert_eq!(m.next_attempt_at, Some(reminder_due), "{}", ctx(m));
                assert!(now_ms - reminder_due < 3_600_000, "{}", ctx(m));
                queued_reminders += 1;
            }
            if let Some(sent) = m.sent_at {
                assert!(sent >= reminder_due && sent < start, "{}", ctx(m));
            }
        }
        if r.status == ReservationStatus::Confirmed
            && let Some(conf) = confirmation
            && r.starts_at - now > Duration::hours(i64::from(policy.reminder_hours))
        {
            let reminders = of(EmailKind::Reminder);
            assert!(
                reminders.iter().any(|m| matches!(m.state, MessageState::Queued | MessageState::Suppressed)),
                "confirmed {} ahead with no reminder waiting: {conf:#?}",
                r.starts_at
            );
        }
        // An address record never shows one code beside another's words.
        if let (Some(text), Some(code)) = (&address.last_error, &address.last_error_code) {
            assert!(text.starts_with(code.as_str()), "{address:#?}");
            if let Some(status) = &address.last_error_status {
                assert!(text.contains(status.as_str()), "{address:#?}");
            }
        }
    }
    // The demo still shows every marker it is there to show.
    for state in [
        MessageState::Sent,
        MessageState::Queued,
        MessageState::Bounced,
        MessageState::Failed,
        MessageState::Suppressed,
        MessageState::Uncertain,
    ] {
        assert!(seen.contains(&state), "no {state} email in the demo");
    }
    assert!(queued_reminders > 0 && queued_thanks > 0, "{queued_reminders} reminders, {queued_thanks} thank-yous");
}

crate::both_engines!(every_demo_email_is_one_the_journey_could_have_produced);

fn the_demo_withdraws_what_the_journey_would_have_withdrawn(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    let db = &db;
    let store = filled(db);
    let withdrawn =
        store.count_by_state().unwrap().iter().find(|(s, _)| *s == MessageState::Withdrawn).map_or(0, |(_, n)| *n);
    assert!(withdrawn > 0, "no withdrawn email in the demo: {:?}", store.count_by_state().unwrap());
}

crate::both_engines!(the_demo_withdraws_what_the_journey_would_have_withdrawn);
