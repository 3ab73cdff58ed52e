//! RFC 5322 caps a line at 998 bytes: no header line of a composed email passes it, whatever
//! the guest's name (ASCII or not, up to a 1,000 characters as a paste gone wrong would bring)
//! and however long the venue makes its name and so the subject.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use guestmail::config::Config;
use guestmail::domain::{EmailKind, Language};
use guestmail::mail::compose::Composer;
use guestmail::store::{Claimed, ClaimedVenue, new_token};

fn claimed(name: &str, kind: EmailKind, language: Language) -> Claimed {
    Claimed {
        id: 1,
        kind,
        recipient: "anna@example.org".into(),
        message_id: format!("<{}@mail.example.org>", new_token()),
        token: new_token(),
        attempts: 1,
        created_at: 0,
        guest_name: name.into(),
        language: Some(language),
        starts_at: NaiveDate::from_ymd_opt(2037, 11, 28).unwrap().and_hms_opt(19, 30, 0),
        party_size: Some(2),
        venue: ClaimedVenue::default(),
    }
}

/// The header block's lines (up to the first empty line), without their CRLF.
fn header_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    bytes[..end].split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec()).collect()
}

#[test]
fn no_header_line_passes_998_bytes() {
    let venue = "Le Très Long Nom du Bistrot ".repeat(20);
    let config = Config { venue_name: venue.trim().into(), ..Config::default() };
    let composer = Composer::new(&config).unwrap();
    let names = ["A".repeat(1000), "Zoë ".repeat(250), "Anna".to_owned() + &" Peeters".repeat(124), "名前".repeat(500)];
    for name in &names {
        for kind in [EmailKind::Pending, EmailKind::Confirmed, EmailKind::Reminder] {
            for language in [Language::En, Language::Fr, Language::Nl] {
                let email = composer.compose(&claimed(name, kind, language)).unwrap();
                let lines = header_lines(&email.bytes);
                assert!(lines.len() > 5);
                for line in &lines {
                    assert!(
                        line.len() <= 998,
                        "a header line of {} bytes for a name of {} characters: {}",
                        line.len(),
                        name.chars().count(),
                        String::from_utf8_lossy(&line[..80])
                    );
                }
                let longest = lines.iter().map(Vec::len).max().unwrap();
                assert!(longest <= 998, "{longest}");
            }
        }
    }
}

/// The one cap on names, at the command line and the import (the form stops taking
/// characters at 200; see `app::form`).
#[test]
fn a_name_over_200_characters_is_refused_where_it_enters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_guestmail"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("GUESTMAIL_DB")
            .output()
            .unwrap()
    };
    let long = "A".repeat(1000);
    let base = ["reservation", "add", "--date", "2037-11-28", "--time", "19:30", "--email", "anna@example.org"];
    let out = run(&[&base[..], &["--name", &long]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1000 characters; at most 200"));
    let exactly = "é".repeat(200);
    let out = run(&[&base[..], &["--name", &exactly]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let csv = dir.path().join("long.csv");
    std::fs::write(
        &csv,
        format!(
            "date,time,name,email,phone,party,language,status\n2037-11-29,19:00,Bob,bob@example.org,,2,en,\n2037-11-29,19:00,{long},carl@example.org,,2,en,\n"
        ),
    )
    .unwrap();
    let out = run(&["import", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("at most 200"), "{err}");
}
