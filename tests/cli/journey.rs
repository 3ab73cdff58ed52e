//! The scriptable CLI of the journey, through the real binary on a real SQLite file: every
//! command prints one JSON object; a refusal by the rules exits 3 with one line saying why
//! and changes nothing; bad input exits 1.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use chrono::{Duration, Local};
use serde_json::Value;

/// A config and a database in a folder of their own, and the real binary run on them (the
/// venues tests use it too).
pub(crate) struct Venue {
    dir: tempfile::TempDir,
}

impl Venue {
    fn new() -> Self {
        Self::with_config("venue_name = \"Chez Nous\"\nresend_cooldown_seconds = 120\n")
    }

    pub(crate) fn with_config(config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gm.toml"), config).unwrap();
        Venue { dir }
    }

    /// The folder holding the config (`gm.toml`), the database and its outbox.
    pub(crate) fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.dir.path().join("g.db")
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let config = self.dir.path().join("gm.toml");
        Command::new(env!("CARGO_BIN_EXE_guestmail"))
            .args(["--config", config.to_str().unwrap(), "--db", self.db().to_str().unwrap()])
            .args(args)
            .env_remove("GUESTMAIL_DB")
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed and print one JSON object.
    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 1, "one line of JSON: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Runs a command that must fail with `code` and one line on stderr; returns the line.
    pub(crate) fn refused(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "nothing on stdout");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    fn add(&self, days: i64, time: &str, email: &str) -> i64 {
        let date = (Local::now().date_naive() + Duration::days(days)).format("%Y-%m-%d").to_string();
        let v = self.json(&["reservation", "add", "--date", &date, "--time", time, "--name", "Anna", "--email", email]);
        v["id"].as_i64().unwrap()
    }
}

fn kinds(v: &Value, field: &str) -> Vec<String> {
    v[field].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect()
}

#[test]
fn add_confirm_cancel_print_what_they_queued_and_withdrew() {
    let venue = Venue::new();
    let id = venue.add(5, "19:30", "Anna@Example.ORG");
    let id_s = id.to_string();
    let v = venue.json(&["reservation", "confirm", &id_s]);
    assert_eq!(v["status"], "confirmed");
    assert_eq!(kinds(&v, "queued"), ["confirmed", "reminder"]);
    assert_eq!(kinds(&v, "withdrawn"), ["pending"], "the waiting request is superseded");
    let v = venue.json(&["reservation", "cancel", &id_s]);
    assert_eq!((v["status"].as_str(), kinds(&v, "queued")), (Some("cancelled"), vec!["cancelled".to_owned()]));
    assert_eq!(kinds(&v, "withdrawn").len(), 2, "the confirmation and the reminder: {v}");
    let show = venue.json(&["reservation", "show", &id_s]);
    assert_eq!(show["status"], "cancelled");
    assert_eq!(show["time"], "19:30");
    assert_eq!(show["guest"]["email"], "Anna@example.org");
    let states: Vec<(String, String)> = show["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["kind"].as_str().unwrap().to_owned(), m["state"].as_str().unwrap().to_owned()))
        .collect();
    let waiting: Vec<&(String, String)> = states.iter().filter(|(_, s)| s == "queued").collect();
    assert_eq!(waiting, [&("cancelled".to_owned(), "queued".to_owned())], "{states:?}");
    assert!(show["messages"][0]["message_id"].as_str().unwrap().starts_with('<'));
    assert!(show["messages"][0]["resend_of"].is_null());
}

#[test]
fn refusals_exit_3_say_why_and_change_nothing() {
    let venue = Venue::new();
    let err = venue.refused(
        &["reservation", "add", "--date", "2020-01-01", "--time", "19:00", "--name", "X", "--email", "x@example.org"],
        3,
    );
    assert!(err.contains("has passed"), "{err}");
    let date = (Local::now().date_naive() + Duration::days(2)).format("%Y-%m-%d").to_string();
    let big = ["reservation", "add", "--date", &date, "--time", "19:00", "--name", "X", "--email", "x@example.org"];
    let err = venue.refused(&[&big[..], &["--party", "250"]].concat(), 3);
    assert!(err.contains("party size"), "{err}");
    let id = venue.add(2, "20:00", "b@example.org").to_string();
    venue.json(&["reservation", "confirm", &id]);
    let err = venue.refused(&["reservation", "complete", &id], 3);
    assert!(err.contains("20:00") && err.contains("--force"), "{err}");
    let err = venue.refused(&["reservation", "no-show", &id], 3);
    assert!(err.contains("not happened"), "{err}");
    assert_eq!(venue.json(&["reservation", "show", &id])["status"], "confirmed", "nothing changed");
    let v = venue.json(&["reservation", "complete", &id, "--force"]);
    assert_eq!(kinds(&v, "queued"), ["completed"]);
    let err = venue.refused(&["reservation", "cancel", &id], 3);
    assert!(err.contains("completed reservation cannot become cancelled"), "{err}");
    // The confirmation still waits in the outbox: resending it would send it twice.
    let other = venue.add(3, "12:00", "c@example.org").to_string();
    let err = venue.refused(&["resend", &other], 3);
    assert!(err.contains("still waiting"), "{err}");
    let err = venue.refused(&["resend", &other, "--kind", "cancelled"], 3);
    assert!(err.contains("pending"), "{err}");
}

#[test]
fn resend_asks_within_the_cooldown_and_again_overrides_it() {
    let venue = Venue::new();
    let id = venue.add(4, "19:00", "r@example.org").to_string();
    venue.json(&["reservation", "confirm", &id]);
    let out = venue.run(&["send"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = venue.refused(&["resend", &id], 3);
    assert!(err.contains("s ago") && err.contains("--again"), "{err}");
    let v = venue.json(&["resend", &id, "--again"]);
    assert_eq!(kinds(&v, "queued"), ["confirmed"]);
    let show = venue.json(&["reservation", "show", &id]);
    let confirmations: Vec<&Value> =
        show["messages"].as_array().unwrap().iter().filter(|m| m["kind"] == "confirmed").collect();
    assert_eq!(confirmations.len(), 2);
    assert_eq!(confirmations[1]["resend_of"], confirmations[0]["id"], "linked to the one it repeats");
    // A pending reservation's `resend` is its request (after the same question).
    let pending = venue.add(4, "20:00", "p@example.org").to_string();
    venue.run(&["send"]);
    let v = venue.json(&["resend", &pending, "--again"]);
    assert_eq!(kinds(&v, "queued"), ["pending"]);
}

#[test]
fn bad_input_is_one_clear_line_and_exit_1() {
    let venue = Venue::new();
    let date = (Local::now().date_naive() + Duration::days(2)).format("%Y-%m-%d").to_string();
    let add = |date: &str, time: &str, email: &str| {
        venue.refused(&["reservation", "add", "--date", date, "--time", time, "--name", "X", "--email", email], 1)
    };
    assert!(add("24/12/2026", "19:00", "x@example.org").contains("YYYY-MM-DD"));
    assert!(add(&date, "7pm", "x@example.org").contains("HH:MM"));
    assert!(add(&date, "19:00", "not-an-address").contains("not-an-address"));
    assert!(venue.refused(&["reservation", "show", "999"], 1).contains("999"));
    assert!(venue.refused(&["reservation", "confirm", "999"], 1).contains("not found"));
    assert!(venue.refused(&["resend", "999"], 1).contains("not found"));
}
