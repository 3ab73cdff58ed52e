//! The journey's rules as tables: every status × event × time window has exactly one row,
//! so a rule that changes, or a cell that goes missing, fails here.

use chrono::{NaiveDate, NaiveDateTime};

use super::*;
use crate::domain::ReservationStatus as S;

/// The reservation every table is about: Saturday 5 December 2026, 20:00.
fn starts() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 5).and_then(|d| d.and_hms_opt(20, 0, 0)).unwrap_or_default()
}

/// The four moments the rules tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    /// Two days ahead: before the reminder window.
    Before,
    /// Two hours ahead: inside the reminder window.
    Inside,
    /// One hour after the start: the meal is on.
    Started,
    /// Five hours after the start: the meal is over.
    After,
}
const WINDOWS: [Window; 4] = [Window::Before, Window::Inside, Window::Started, Window::After];

fn now(w: Window) -> NaiveDateTime {
    starts()
        + match w {
            Window::Before => Duration::hours(-48),
            Window::Inside => Duration::hours(-2),
            Window::Started => Duration::hours(1),
            Window::After => Duration::hours(5),
        }
}

/// A request, a confirmation and a reminder all still waiting, and a confirmation being
/// sent: what a change may withdraw or report in flight.
fn emails() -> Vec<Email> {
    let e =
        |id, kind, state| Email { id, kind, state, created_at: 0, sent_at: None, human_opens: 0, last_opened_at: None };
    vec![
        e(1, EmailKind::Pending, MessageState::Queued),
        e(2, EmailKind::Confirmed, MessageState::Deferred),
        e(3, EmailKind::Reminder, MessageState::Queued),
        e(4, EmailKind::Confirmed, MessageState::Sending),
        e(5, EmailKind::Pending, MessageState::Sent),
    ]
}

/// A plan in a line: `Q:kind@due,...` (due `now` or hours from the start) `W:id,...`
/// `F:id,...` (in flight), or `R:reason` for a refusal.
fn describe(result: &Result<Plan, Refusal>) -> String {
    match result {
        Err(Refusal::Transition(_)) => "R:transition".into(),
        Err(Refusal::NotYet { .. }) => "R:not-yet".into(),
        Err(Refusal::Past { .. }) => "R:past".into(),
        Err(Refusal::FutureOutcome { .. }) => "R:future".into(),
        Err(Refusal::PartySize { .. }) => "R:party".into(),
        Err(other) => format!("R:{other}"),
        Ok(plan) => {
            let due = |d: &Due| match d {
                Due::Now => "now".to_owned(),
                Due::At(t) => format!("{:+}h", (*t - starts()).num_hours()),
            };
            let q: Vec<String> = plan.queue.iter().map(|(k, d)| format!("{k}@{}", due(d))).collect();
            let w: Vec<String> = plan.withdraw.iter().map(|(id, _, why)| format!("{id}({})", why.as_str())).collect();
            let f: Vec<String> = plan.in_flight.iter().map(|(id, _)| id.to_string()).collect();
            format!("Q:{} W:{} F:{}", q.join(","), w.join(","), f.join(","))
        }
    }
}

const EVENTS: [S; 4] = [S::Confirmed, S::Cancelled, S::Completed, S::NoShow];

const W_CONFIRMED: &str = "W:1(confirmed) F:";
const W_CANCELLED: &str = "W:1(cancelled),2(cancelled),3(cancelled) F:4";
const W_COMPLETED: &str = "W:1(completed),2(completed),3(completed) F:4";
const W_NO_SHOW: &str = "W:1(no-show),2(no-show),3(no-show) F:4";

