//! End-to-end (issue 14): the real binary in a pseudo-terminal on a database holding two
//! venues. `--venue Bistro` shows Bistro's name and only its reservations; without `--venue`
//! the program refuses before taking the terminal and names the venues.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use chrono::NaiveDate;
use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::store::Store;
use guestmail::venue::NewVenue;
use support::{Pty, WAIT, marker_day};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");

fn spawn(dir: &Path, venue: Option<&str>) -> Pty {
    let db = dir.join("g.db");
    let home = dir.join("home");
    let (db, home) = (db.to_str().unwrap(), home.to_str().unwrap());
    let env = [("HOME", home), ("XDG_CONFIG_HOME", home), ("XDG_DATA_HOME", home)];
    let mut args = vec!["--db", db, "--date", "2037-11-23"];
    if let Some(v) = venue {
        args.extend(["--venue", v]);
    }
    Pty::spawn(BIN, &args, &env, 100, 30)
}

#[test]
fn pty_venues_the_screen_works_on_the_chosen_venue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    drop(marker_day(&path));
    let mut store = Store::open(&path).unwrap();
    let bistro = NewVenue {
        name: "Bistro".into(),
        sender: "bistro@mail.group.example".into(),
        reply_to: String::new(),
        phone: String::new(),
        address: String::new(),
        language: Language::En,
        time_zone: String::new(),
    };
    let id = store.add_venue(&bistro, "transactions@guestmail.example").unwrap().id;
    let mut store = store.with_venue(id);
    store
        .create_reservation(&NewReservation {
            name: "Zoë Venue".into(),
            email: "zoe@example.be".into(),
            phone: String::new(),
            language: Language::Fr,
            starts_at: NaiveDate::from_ymd_opt(2037, 11, 23).unwrap().and_hms_opt(20, 15, 0).unwrap(),
            party_size: 3,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .unwrap();
    drop(store);

    let mut pty = spawn(dir.path(), Some("bistro"));
    let s = pty.wait_for_text("Zoë Venue", WAIT);
    assert!(s.contains("Bistro · Monday 23 November 2037"), "{s}");
    assert!(s.contains("1 reservation"), "{s}");
    assert!(!s.contains("Amélie Martin"), "the other venue's rows stay out:\n{s}");
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());

    let mut pty = spawn(dir.path(), Some("default"));
    let s = pty.wait_for_text("Amélie Martin", WAIT);
    assert!(!s.contains("Zoë Venue"), "{s}");
    pty.send_keys("q");
    assert!(pty.wait_exit(WAIT).success());

    let mut pty = spawn(dir.path(), None);
    let status = pty.wait_exit(WAIT);
    assert!(!status.success());
    let s = pty.screen_text();
    assert!(s.contains("--venue") && s.contains("default") && s.contains("Bistro"), "{s}");
}
