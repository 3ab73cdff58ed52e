//! A small evening written with fixed times (the demo writer takes every timestamp), so the
//! panes' times and logs do not move from run to run: Anna (opened before, this confirmation
//! not yet), Bob (bounced), Chloé (opened: nothing to follow up), Dan (pending).

use chrono::NaiveDateTime;
use guestmail::domain::{EmailKind, Language, MessageState, ReservationStatus};
use guestmail::store::{DemoMessage, DemoWriter, Store};

pub fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a fixture time")
}

/// UTC ms of a wall-clock text (the tests draw in UTC).
pub fn ms(text: &str) -> i64 {
    at(text).and_utc().timestamp_millis()
}

/// One email of a fixture, written with its own times: queued at `created`, sent two
/// seconds later when its state says it went out, opened at `opens` (`true`: by a machine).
pub struct Mail<'a> {
    pub kind: EmailKind,
    pub state: MessageState,
    pub created: &'a str,
    pub opens: &'a [(&'a str, bool)],
    pub error: Option<&'a str>,
    /// A deferred email's next try.
    pub next: Option<&'a str>,
}

/// An email with no opens, error or retry; fixtures change the fields they are about.
pub fn plain(kind: EmailKind, state: MessageState, created: &str) -> Mail<'_> {
    Mail { kind, state, created, opens: &[], error: None, next: None }
}

/// Writes `m` for `guest` at `email` about `reservation`; its id.
pub fn mail(w: &DemoWriter<'_>, guest: i64, email: &str, reservation: i64, m: &Mail<'_>) -> i64 {
    let opens: Vec<(i64, bool)> = m.opens.iter().map(|(t, machine)| (ms(t), *machine)).collect();
    let sent = matches!(m.state, MessageState::Sent | MessageState::Bounced).then(|| ms(m.created) + 2_000);
    let message = DemoMessage {
        reservation_id: reservation,
        guest_id: guest,
        kind: m.kind,
        recipient: email,
        subject: "",
        state: m.state,
        created_at: ms(m.created),
        sent_at: sent,
        server_reply: sent.map(|_| "250 2.0.0 OK queued"),
        last_error: m.error,
        next_attempt_at: m.next.map(ms),
        opens: &opens,
    };
    w.message(&message, "test.localhost").expect("a fixture message")
}

/// The evening of 2037-11-23 in a new database at `path`.
pub fn tonight(path: &std::path::Path) -> Store {
    use EmailKind::{Completed, Confirmed, Pending};
    use MessageState::{Bounced, Sent};
    let mut store = Store::open(path).expect("open the fixture database");
    store
        .demo_bulk(|w| {
            let email = "anna@example.be";
            let anna = w.guest("Anna Peeters", email, "+32 475 12 34 56", Language::En, 0)?;
            let past = w.reservation(anna, at("2037-11-10 19:00"), 2, ReservationStatus::Completed, "", 0)?;
            let now = w.reservation(anna, at("2037-11-23 19:00"), 4, ReservationStatus::Confirmed, "", 0)?;
            let opened: &[(&str, bool)] = &[("2037-11-09 08:00", true), ("2037-11-09 12:30", false)];
            let m = plain;
            mail(w, anna, email, past, &Mail { opens: opened, ..m(Confirmed, Sent, "2037-11-08 10:00") });
            mail(w, anna, email, past, &m(Completed, Sent, "2037-11-11 10:00"));
            let first: &[(&str, bool)] = &[("2037-11-20 18:00", false)];
            mail(w, anna, email, now, &Mail { opens: first, ..m(Pending, Sent, "2037-11-20 17:00") });
            mail(w, anna, email, now, &m(Confirmed, Sent, "2037-11-21 09:00"));

            let bob = w.guest("Bob Smith", "bob@example.org", "+44 7700 900123", Language::En, 0)?;
            w.address_errors("bob@example.org", 1, false, "550 5.1.1 user unknown", ms("2037-11-22 09:05"))?;
            let r = w.reservation(bob, at("2037-11-23 19:30"), 2, ReservationStatus::Confirmed, "", 0)?;
            let bounce = Some("550 5.1.1 user unknown");
            mail(w, bob, "bob@example.org", r, &Mail { error: bounce, ..m(Confirmed, Bounced, "2037-11-22 09:00") });

            let chloe = w.guest("Chloé Girard", "chloe@example.fr", "+33 6 12 34 56 78", Language::Fr, 0)?;
            let r = w.reservation(chloe, at("2037-11-23 20:00"), 3, ReservationStatus::Confirmed, "", 0)?;
            let read: &[(&str, bool)] = &[("2037-11-22 20:00", false)];
            mail(w, chloe, "chloe@example.fr", r, &Mail { opens: read, ..m(Confirmed, Sent, "2037-11-22 19:00") });

            let dan = w.guest("Dan Brown", "dan@example.com", "+1 555 0100", Language::En, 0)?;
            let r = w.reservation(dan, at("2037-11-23 20:30"), 2, ReservationStatus::Pending, "", 0)?;
            mail(w, dan, "dan@example.com", r, &m(Pending, Sent, "2037-11-22 11:00"));
            Ok(())
        })
        .expect("write the fixture");
    store
}

/// The venue's time the screen tests run at: before service, every table still to come.
pub fn evening() -> NaiveDateTime {
    at("2037-11-23 18:00")
}

/// The moment the tests count the delivery health at (the day after the fixture).
pub fn health_now() -> i64 {
    ms("2037-11-24 00:00")
}

/// A screen on the fixture's day, drawing times in UTC, with the day and the health loaded
/// as the data thread would send them.
pub fn app_on(store: &Store, lang: Language) -> guestmail::app::App {
    use guestmail::action::Action;
    use guestmail::app::{App, Outcome};
    let day = super::day();
    let mut app = App::new("Le Petit Bistro", lang, guestmail::keymap::Keymap::default(), day, day);
    app.clock = guestmail::panes::Clock::utc();
    app.fixed_now = Some(evening());
    app.update(Action::DayLoaded(day, store.day(day).expect("the day")));
    app.update(Action::Done(Outcome::Health(store.delivery_health(health_now()).expect("health"))));
    app
}

/// Plays the data thread: runs what the app asks on `store` and hands back each answer;
/// after a write, the day and the health again (as `tui::serve_days` does), until the app
/// asks nothing more.
pub fn pump(app: &mut guestmail::app::App, store: &mut Store) {
    use guestmail::action::Action;
    use guestmail::app::Outcome;
    use guestmail::data::execute;
    for _ in 0..50 {
        let commands = app.take_commands();
        if commands.is_empty() {
            return;
        }
        for command in commands {
            let writes = command.writes();
            app.update(Action::Done(execute(store, command)));
            if writes {
                let day = app.day;
                app.update(Action::Done(Outcome::Health(store.delivery_health(health_now()).expect("health"))));
                app.update(Action::DayLoaded(day, store.day(day).expect("the day")));
            }
        }
    }
    panic!("the app keeps asking the data thread");
}

/// The evening in a fresh file, with an English app on it; keep the dir alive.
pub fn setup() -> (guestmail::app::App, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = tonight(&dir.path().join("g.db"));
    let app = app_on(&store, Language::En);
    (app, store, dir)
}