/// Every status × event × window, with what the rules answer (no `--force`).
fn table() -> Vec<(S, S, Window, String)> {
    use Window::{After, Before, Inside, Started};
    let t = |s, e, w, expected: &str| (s, e, w, expected.to_owned());
    let mut rows = vec![
        // Confirming a request: the confirmation now, a reminder only when far enough ahead.
        t(S::Pending, S::Confirmed, Before, &format!("Q:confirmed@now,reminder@-24h {W_CONFIRMED}")),
        t(S::Pending, S::Confirmed, Inside, &format!("Q:confirmed@now {W_CONFIRMED}")),
        t(S::Pending, S::Confirmed, Started, &format!("Q: {W_CONFIRMED}")),
        t(S::Pending, S::Confirmed, After, &format!("Q: {W_CONFIRMED}")),
        // Cancelling: the cancellation while it still matters, and everything waiting goes.
        t(S::Pending, S::Cancelled, Before, &format!("Q:cancelled@now {W_CANCELLED}")),
        t(S::Pending, S::Cancelled, Inside, &format!("Q:cancelled@now {W_CANCELLED}")),
        t(S::Pending, S::Cancelled, Started, &format!("Q: {W_CANCELLED}")),
        t(S::Pending, S::Cancelled, After, &format!("Q: {W_CANCELLED}")),
        t(S::Confirmed, S::Cancelled, Before, &format!("Q:cancelled@now {W_CANCELLED}")),
        t(S::Confirmed, S::Cancelled, Inside, &format!("Q:cancelled@now {W_CANCELLED}")),
        t(S::Confirmed, S::Cancelled, Started, &format!("Q: {W_CANCELLED}")),
        t(S::Confirmed, S::Cancelled, After, &format!("Q: {W_CANCELLED}")),
        // Completing: not before the meal; the thank-you 3 h after the start, never at once.
        t(S::Confirmed, S::Completed, Before, "R:not-yet"),
        t(S::Confirmed, S::Completed, Inside, "R:not-yet"),
        t(S::Confirmed, S::Completed, Started, &format!("Q:completed@+3h {W_COMPLETED}")),
        t(S::Confirmed, S::Completed, After, &format!("Q:completed@now {W_COMPLETED}")),
        t(S::NoShow, S::Completed, Before, "R:not-yet"),
        t(S::NoShow, S::Completed, Inside, "R:not-yet"),
        t(S::NoShow, S::Completed, Started, &format!("Q:completed@+3h {W_COMPLETED}")),
        t(S::NoShow, S::Completed, After, &format!("Q:completed@now {W_COMPLETED}")),
        // No-show: not before the time; it sends nothing and withdraws the reminder.
        t(S::Confirmed, S::NoShow, Before, "R:not-yet"),
        t(S::Confirmed, S::NoShow, Inside, "R:not-yet"),
        t(S::Confirmed, S::NoShow, Started, &format!("Q: {W_NO_SHOW}")),
        t(S::Confirmed, S::NoShow, After, &format!("Q: {W_NO_SHOW}")),
    ];
    // Everything else is a change the statuses do not allow, in every window.
    let allowed: Vec<(S, S)> = rows.iter().map(|(s, e, _, _)| (*s, *e)).collect();
    for s in S::ALL {
        for e in EVENTS {
            if !allowed.contains(&(*s, e)) {
                for w in WINDOWS {
                    rows.push(t(*s, e, w, "R:transition"));
                }
            }
        }
    }
    rows
}

#[test]
fn every_status_event_and_window_has_exactly_one_answer() {
    let table = table();
    let policy = Policy::default();
    for s in S::ALL {
        for e in EVENTS {
            for w in WINDOWS {
                let cells: Vec<_> = table.iter().filter(|(ts, te, tw, _)| (ts, *te, *tw) == (s, e, w)).collect();
                assert_eq!(cells.len(), 1, "{s} + {e} at {w:?}: {} rows in the table", cells.len());
                let booking = Booking { status: *s, starts_at: starts() };
                let got = describe(&policy.transition(booking, e, &emails(), now(w), Change::default()));
                assert_eq!(got, cells[0].3, "{s} + {e} at {w:?}");
            }
        }
    }
    // The "allowed" transitions in the table are exactly the domain's.
    for (s, e, _, expected) in &table {
        assert_eq!(s.can_become(*e), expected != "R:transition", "{s} -> {e}");
    }
}

