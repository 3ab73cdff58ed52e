//! Several venues in one database (issue 14), on a real SQLite file and, when
//! `GUESTMAIL_TEST_PG` names a server, on a real PostgreSQL schema: the implicit venue of a
//! single-venue store, one sender per venue (without case), and a venue-scoped connection
//! seeing and changing only its own reservations and guests.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::journey::Change;
use guestmail::store::{CommFilter, Location, Store, StoreError, VenueSelectError};
use guestmail::venue::{NewVenue, VenueChoiceError, VenueRefusal};

use crate::support::pg;

pub fn new_venue(name: &str, sender: &str) -> NewVenue {
    NewVenue {
        name: name.into(),
        sender: sender.into(),
        reply_to: format!("hello@{}", sender.rsplit_once('@').map_or("x.example", |(_, d)| d)),
        phone: "+32 2 555 01 01".into(),
        address: "Rue Haute 1, Bruxelles".into(),
        language: Language::Fr,
        time_zone: "Europe/Brussels".into(),
    }
}

pub fn booking(email: &str, day: NaiveDate, hm: (u32, u32)) -> NewReservation {
    NewReservation {
        name: "Anna Peeters".into(),
        email: email.into(),
        phone: String::new(),
        language: Language::Nl,
        starts_at: day.and_hms_opt(hm.0, hm.1, 0).unwrap(),
        party_size: 2,
        status: ReservationStatus::Pending,
        notes: String::new(),
    }
}

const CONFIG_SENDER: &str = "reservations@group.example";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2037, 11, 27).unwrap()
}

