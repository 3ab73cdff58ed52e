//! Encrypted connections to a PostgreSQL store: with `sslmode=verify-full` and the server's
//! CA in `sslrootcert`, the store's connection is TLS (the server says so in `pg_stat_ssl`)
//! and works as any other; without the CA the certificate is refused, with what to do; a
//! URL without `sslmode` reaches a server on loopback in clear.
//!
//! Needs a server with TLS on: `.ci/run` turns it on with `tests/harness/pg_tls.sh` and names
//! its CA in `GUESTMAIL_TEST_PG_CA`; without both variables the test says why it skips.

use chrono::NaiveDate;
use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::store::Store;

use crate::support::pg;

const CA_ENV: &str = "GUESTMAIL_TEST_PG_CA";

/// How many of the server's connections named `app` are (or are not) encrypted.
fn connections(schema: &pg::PgSchema, app: &str) -> (i64, i64) {
    let mut admin = schema.connect();
    let row = admin
        .query_one(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
             FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1",
            &[&app],
        )
        .expect("pg_stat_ssl");
    (row.get(0), row.get(1))
}

#[test]
fn a_store_over_tls_checks_the_servers_certificate() {
    let (Some(schema), Ok(ca)) = (pg::fresh(), std::env::var(CA_ENV)) else {
        eprintln!("skipped: {} and {CA_ENV} name no PostgreSQL server with TLS on", pg::ENV);
        return;
    };
    let app = format!("gm-tls-{}", schema.name());
    let url = format!("{}&application_name={app}&sslmode=verify-full&sslrootcert={ca}", schema.url());
    let mut store = Store::open(url.as_str()).expect("open over TLS with the CA");
    assert_eq!(connections(&schema, &app), (1, 0), "the store's connection is encrypted");
    let when = NaiveDate::from_ymd_opt(2037, 11, 23).unwrap().and_hms_opt(19, 0, 0).unwrap();
    let booking = NewReservation {
        name: "Zoé".into(),
        email: "zoe@example.org".into(),
        phone: String::new(),
        language: Language::Fr,
        starts_at: when,
        party_size: 2,
        status: ReservationStatus::Pending,
        notes: String::new(),
    };
    store.create_reservation(&booking).expect("write over TLS");
    assert_eq!(store.day(when.date()).expect("read over TLS").len(), 1);
    drop(store);

    // TLS without the CA: the private certificate is refused, and the message says what to do.
    let err = Store::open(format!("{}&sslmode=require", schema.url()).as_str()).expect_err("unknown CA");
    assert!(err.to_string().contains("sslrootcert="), "{err}");
    let err = Store::open(format!("{}&sslmode=sometimes", schema.url()).as_str()).expect_err("bad sslmode");
    assert!(err.to_string().contains("sslmode=sometimes"), "{err}");

    // No sslmode, a server on loopback: in clear, as before.
    let plain = format!("gm-plain-{}", schema.name());
    let store = Store::open(format!("{}&application_name={plain}", schema.url()).as_str()).expect("open");
    assert_eq!(connections(&schema, &plain), (0, 1));
    drop(store);
}