#[test]
fn force_completes_a_meal_early_but_the_thank_you_still_waits_for_it() {
    let policy = Policy::default();
    let booking = Booking { status: S::Confirmed, starts_at: starts() };
    let change = Change { force: true, send: true };
    let plan = policy.transition(booking, S::Completed, &[], now(Window::Inside), change);
    assert_eq!(describe(&plan), "Q:completed@+3h W: F:");
    let plan = policy.transition(booking, S::NoShow, &[], now(Window::Before), change);
    assert_eq!(describe(&plan), "Q: W: F:");
    assert!(Refusal::NotYet { to: S::Completed, starts_at: starts() }.can_force());
    assert!(!Refusal::Past { starts_at: starts() }.can_force());
}

#[test]
fn a_phone_confirmation_sends_no_confirmation_but_keeps_the_reminder() {
    let policy = Policy::default();
    let booking = Booking { status: S::Pending, starts_at: starts() };
    let plan =
        policy.transition(booking, S::Confirmed, &emails(), now(Window::Before), Change { force: false, send: false });
    assert_eq!(describe(&plan), format!("Q:reminder@-24h {W_CONFIRMED}"));
}

#[test]
fn new_reservations_by_status_and_window() {
    let policy = Policy::default();
    let cases: [(S, Window, &str); 20] = [
        (S::Pending, Window::Before, "Q:pending@now W: F:"),
        (S::Pending, Window::Inside, "Q:pending@now W: F:"),
        (S::Pending, Window::Started, "R:past"),
        (S::Pending, Window::After, "R:past"),
        (S::Confirmed, Window::Before, "Q:confirmed@now,reminder@-24h W: F:"),
        (S::Confirmed, Window::Inside, "Q:confirmed@now W: F:"),
        (S::Confirmed, Window::Started, "R:past"),
        (S::Confirmed, Window::After, "R:past"),
        (S::Completed, Window::Before, "R:future"),
        (S::Completed, Window::Inside, "R:future"),
        (S::Completed, Window::Started, "Q: W: F:"),
        (S::Completed, Window::After, "Q: W: F:"),
        (S::NoShow, Window::Before, "R:future"),
        (S::NoShow, Window::Inside, "R:future"),
        (S::NoShow, Window::Started, "Q: W: F:"),
        (S::NoShow, Window::After, "Q: W: F:"),
        (S::Cancelled, Window::Before, "Q: W: F:"),
        (S::Cancelled, Window::Inside, "Q: W: F:"),
        (S::Cancelled, Window::Started, "Q: W: F:"),
        (S::Cancelled, Window::After, "Q: W: F:"),
    ];
    for s in S::ALL {
        for w in WINDOWS {
            let cell: Vec<_> = cases.iter().filter(|(cs, cw, _)| (cs, *cw) == (s, w)).collect();
            assert_eq!(cell.len(), 1, "{s} at {w:?}");
            assert_eq!(describe(&policy.create(*s, starts(), 2, now(w))), cell[0].2, "{s} at {w:?}");
        }
    }
}

#[test]
fn one_party_size_rule() {
    let policy = Policy::default();
    assert_eq!(describe(&policy.create(S::Pending, starts(), 0, now(Window::Before))), "R:party");
    assert_eq!(describe(&policy.create(S::Pending, starts(), 100, now(Window::Before))), "R:party");
    assert!(policy.check_party(1).is_ok() && policy.check_party(99).is_ok());
    let big = Policy { max_party_size: 500, ..Policy::default() };
    assert!(big.check_party(500).is_ok());
}

