//! The real binary's commands: config errors, CSV import, demo, and where the database goes.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use guestmail::store::Store;

fn guestmail(args: &[&str], env_db: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guestmail"));
    cmd.args(args).env_remove("GUESTMAIL_DB");
    if let Some(db) = env_db {
        cmd.env("GUESTMAIL_DB", db);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_bad_config_file_names_the_file_the_line_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gm.toml");
    std::fs::write(&config, "venue_name = \"Chez Nous\"\n\nblock_after = \"twelve\"\n").unwrap();
    let db = dir.path().join("g.db");
    let out = guestmail(&["--config", config.to_str().unwrap(), "--db", db.to_str().unwrap(), "demo"], None);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(config.to_str().unwrap()), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("block_after"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_named_config_file_that_does_not_exist_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = guestmail(
        &["--config", "/nonexistent/gm.toml", "--db", dir.path().join("g.db").to_str().unwrap(), "demo"],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("/nonexistent/gm.toml"), "{}", stderr(&out));
}

#[test]
fn a_bad_csv_is_reported_by_line_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    std::fs::write(
        &csv,
        "date,time,name,email,phone,party,language,status\n\
         2030-01-10,19:30,Anna,anna@example.be,,2,fr,pending\n\
         2030-01-10,19:45,Bo,bo-at-example.be,,2,fr,pending\n",
    )
    .unwrap();
    let db = dir.path().join("g.db");
    let out = guestmail(&["import", csv.to_str().unwrap(), "--db", db.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 3") && err.contains("bo-at-example.be"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    assert_eq!(Store::open(&db).unwrap().reservation_count().unwrap(), 0);
}

#[test]
fn a_good_csv_is_imported_and_upcoming_reservations_get_their_email() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    std::fs::write(
        &csv,
        "date,time,name,email,phone,party,language,status\n\
         2030-01-10,19:30,Anna,anna@example.be,+32 475,2,fr,confirmed\n\
         2020-01-10,12:00,Old,old@example.be,,4,en,completed\n",
    )
    .unwrap();
    let db = dir.path().join("g.db");
    // The global --db flag works before the subcommand too.
    let out = guestmail(&["--db", db.to_str().unwrap(), "import", csv.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    // The confirmation and, the reservation being days ahead, its reminder.
    assert!(said.contains("2 imported, 0 already present (2 emails queued)"), "{said}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.reservation_count().unwrap(), 2);
    let total: i64 = store.count_by_state().unwrap().iter().map(|(_, n)| n).sum();
    assert_eq!(total, 2, "only the upcoming reservation gets emails");
}

#[test]
fn the_database_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let out = guestmail(&["demo", "--reservations", "50"], Some(&db));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(Store::open(&db).unwrap().reservation_count().unwrap(), 50);
    // Demo data is not added twice by accident.
    let again = guestmail(&["demo"], Some(&db));
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--append"), "{}", stderr(&again));
}
