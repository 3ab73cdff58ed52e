//! Snapshots of the history panes in English and French, drawn into ratatui's `TestBackend`
//! from a real SQLite file written with fixed times (so nothing moves from run to run), with
//! every email state, every follow-up reason and both sides of the 98% target present.
//! Review changes with `cargo insta review`.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use guestmail::domain::BounceClass;
use guestmail::domain::{EmailKind, EventKind, Language, MessageState, ReservationStatus};
use guestmail::panes::comm_history::{CommPane, CommState, FilterField};
use guestmail::panes::followup::{FollowUpKeys, FollowUpPane, FollowUpState};
use guestmail::panes::health::HealthLine;
use guestmail::panes::history::{HistoryPane, HistoryState};
use guestmail::panes::{Clock, first_visible};
use guestmail::store::{AddressErrorInput, CommFilter, DeliveryHealth, Store};
use guestmail::strings::HistoryStrings;
use guestmail::strings::Strings;
use guestmail::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Widget;

use crate::support::tonight::{Mail as Msg, at, mail as msg, ms, plain as m};

const THEME: Theme = Theme { color: true };

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2037, 11, 23).unwrap()
}

/// Anna's history (every state, two reservations), Bob, and tonight's follow-up candidates
/// (one per reason, plus one opened and one cancelled that must not show).
fn fixture(path: &std::path::Path) -> (Store, i64) {
    use EmailKind::{Cancelled, Completed, Confirmed, Manual, Pending, Reminder};
    use MessageState::{Bounced, Deferred, Failed, Queued, Sending, Sent, Suppressed, Uncertain};
    let mut store = Store::open(path).unwrap();
    let anna = store
        .demo_bulk(|w| {
            let email = "anna.peeters@example.be";
            let anna = w.guest("Anna Peeters", email, "+32 475 12 34 56", Language::Nl, 0)?;
            w.address_errors(email, 2, false, "452 4.2.2 Mailbox full", ms("2037-11-22 08:15"))?;
            let past = w.reservation(anna, at("2037-11-20 19:00"), 2, ReservationStatus::Completed, "", 0)?;
            let next = w.reservation(anna, at("2037-11-28 20:00"), 4, ReservationStatus::Confirmed, "", 0)?;
            let opened = &[("2037-11-18 09:00", true), ("2037-11-18 12:30", false), ("2037-11-19 19:02", false)];
            msg(
                w,
                anna,
                email,
                past,
                &Msg { opens: &[("2037-11-15 10:00", false)], ..m(Pending, Sent, "2037-11-15 09:00") },
            );
            msg(w, anna, email, past, &Msg { opens: opened, ..m(Confirmed, Sent, "2037-11-18 08:59") });
            let bounce = Some("550 5.1.1 user unknown");
            msg(w, anna, email, past, &Msg { error: bounce, ..m(Completed, Bounced, "2037-11-21 10:00") });
            msg(
                w,
                anna,
                email,
                next,
                &Msg { opens: &[("2037-11-22 09:00", true)], ..m(Pending, Sent, "2037-11-22 08:59") },
            );
            let refused = Some("554 5.7.1 rejected as spam");
            msg(w, anna, email, next, &Msg { error: refused, ..m(Confirmed, Failed, "2037-11-22 10:00") });
            let later = Some("421 4.7.0 try again later");
            msg(
                w,
                anna,
                email,
                next,
                &Msg { error: later, next: Some("2037-11-23 18:05"), ..m(Confirmed, Deferred, "2037-11-23 17:00") },
            );
            msg(w, anna, email, next, &m(Reminder, Queued, "2037-11-23 17:10"));
            msg(w, anna, email, next, &m(Manual, Sending, "2037-11-23 17:20"));
            msg(
                w,
                anna,
                email,
                next,
                &Msg { error: Some("interrupted while sending"), ..m(Manual, Uncertain, "2037-11-23 17:30") },
            );
            msg(w, anna, email, next, &m(Cancelled, Suppressed, "2037-11-23 17:40"));
            let bob = w.guest("Bob Smith", "bob@example.org", "+44 7700 900123", Language::En, 0)?;
            let r = w.reservation(bob, at("2037-11-23 20:30"), 2, ReservationStatus::Confirmed, "", 0)?;
            msg(w, bob, "bob@example.org", r, &m(Confirmed, Sent, "2037-11-23 17:45"));
            // Tonight: one reservation per follow-up reason.
            let tonight: [(&str, &str, ReservationStatus, Option<Msg>); 11] = [
                ("Camille Dubois", "18:30", ReservationStatus::Confirmed, None),
                ("Léa Moreau", "18:45", ReservationStatus::Confirmed, Some(m(Confirmed, Queued, "2037-11-23 16:00"))),
                (
                    "Hugo Laurent",
                    "19:00",
                    ReservationStatus::Confirmed,
                    Some(Msg {
                        next: Some("2037-11-23 18:15"),
                        error: later,
                        ..m(Confirmed, Deferred, "2037-11-23 16:00")
                    }),
                ),
                ("Chloé Girard", "19:15", ReservationStatus::Confirmed, Some(m(Confirmed, Sent, "2037-11-22 16:00"))),
                (
                    "Louis Fontaine",
                    "19:30",
                    ReservationStatus::Confirmed,
                    Some(Msg { opens: &[("2037-11-22 16:01", true)], ..m(Confirmed, Sent, "2037-11-22 16:00") }),
                ),
                (
                    "Manon Rousseau",
                    "19:45",
                    ReservationStatus::Confirmed,
                    Some(Msg { error: bounce, ..m(Confirmed, Bounced, "2037-11-22 16:00") }),
                ),
                (
                    "Théo Mercier",
                    "20:00",
                    ReservationStatus::Confirmed,
                    Some(Msg { error: refused, ..m(Confirmed, Failed, "2037-11-22 16:00") }),
                ),
                (
                    "Inès Dubois",
                    "20:15",
                    ReservationStatus::Confirmed,
                    Some(Msg { error: Some("address blocked"), ..m(Confirmed, Suppressed, "2037-11-22 16:00") }),
                ),
                (
                    "Jules Lefèvre",
                    "20:30",
                    // Confirmed: a no-show is not on the follow-up list any more.
                    ReservationStatus::Confirmed,
                    Some(m(Confirmed, Uncertain, "2037-11-22 16:00")),
                ),
                (
                    "Élodie Opened",
                    "20:45",
                    ReservationStatus::Confirmed,
                    Some(Msg { opens: &[("2037-11-22 17:00", false)], ..m(Confirmed, Sent, "2037-11-22 16:00") }),
                ),
                (
                    "Gone Cancelled",
                    "21:00",
                    ReservationStatus::Cancelled,
                    Some(m(Confirmed, Bounced, "2037-11-22 16:00")),
                ),
            ];
            for (i, (name, time, status, message)) in tonight.iter().enumerate() {
                let email = format!("guest{i}@example.fr");
                let g = w.guest(name, &email, &format!("+32 470 00 00 {i:02}"), Language::Fr, 0)?;
                let r = w.reservation(g, at(&format!("2037-11-23 {time}")), 2, *status, "", 0)?;
                if let Some(message) = message {
                    msg(w, g, &email, r, message);
                }
            }
            Ok(anna)
        })
        .unwrap();
    (store, anna)
}

