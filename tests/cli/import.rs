//! `guestmail import` through the real binary on a real SQLite file: the journey's refusals
//! by line, and a second import of the same file adding nothing.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use guestmail::store::Store;

const HEADER: &str = "date,time,name,email,phone,party,language,status\n";

fn import(db: &Path, csv: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .args(["--db", db.to_str().unwrap(), "import", csv.to_str().unwrap()])
        .args(extra)
        .env_remove("GUESTMAIL_DB")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn emails(store: &Store) -> i64 {
    store.count_by_state().unwrap().iter().map(|(_, n)| n).sum()
}

#[test]
fn past_and_future_rows_that_make_no_sense_are_refused_by_line_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}2099-06-01,19:30,Anna,anna@example.be,,2,fr,pending\n\
             2020-01-01,19:00,Old,old@example.be,,2,fr,pending\n\
             2099-06-01,20:00,Soon,soon@example.be,,2,fr,completed\n\
             2020-01-01,12:00,Ate,ate@example.be,,4,en,completed\n\
             2099-06-01,21:00,Crowd,crowd@example.be,,120,en,confirmed\n"
        ),
    )
    .unwrap();
    let out = import(&db, &csv, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("nothing imported"), "{err}");
    assert!(err.contains("line 3: the reservation time (2020-01-01 19:00) has passed"), "{err}");
    assert!(err.contains("line 4: a reservation still to come (2099-06-01 20:00) cannot be completed"), "{err}");
    assert!(err.contains("line 6: the party size must be from 1 to 99 (got 120)"), "{err}");
    assert!(!err.contains("line 2") && !err.contains("line 5"), "good rows are not reported: {err}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.reservation_count().unwrap(), 0);
    assert_eq!(emails(&store), 0);
}

#[test]
fn importing_a_file_again_adds_nothing_unless_duplicates_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let csv = dir.path().join("good.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}2099-06-01,19:30,Anna,anna@example.be,+32 475,2,fr,pending\n\
             2099-06-02,20:00,Bo,Bo@Example.org,,4,en,confirmed\n\
             2020-01-01,12:00,Old,old@example.be,,3,nl,completed\n"
        ),
    )
    .unwrap();
    let first = import(&db, &csv, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("3 imported, 0 already present"), "{}", stdout(&first));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.reservation_count().unwrap(), 3);
    let queued = emails(&store);
    assert!(queued >= 2, "the two reservations to come get their emails, the past one none: {queued}");
    assert!(stdout(&first).contains(&format!("({queued} emails queued)")), "{}", stdout(&first));

    let second = import(&db, &csv, &[]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).contains("0 imported, 3 already present (0 emails queued)"), "{}", stdout(&second));
    assert_eq!(store.reservation_count().unwrap(), 3);
    assert_eq!(emails(&store), queued, "no email queued twice");

    // The same reservations typed with other capitals in the address are the same ones.
    let shouting = dir.path().join("shouting.csv");
    std::fs::write(
        &shouting,
        format!("{HEADER}2099-06-01,19:30,Anna,ANNA@EXAMPLE.BE,,2,fr,pending\n2099-06-02,20:00,Bo,bo@example.org,,4,en,confirmed\n"),
    )
    .unwrap();
    let third = import(&db, &shouting, &[]);
    assert!(stdout(&third).contains("0 imported, 2 already present"), "{}{}", stdout(&third), stderr(&third));
    assert_eq!(store.reservation_count().unwrap(), 3);

    let forced = import(&db, &csv, &["--allow-duplicates"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stdout(&forced).contains("3 imported, 0 already present"), "{}", stdout(&forced));
    assert_eq!(store.reservation_count().unwrap(), 6);
}

#[test]
fn a_file_that_repeats_its_own_row_imports_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let csv = dir.path().join("twice.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}2099-06-01,19:30,Anna,anna@example.be,,2,fr,pending\n\
             2099-06-01,19:30,Anna Peeters,Anna@example.be,,2,fr,pending\n\
             2099-06-01,21:30,Anna,anna@example.be,,2,fr,pending\n"
        ),
    )
    .unwrap();
    let out = import(&db, &csv, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 imported, 1 already present (2 emails queued)"), "{}", stdout(&out));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.reservation_count().unwrap(), 2, "the same slot once, another slot of the same guest kept");
    assert_eq!(emails(&store), 2);
}