#[test]
fn the_worker_sends_only_what_still_fits() {
    use EmailKind as K;
    let policy = Policy::default();
    // kind, status, window -> Ok or the withdrawal reason.
    let table: [(K, S, Window, Option<Withdrawal>); 16] = [
        (K::Pending, S::Pending, Window::Inside, None),
        (K::Pending, S::Pending, Window::Started, Some(Withdrawal::TimePassed)),
        (K::Pending, S::Confirmed, Window::Before, Some(Withdrawal::Confirmed)),
        (K::Pending, S::Cancelled, Window::Before, Some(Withdrawal::Cancelled)),
        (K::Confirmed, S::Confirmed, Window::Inside, None),
        (K::Confirmed, S::Confirmed, Window::After, Some(Withdrawal::TimePassed)),
        (K::Confirmed, S::Cancelled, Window::Before, Some(Withdrawal::Cancelled)),
        (K::Reminder, S::Confirmed, Window::Inside, None),
        (K::Reminder, S::NoShow, Window::Started, Some(Withdrawal::NoShow)),
        (K::Reminder, S::Confirmed, Window::Started, Some(Withdrawal::TimePassed)),
        (K::Cancelled, S::Cancelled, Window::Inside, None),
        (K::Cancelled, S::Cancelled, Window::Started, Some(Withdrawal::TimePassed)),
        (K::Completed, S::Completed, Window::After, None),
        (K::Completed, S::Completed, Window::Started, None),
        (K::Manual, S::Cancelled, Window::After, None),
        (K::Completed, S::Cancelled, Window::After, Some(Withdrawal::Cancelled)),
    ];
    for (kind, status, w, expected) in table {
        let booking = Booking { status, starts_at: starts() };
        assert_eq!(
            policy.still_due(kind, booking, None, false, now(w)).err(),
            expected,
            "{kind} of a {status} at {w:?}"
        );
    }
    let confirmed = Booking { status: S::Confirmed, starts_at: starts() };
    let inside = now(Window::Inside);
    for bad in [MessageState::Bounced, MessageState::Failed, MessageState::Suppressed] {
        assert_eq!(
            policy.still_due(K::Reminder, confirmed, Some(bad), false, inside),
            Err(Withdrawal::ConfirmationFailed)
        );
    }
    assert_eq!(
        policy.still_due(K::Reminder, confirmed, Some(MessageState::Sent), true, inside),
        Err(Withdrawal::AddressBlocked)
    );
    assert_eq!(policy.still_due(K::Reminder, confirmed, Some(MessageState::Sent), false, inside), Ok(()));
    // A blocked address holds a confirmation (suppressed), it does not withdraw it.
    assert_eq!(policy.still_due(K::Confirmed, confirmed, None, true, inside), Ok(()));
}