fn draw(width: u16, height: u16, widget: impl Widget) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(widget, f.area())).unwrap();
    terminal
}

fn history_state(store: &mut Store, anna: i64) -> HistoryState {
    // Notes made through the store carry the time they were made; pinned for the snapshot.
    let reservation = store.day(NaiveDate::from_ymd_opt(2037, 11, 28).unwrap()).unwrap()[0].id;
    store.mark_confirmed_by_phone(reservation, "staff").unwrap();
    let complaint = AddressErrorInput {
        class: Some(BounceClass::Complaint),
        diagnostic: "marked as spam (ARF)",
        actor: "bounce",
        ..AddressErrorInput::default()
    };
    store.record_address_error("anna.peeters@example.be", &complaint, 12).unwrap();
    store.reset_address("anna.peeters@example.be", "staff").unwrap();
    // The deferred confirmation repeats the failed one (a resend), linked in the history.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute(
        "UPDATE messages SET resend_of = (SELECT id FROM messages WHERE guest_id = ?1 AND state = 'failed')
         WHERE guest_id = ?1 AND state = 'deferred'",
        [anna],
    )
    .unwrap();
    let mut h = store.guest_history(anna, 50, None).unwrap();
    assert_eq!(h.notes.len(), 3);
    for note in &mut h.notes {
        note.at = ms(match note.kind {
            EventKind::ConfirmedByPhone => "2037-11-23 17:50",
            EventKind::Complaint => "2037-11-23 17:52",
            _ => "2037-11-23 17:55",
        });
    }
    assert!(h.emails.iter().any(|e| e.resend_of.is_some()));
    h.address.error_count = 2; // as before the reset, to show the error colour.
    h.last_error_at = Some(ms("2037-11-23 17:52"));
    let mut state = HistoryState::new(h, Clock::utc());
    let confirmed = state.history.emails.iter().position(|e| e.human_opens == 2).unwrap();
    let index = state.entries.iter().position(|e| *e == guestmail::panes::history::Entry::Email(confirmed)).unwrap();
    state.select(index);
    let id = state.selected_email().unwrap().id;
    state.set_log(id, store.message_log(id).unwrap());
    state
}

