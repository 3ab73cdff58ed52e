//! The data thread (`tui::serve_days`) on a real SQLite file: the panes' look-ups answer
//! without reloading the day or recounting the health; a write is followed by the health and
//! the day again. Order-based checks only (no waiting for something not to happen).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::mpsc;
use std::time::Duration;

use guestmail::app::{Command, Outcome};
use guestmail::event::Event;
use guestmail::tui::{Request, serve_days};
use support::{day, marker_day};

const LONG: Duration = Duration::from_secs(20);

fn next(rx: &mpsc::Receiver<Event>) -> Event {
    rx.recv_timeout(LONG).expect("the data thread answers")
}

#[test]
fn look_ups_answer_alone_and_writes_bring_the_health_and_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    drop(marker_day(&path));
    let mut store = guestmail::store::Store::open(&path).unwrap();
    let (req_tx, req_rx) = mpsc::channel();
    let (ev_tx, ev_rx) = mpsc::channel();
    let thread = std::thread::spawn(move || serve_days(&mut store, &req_rx, &ev_tx));

    req_tx.send(Request::Load(day())).unwrap();
    assert!(matches!(next(&ev_rx), Event::Done(Outcome::Health(h)) if h.attempted > 0), "health at start");
    let Event::DayLoaded(d, rows) = next(&ev_rx) else { panic!("the day") };
    assert_eq!(d, day());
    let amelie = rows.iter().find(|r| r.guest.name == "Amélie Martin").unwrap().clone();

    req_tx.send(Request::Run(Command::FollowUp { day: day(), now: day().and_hms_opt(0, 0, 0).unwrap() })).unwrap();
    req_tx.send(Request::Run(Command::History { guest_id: amelie.guest.id, limit: 50 })).unwrap();
    let Event::Done(Outcome::FollowUp { rows, .. }) = next(&ev_rx) else { panic!("the follow-up list") };
    assert!(rows.iter().any(|r| r.reservation_id == amelie.id));
    // The next event is the second look-up's answer: the first reloaded nothing.
    assert!(matches!(next(&ev_rx), Event::Done(Outcome::History { .. })));

    let name = amelie.guest.name.clone();
    req_tx.send(Request::Run(Command::ConfirmByPhone { reservation_id: amelie.id, name })).unwrap();
    assert!(matches!(next(&ev_rx), Event::Done(Outcome::ConfirmedByPhone { changed: true, .. })));
    assert!(matches!(next(&ev_rx), Event::Done(Outcome::Health(_))), "a write: the health again");
    let Event::DayLoaded(_, rows) = next(&ev_rx) else { panic!("the day again") };
    assert!(rows.iter().find(|r| r.id == amelie.id).unwrap().confirmed_by_phone);

    drop(req_tx);
    thread.join().unwrap();
}