fn single_venue_store_works_on_its_implicit_venue(location: &Location) {
    let mut store = Store::open(location).unwrap();
    let venues = store.venues().unwrap();
    assert_eq!(venues.len(), 1, "{venues:?}");
    assert_eq!((venues[0].id, venues[0].name.as_str(), venues[0].sender.as_str()), (1, "default", ""));
    assert_eq!(store.choose_venue(None).unwrap(), 1);
    assert_eq!(store.venue_id(), 1);
    let id = store.create_reservation(&booking("anna@example.be", day(), (19, 30))).unwrap();
    assert_eq!(store.day(day()).unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
}

fn scope_the_day_new_reservations_and_changes(location: &Location) {
    let mut main = Store::open(location).unwrap();
    let here = main.create_reservation(&booking("anna@example.be", day(), (19, 30))).unwrap();
    let bistro = main.add_venue(&new_venue("Bistro", "bistro@mail.group.example"), CONFIG_SENDER).unwrap();
    assert_eq!(bistro.sender, "bistro@mail.group.example");
    assert_eq!(bistro.language, Language::Fr);
    let mut other = Store::open(location).unwrap().with_venue(bistro.id);
    // The same guest address at the same time: another venue's reservation, another guest.
    let there = other.create_reservation(&booking("Anna@Example.be", day(), (19, 30))).unwrap();
    assert_eq!(
        other.existing_reservation(day().and_hms_opt(19, 30, 0).unwrap(), "anna@example.be").unwrap(),
        Some(there)
    );
    let main_day = main.day(day()).unwrap();
    let other_day = other.day(day()).unwrap();
    assert_eq!(main_day.iter().map(|r| r.id).collect::<Vec<_>>(), vec![here]);
    assert_eq!(other_day.iter().map(|r| r.id).collect::<Vec<_>>(), vec![there]);
    assert_ne!(main_day[0].guest.id, other_day[0].guest.id, "a guest belongs to one venue");
    // Another venue's reservation is not found through this connection, and stays as it was.
    let err = main.change_status(there, ReservationStatus::Cancelled, Change::default(), "test").unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert!(matches!(main.reservation(there), Err(StoreError::NotFound(_))));
    assert!(matches!(main.resend(there, None, true, "test"), Err(StoreError::NotFound(_))));
    assert!(matches!(main.mark_confirmed_by_phone(there, "test"), Err(StoreError::NotFound(_))));
    let their_email = other.messages_for_reservation(there).unwrap()[0].id;
    assert!(matches!(main.resend_message(their_email, true, "test"), Err(StoreError::NotFound(_))));
    assert_eq!(other.reservation(there).unwrap().status, ReservationStatus::Pending);
    other.change_status(there, ReservationStatus::Confirmed, Change::default(), "test").unwrap();
    assert_eq!(main.reservation(here).unwrap().status, ReservationStatus::Pending);
    // Several venues: no name is an error naming them; a name (without case) chooses.
    match main.choose_venue(None) {
        Err(VenueSelectError::Choice(VenueChoiceError::Ambiguous { known })) => {
            assert_eq!(known, vec!["default".to_owned(), "Bistro".to_owned()]);
        }
        other => panic!("expected the venues listed, got {other:?}"),
    }
    assert_eq!(main.choose_venue(Some("BISTRO")).unwrap(), bistro.id);
    assert_eq!(main.find_venue("bistro").unwrap().map(|v| v.id), Some(bistro.id));
    // The communication history shows each venue's own emails.
    let theirs: Vec<i64> = other.messages_for_reservation(there).unwrap().iter().map(|m| m.id).collect();
    let ours: Vec<i64> = main.messages_for_reservation(here).unwrap().iter().map(|m| m.id).collect();
    let page = |s: &Store| -> Vec<i64> {
        let mut ids: Vec<i64> =
            s.communication_history(&CommFilter::default(), 50, None).unwrap().iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids
    };
    assert!(!theirs.is_empty() && !ours.is_empty());
    assert_eq!(page(&main), ours);
    assert_eq!(page(&other), theirs);
}

fn a_second_venue_with_the_same_sender_is_refused(location: &Location) {
    let mut store = Store::open(location).unwrap();
    store.add_venue(&new_venue("Bistro", "bistro@mail.group.example"), CONFIG_SENDER).unwrap();
    let err = store.add_venue(&new_venue("Brasserie", "BISTRO@Mail.Group.Example"), CONFIG_SENDER).unwrap_err();
    match err {
        StoreError::Venue(VenueRefusal::SenderTaken { venue, suggestion, .. }) => {
            assert_eq!(venue, "Bistro");
            assert_eq!(suggestion, "brasserie@mail.group.example");
        }
        other => panic!("expected the shared sender refused, got {other}"),
    }
    // The implicit venue sends from the config's sender once it has guests.
    store.create_reservation(&booking("anna@example.be", day(), (19, 30))).unwrap();
    let err = store.add_venue(&new_venue("Brasserie", CONFIG_SENDER), CONFIG_SENDER).unwrap_err();
    assert!(matches!(err, StoreError::Venue(VenueRefusal::SenderTaken { .. })), "{err}");
    let err = store.add_venue(&new_venue("bistro", "other@mail.group.example"), CONFIG_SENDER).unwrap_err();
    assert!(matches!(err, StoreError::Venue(VenueRefusal::NameTaken(_))), "{err}");
    assert_eq!(store.venues().unwrap().len(), 2, "nothing was added by the refusals");
}

/// Runs `scenario` on a fresh SQLite file, then on a fresh PostgreSQL schema when there is one.
fn on_both(test: &str, scenario: fn(&Location)) {
    let dir = tempfile::tempdir().unwrap();
    scenario(&Location::from(dir.path().join("g.db")));
    match pg::fresh() {
        Some(schema) => scenario(&Location::parse(schema.url())),
        None => eprintln!("skip {test} on PostgreSQL: {} is not set", pg::ENV),
    }
}

#[test]
fn venues_single_venue_store_works_on_its_implicit_venue() {
    on_both("venues_single_venue_store_works_on_its_implicit_venue", single_venue_store_works_on_its_implicit_venue);
}

#[test]
fn venues_scope_the_day_new_reservations_and_changes() {
    on_both("venues_scope_the_day_new_reservations_and_changes", scope_the_day_new_reservations_and_changes);
}

#[test]
fn venues_refuse_a_second_venue_with_the_same_sender() {
    on_both("venues_refuse_a_second_venue_with_the_same_sender", a_second_venue_with_the_same_sender_is_refused);
}

/// A group's venues in two time zones, the config's clock in Brussels: each venue's journey
/// runs on its own wall clock. At 18:30 in London (19:30 in Brussels) a London table of
/// 19:00 has not started: its no-show is refused and its reminder still goes out, from the
/// screen of that venue and from a `serve` claiming for every venue; a Brussels table of
/// 19:00 has started.
fn each_venue_keeps_its_own_clock(location: &Location) {
    use guestmail::clock::Clock;
    use guestmail::domain::{EmailKind, MessageState};
    let brussels =
        guestmail::store::Rules { clock: Clock::named(Some("Europe/Brussels")).unwrap(), ..Default::default() };
    let main = Store::open(location).unwrap().with_rules(brussels);
    let mut main = main;
    let london = main
        .add_venue(
            &NewVenue { time_zone: "Europe/London".into(), ..new_venue("London", "london@mail.group.example") },
            CONFIG_SENDER,
        )
        .unwrap();
    // 2037-11-27 18:30 in London is 19:30 in Brussels (UTC+0 and UTC+1 in November).
    let now = chrono::NaiveDate::from_ymd_opt(2037, 11, 27)
        .unwrap()
        .and_hms_opt(18, 30, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    let mut there =
        Store::open(location).unwrap().with_rules(brussels).with_venue(london.id).frozen_at(now - 86_400_000);
    let mut here = Store::open(location).unwrap().with_rules(brussels).frozen_at(now - 86_400_000);
    let london_table = there.create_reservation(&booking("ldn@example.org", day(), (19, 0))).unwrap();
    let brussels_table = here.create_reservation(&booking("bxl@example.org", day(), (19, 0))).unwrap();
    for (store, id) in [(&mut there, london_table), (&mut here, brussels_table)] {
        store.set_status(id, ReservationStatus::Confirmed, "staff").unwrap();
    }
    let mut there = there.frozen_at(now);
    let mut here = here.frozen_at(now);
    let err = there.set_status(london_table, ReservationStatus::NoShow, "staff").unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "London's table has not started: {err}");
    here.set_status(brussels_table, ReservationStatus::NoShow, "staff").expect("Brussels' table has started");

    // A reminder to the London table, due now: a serve for every venue (Brussels' clock in
    // its config) claims it rather than withdraw it as "time passed".
    let guest = there.reservation(london_table).unwrap().guest.id;
    let reminder = there
        .queue_message(&guestmail::store::NewMessage {
            reservation_id: Some(london_table),
            guest_id: guest,
            kind: EmailKind::Reminder,
            recipient: "ldn@example.org",
            subject: "",
            resend_of: None,
            actor: "test",
        })
        .unwrap()
        .0;
    let mut serve = Store::open(location).unwrap().with_rules(brussels);
    let claim = serve.claim_batch("w-1-aaaaaaaaaaaa", now + 60_000, 10).unwrap();
    assert!(claim.messages.iter().any(|m| m.id == reminder), "{claim:?}");
    assert!(claim.withdrawn.is_empty(), "{claim:?}");
    assert_eq!(serve.message(reminder).unwrap().state, MessageState::Sending);
}

#[test]
fn venues_each_keep_their_own_clock() {
    on_both("venues_each_keep_their_own_clock", each_venue_keeps_its_own_clock);
}