/// The follow-up pane's keys as the default keymap labels them in English.
const KEYS_EN: FollowUpKeys<'static> =
    FollowUpKeys { resend: "r", fix_address: "e", by_phone: "v", history: "Enter", close: "Esc" };

#[test]
fn the_guest_history_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, anna) = fixture(&dir.path().join("g.db"));
    let state = history_state(&mut store, anna);
    assert_eq!(state.history.emails.len(), 10);
    for (lang, name) in [(Language::En, "history_en"), (Language::Fr, "history_fr"), (Language::Nl, "history_nl")] {
        let pane = HistoryPane { state: &state, strings: HistoryStrings::of(lang), theme: THEME };
        let t = draw(140, 26, pane);
        insta::assert_snapshot!(name, t.backend());
    }
    let mut moved = state.clone();
    moved.select(moved.selection.index().saturating_sub(1));
    let t = draw(140, 26, HistoryPane { state: &moved, strings: HistoryStrings::of(Language::En), theme: THEME });
    let text = format!("{:?}", t.backend());
    assert!(!text.contains("What happened to this email"), "the log belongs to the other email");
}

/// A withdrawn email says why, in the staff's language (the store fills the reason once main's
/// `messages.withdrawn_reason` column lands; here it is set on the loaded history).
#[test]
fn a_withdrawn_email_shows_its_reason() {
    use guestmail::journey::Withdrawal;
    use guestmail::store::GuestHistory;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, anna) = fixture(&dir.path().join("g.db"));
    let with_reason = |h: &mut GuestHistory, why: Option<Withdrawal>| {
        let e = &mut h.emails[0];
        e.state = MessageState::Withdrawn;
        e.withdrawn_reason = why;
    };
    let text = |state: &HistoryState, lang| {
        format!("{:?}", draw(140, 26, HistoryPane { state, strings: HistoryStrings::of(lang), theme: THEME }).backend())
    };
    let mut h = history_state(&mut store, anna).history;
    with_reason(&mut h, Some(Withdrawal::TimePassed));
    let state = HistoryState::new(h.clone(), Clock::utc());
    assert!(text(&state, Language::En).contains("withdrawn: the reservation time has passed"));
    assert!(text(&state, Language::Fr).contains("retiré : l'heure de la réservation est passée"));
    with_reason(&mut h, Some(Withdrawal::Cancelled));
    let state = HistoryState::new(h.clone(), Clock::utc());
    assert!(text(&state, Language::En).contains("withdrawn: reservation cancelled"));
    assert!(text(&state, Language::Fr).contains("retiré : réservation annulée"));
    // No reason known: the state alone.
    with_reason(&mut h, None);
    let state = HistoryState::new(h, Clock::utc());
    let en = text(&state, Language::En);
    assert!(en.contains("withdrawn") && !en.contains("withdrawn:"), "{en}");
}