#[test]
fn resending_asks_once_not_twice() {
    use EmailKind as K;
    let policy = Policy::default();
    let confirmed = Booking { status: S::Confirmed, starts_at: starts() };
    let at = now(Window::Before);
    let now_ms = 1_000_000_000;
    let mail = |state, sent_ago_s: i64, opens| Email {
        id: 9,
        kind: K::Confirmed,
        state,
        created_at: now_ms - sent_ago_s * 1000 - 500,
        sent_at: Some(now_ms - sent_ago_s * 1000),
        human_opens: opens,
        last_opened_at: None,
    };
    let ask = |latest: Option<&Email>, again| policy.resend(K::Confirmed, confirmed, latest, false, at, now_ms, again);
    assert_eq!(ask(None, false), Ok(None));
    assert_eq!(
        ask(Some(&mail(MessageState::Sent, 12, 0)), false),
        Ok(Some(Ask::Cooldown { kind: K::Confirmed, seconds_ago: 12 }))
    );
    assert_eq!(ask(Some(&mail(MessageState::Sent, 12, 0)), true), Ok(None));
    assert_eq!(ask(Some(&mail(MessageState::Sent, 600, 0)), false), Ok(None));
    // A bounced or failed one never reached the guest: no cooldown question.
    assert_eq!(ask(Some(&mail(MessageState::Bounced, 5, 0)), false), Ok(None));
    assert_eq!(ask(Some(&mail(MessageState::Failed, 5, 0)), false), Ok(None));
    assert_eq!(
        ask(Some(&mail(MessageState::Sent, 600, 3)), false),
        Ok(Some(Ask::Opened { kind: K::Confirmed, opens: 3, last_opened: None }))
    );
    assert_eq!(
        ask(Some(&mail(MessageState::Uncertain, 600, 0)), false),
        Ok(Some(Ask::Uncertain { kind: K::Confirmed }))
    );
    for waiting in [MessageState::Queued, MessageState::Deferred, MessageState::Sending] {
        assert_eq!(ask(Some(&mail(waiting, 1, 0)), true), Err(Refusal::StillWaiting { kind: K::Confirmed }));
    }
    assert_eq!(
        policy.resend(K::Confirmed, confirmed, Some(&mail(MessageState::Suppressed, 600, 0)), true, at, now_ms, true),
        Err(Refusal::Blocked { kind: K::Confirmed })
    );
    // Any kind can be resent while it fits; none about the past.
    assert_eq!(policy.resend(K::Reminder, confirmed, None, false, at, now_ms, false), Ok(None));
    assert_eq!(
        policy.resend(K::Cancelled, confirmed, None, false, at, now_ms, false),
        Err(Refusal::WrongKind { kind: K::Cancelled, status: S::Confirmed })
    );
    assert_eq!(
        policy.resend(K::Confirmed, confirmed, None, false, now(Window::After), now_ms, false),
        Err(Refusal::Past { starts_at: starts() })
    );
    assert_eq!(Policy::default_resend(S::Pending), K::Pending);
    assert_eq!(Policy::default_resend(S::Confirmed), K::Confirmed);
}

#[test]
fn held_emails_offered_after_a_reset_leave_out_the_past() {
    use EmailKind as K;
    let policy = Policy::default();
    let held = |id, kind| Email {
        id,
        kind,
        state: MessageState::Suppressed,
        created_at: 0,
        sent_at: None,
        human_opens: 0,
        last_opened_at: None,
    };
    let future = Booking { status: S::Confirmed, starts_at: starts() };
    let past = Booking { status: S::Confirmed, starts_at: starts() - Duration::days(3) };
    let (a, b, c, d) = (held(1, K::Confirmed), held(2, K::Confirmed), held(3, K::Pending), held(4, K::Manual));
    let offered = policy
        .held_to_offer([(&a, Some(future)), (&b, Some(past)), (&c, Some(future)), (&d, None)], now(Window::Before));
    assert_eq!(offered, [1, 4]);
}

#[test]
fn reminders_follow_the_configured_lead_time() {
    let policy = Policy { reminder_hours: 48, ..Policy::default() };
    assert_eq!(
        policy.reminder(starts(), starts() - Duration::hours(49)),
        Some(Due::At(starts() - Duration::hours(48)))
    );
    assert_eq!(policy.reminder(starts(), starts() - Duration::hours(47)), None);
    let off = Policy { reminder_hours: 0, ..Policy::default() };
    assert_eq!(off.reminder(starts(), starts() - Duration::days(9)), None);
}

#[test]
fn a_phone_call_confirms_a_pending_reservation_records_a_confirmed_one_and_nothing_else() {
    assert_eq!(Policy::phone_confirmation(S::Pending), Ok(true));
    assert_eq!(Policy::phone_confirmation(S::Confirmed), Ok(false));
    for closed in [S::Cancelled, S::Completed, S::NoShow] {
        assert!(matches!(Policy::phone_confirmation(closed), Err(Refusal::Transition(_))), "{closed}");
    }
}

#[test]
fn withdrawal_codes_round_trip() {
    for w in Withdrawal::ALL {
        assert_eq!(Withdrawal::parse(w.as_str()), Some(w));
    }
    assert_eq!(Withdrawal::parse("nonsense"), None);
}