#[test]
fn the_communication_history_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = fixture(&dir.path().join("g.db"));
    let page = store.communication_history(&CommFilter::default(), 14, None).unwrap();
    let mut state = CommState::new(CommFilter::default(), page, 14, Clock::utc());
    state.filter.text = "pe".into();
    state.editing = Some(FilterField::Text);
    state.select(2);
    for (lang, name) in [(Language::En, "comm_en"), (Language::Fr, "comm_fr")] {
        let t = draw(150, 20, CommPane { state: &state, strings: HistoryStrings::of(lang), theme: THEME });
        insta::assert_snapshot!(name, t.backend());
    }
    let filtered = CommFilter { state: Some(MessageState::Bounced), ..CommFilter::default() };
    let rows = store.communication_history(&filtered, 14, None).unwrap();
    let mut state = CommState::new(filtered, rows, 14, Clock::utc());
    state.from_day = Some(day());
    let t = draw(150, 8, CommPane { state: &state, strings: HistoryStrings::of(Language::Fr), theme: THEME });
    insta::assert_snapshot!("comm_fr_filtered", t.backend());
}

#[test]
fn the_follow_up_list_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = fixture(&dir.path().join("g.db"));
    let state =
        FollowUpState::new(day(), store.follow_up(day(), day().and_hms_opt(0, 0, 0).unwrap()).unwrap(), Clock::utc());
    assert_eq!(state.rows.len(), 10, "Bob and one per reason; not the opened nor the cancelled one");
    for (lang, name) in [(Language::En, "followup_en"), (Language::Fr, "followup_fr")] {
        let pane = FollowUpPane {
            state: &state,
            strings: HistoryStrings::of(lang),
            day_strings: Strings::of(lang),
            keys: KEYS_EN,
            theme: THEME,
        };
        insta::assert_snapshot!(name, draw(120, 18, pane).backend());
    }
    let empty = FollowUpState::new(day(), Vec::new(), Clock::utc());
    let pane = FollowUpPane {
        state: &empty,
        strings: HistoryStrings::of(Language::Fr),
        day_strings: Strings::of(Language::Fr),
        keys: FollowUpKeys { history: "Entrée", close: "Échap", ..KEYS_EN },
        theme: THEME,
    };
    insta::assert_snapshot!("followup_fr_empty", draw(100, 7, pane).backend());
}

/// Issue 12: a UK number with its trunk prefix is shown whole, a space before the reason.
#[test]
fn the_follow_up_list_shows_long_phone_numbers_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = fixture(&dir.path().join("g.db"));
    let mut rows = store.follow_up(day(), day().and_hms_opt(0, 0, 0).unwrap()).unwrap();
    rows[0].phone = "+44 (0)20 7946 0958".into();
    let state = FollowUpState::new(day(), rows, Clock::utc());
    let pane = FollowUpPane {
        state: &state,
        strings: HistoryStrings::of(Language::En),
        day_strings: Strings::of(Language::En),
        keys: KEYS_EN,
        theme: THEME,
    };
    let t = draw(120, 18, pane);
    let screen = format!("{}", t.backend());
    let line = screen.lines().find(|l| l.contains("+44 (0)20")).unwrap_or_default();
    let after = line.split("+44 (0)20 7946 0958").nth(1).unwrap_or_default();
    assert!(after.starts_with(' ') && after.trim_start().starts_with(|c: char| c.is_alphabetic()), "{line}");
}

#[test]
fn the_delivery_health_line_warns_below_98_percent() {
    let good = DeliveryHealth { since: 0, attempted: 1000, delivered: 991, opened: 640 };
    let bad = DeliveryHealth { since: 0, attempted: 1000, delivered: 974, opened: 612 };
    let none = DeliveryHealth::default();
    for (lang, name) in [(Language::En, "health_en"), (Language::Fr, "health_fr"), (Language::Nl, "health_nl")] {
        let s = HistoryStrings::of(lang);
        let mut terminal = Terminal::new(TestBackend::new(110, 3)).unwrap();
        terminal
            .draw(|f| {
                for (i, h) in [good, bad, none].iter().enumerate() {
                    let area = ratatui::layout::Rect { y: i as u16, height: 1, ..f.area() };
                    f.render_widget(HealthLine { health: h, strings: s, theme: THEME }, area);
                }
            })
            .unwrap();
        insta::assert_snapshot!(name, terminal.backend());
        let warn_row = (0..110).map(|x| terminal.backend().buffer()[(x, 1)].symbol().to_owned()).collect::<String>();
        assert!(warn_row.contains('⚠'));
        assert_eq!(
            terminal.backend().buffer()[(warn_row.chars().position(|c| c == '⚠').unwrap() as u16, 1)].fg,
            ratatui::style::Color::Red
        );
    }
}

#[test]
fn a_click_row_maps_to_the_item_the_list_shows_there() {
    assert_eq!(first_visible(0, 10), 0);
    assert_eq!(first_visible(9, 10), 0);
    assert_eq!(first_visible(10, 10), 1);
    assert_eq!(first_visible(25, 10), 16);
}

/// Issue 12: the history names a resend by the email it repeats (its date and time) and an
/// address change by its addresses, never by database ids (`#5`, `guest 93`, `message 5`),
/// in every language; the resend's own log says the same.
#[test]
fn the_history_names_no_database_ids() {
    use guestmail::store::ResendOutcome;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, anna) = fixture(&dir.path().join("g.db"));
    let reservation = store.day(NaiveDate::from_ymd_opt(2037, 11, 28).unwrap()).unwrap()[0].id;
    // The deferred confirmation gave up, so the journey lets staff send it again.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute("UPDATE messages SET state = 'failed' WHERE guest_id = ?1 AND state = 'deferred'", [anna]).unwrap();
    let ResendOutcome::Queued { id, .. } = store.resend_confirmation(reservation, true, "staff").unwrap() else {
        panic!("the confirmation is resent")
    };
    let original = store.message(store.message(id).unwrap().resend_of.expect("linked")).unwrap();
    store.change_guest_email(anna, "anna.new@example.be", "staff").unwrap();
    let mut state = HistoryState::new(store.guest_history(anna, 50, None).unwrap(), Clock::utc());
    let resend = state.history.emails.iter().position(|e| e.id == id).unwrap();
    let index = state.entries.iter().position(|e| *e == guestmail::panes::history::Entry::Email(resend)).unwrap();
    state.select(index);
    state.set_log(id, store.message_log(id).unwrap());
    let when = Clock::utc().date_time(original.sent_at.unwrap_or(original.created_at));
    for lang in [Language::En, Language::Fr, Language::Nl] {
        let strings = HistoryStrings::of(lang);
        let text = format!("{:?}", draw(160, 30, HistoryPane { state: &state, strings, theme: THEME }).backend());
        for leak in [format!("#{}", original.id), format!("guest {anna}"), format!("message {}", original.id)] {
            assert!(!text.contains(&leak), "{lang:?} shows {leak}:\n{text}");
        }
        let linked = format!("↻ {}", strings.resend_of(&when, None));
        assert_eq!(text.matches(&linked).count(), 2, "{lang:?}: the row and its log name the original:\n{text}");
        assert!(text.contains("anna.peeters@example.be -> anna.new@example.be"), "{lang:?}:\n{text}");
    }
}
