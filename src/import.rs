//! CSV import of reservations: `date,time,name,email,phone,party,language,status`.
//!
//! The whole file is checked before anything is written, and written in one transaction, so
//! a bad row never leaves half a file behind. Every bad row is reported with its line number.
//! Besides the cells themselves, each row must make sense to the journey's rules at the
//! venue's now ([`Policy::create`]): a past row only as completed, cancelled or no-show, no
//! future row already completed or no-show, the venue's party-size limit.

use std::io::Read;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::{Language, NewReservation, ReservationStatus, normalize_email};
use crate::journey::{Plan, Policy};

/// The columns, in the order of the header row (names are matched case-insensitively, so the
/// order in the file may differ).
pub const COLUMNS: [&str; 8] = ["date", "time", "name", "email", "phone", "party", "language", "status"];

/// A problem with one line of the file (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// One parsed row and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub reservation: NewReservation,
    /// What the journey says the new reservation gets (nothing for a past one).
    pub plan: Plan,
}

/// What a row is checked against: the venue's rules and its wall-clock now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub policy: Policy,
    pub now: NaiveDateTime,
    /// The language of a row whose language cell is empty.
    pub default_language: Language,
}

/// Reads and checks a whole CSV file: each row's cells, then the row against `rules`.
/// Returns every row, or every problem found (the file is never partly accepted).
pub fn parse(input: impl Read, rules: &Rules) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(input);
    let header_error = |message: String| vec![RowError { line: 1, message }];
    let headers = reader.headers().map_err(|e| header_error(format!("cannot read the header row: {e}")))?.clone();
    let mut index = [0usize; 8];
    for (slot, name) in index.iter_mut().zip(COLUMNS) {
        *slot = headers.iter().position(|h| h.eq_ignore_ascii_case(name)).ok_or_else(|| {
            header_error(format!("the header row has no '{name}' column (expected: {})", COLUMNS.join(",")))
        })?;
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, csv::Position::line);
                let cell = |i: usize| record.get(index[i]).unwrap_or("");
                match row(&cell, rules.default_language)
                    .and_then(|reservation| Ok((check(&reservation, rules)?, reservation)))
                {
                    Ok((plan, reservation)) => rows.push(ImportRow { line, reservation, plan }),
                    Err(message) => errors.push(RowError { line, message }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(RowError { line, message: format!("unreadable row: {e}") });
            }
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

fn row<'a>(cell: &dyn Fn(usize) -> &'a str, default_language: Language) -> Result<NewReservation, String> {
    let date = parse_date(cell(0))?;
    let time = NaiveTime::parse_from_str(cell(1), "%H:%M")
        .map_err(|_| format!("time '{}' is not HH:MM (e.g. 19:30)", cell(1)))?;
    let name = crate::domain::check_guest_name(cell(2)).map_err(|e| e.to_string())?;
    let email = normalize_email(cell(3)).map_err(|e| e.to_string())?;
    // Only "is it a number" here: the limit is the venue's, checked by the journey.
    let party: u32 = cell(5).parse().map_err(|_| format!("party '{}' is not a number of guests", cell(5)))?;
    let language = match cell(6) {
        "" => default_language,
        text => text.parse().map_err(|_| format!("language '{text}' is not en, fr or nl"))?,
    };
    let status = match cell(7) {
        "" => ReservationStatus::Pending,
        text => text
            .parse()
            .map_err(|_| format!("status '{text}' is not one of pending, confirmed, completed, cancelled, no-show"))?,
    };
    Ok(NewReservation {
        name: name.to_owned(),
        email,
        phone: cell(4).to_owned(),
        language,
        starts_at: NaiveDateTime::new(date, time),
        party_size: party,
        status,
        notes: String::new(),
    })
}

/// Whether a well-formed row makes sense as a new reservation at `rules.now`, and which
/// emails it gets: the journey's answer, in its own words.
pub fn check(r: &NewReservation, rules: &Rules) -> Result<Plan, String> {
    rules.policy.create(r.status, r.starts_at, r.party_size, rules.now).map_err(|refusal| refusal.to_string())
}

/// `2026-11-23` or the European `23/11/2026`.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map_err(|_| format!("date '{text}' is not YYYY-MM-DD (e.g. 2026-11-23)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "date,time,name,email,phone,party,language,status\n";

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap_or_default()
    }

    /// Rules as on 20 November 2026 at 12:00, with the default policy.
    fn rules(default_language: Language) -> Rules {
        Rules { policy: Policy::default(), now: at("2026-11-20 12:00"), default_language }
    }

    #[test]
    fn a_good_file_parses_with_defaults_for_empty_cells() {
        let csv = format!(
            "{HEADER}2026-11-23,19:30,Anna Peeters,anna@example.be,+32 475 1,2,nl,confirmed\n23/11/2026,12:00,Bo,bo@example.org,,4,,\n"
        );
        let rows = parse(csv.as_bytes(), &rules(Language::Fr)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].reservation.status, ReservationStatus::Confirmed);
        assert_eq!(rows[0].reservation.language, Language::Nl);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].reservation.language, Language::Fr);
        assert_eq!(rows[1].reservation.status, ReservationStatus::Pending);
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let csv = "Name,Email,Date,Time,Party,Phone,Status,Language\nBo,bo@example.org,2026-11-23,20:00,3,,,en\n";
        let rows = parse(csv.as_bytes(), &rules(Language::Fr)).unwrap();
        assert_eq!(rows[0].reservation.party_size, 3);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = format!(
            "{HEADER}2026-11-23,19:30,Anna,anna@example.be,,2,fr,pending\n2026-13-01,19:30,X,x@example.be,,2,fr,\n2026-11-23,7pm,Y,y@example.be,,2,fr,\n2026-11-23,19:00,Z,z-at-example.be,,0,de,maybe\n"
        );
        let errors = parse(csv.as_bytes(), &rules(Language::Fr)).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(errors[0].to_string().starts_with("line 3: date '2026-13-01'"), "{}", errors[0]);
        assert!(errors[1].message.contains("7pm"));
        assert!(errors[2].message.contains("z-at-example.be"), "{}", errors[2]);
    }

    #[test]
    fn a_missing_column_is_named() {
        let errors = parse("date,time,name\n".as_bytes(), &rules(Language::En)).unwrap_err();
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].message.contains("'email'"), "{}", errors[0]);
    }

    fn booking(status: ReservationStatus, starts_at: &str, party: u32) -> NewReservation {
        NewReservation {
            name: "Anna".into(),
            email: "anna@example.be".into(),
            phone: String::new(),
            language: Language::Fr,
            starts_at: at(starts_at),
            party_size: party,
            status,
            notes: String::new(),
        }
    }

    /// status, starts at, party: the emails it gets, or words of the refusal.
    type Case = (ReservationStatus, &'static str, u32, Result<&'static [crate::domain::EmailKind], &'static str>);

    #[test]
    fn each_row_is_checked_against_the_journey_at_the_venues_now() {
        use crate::domain::EmailKind;
        use ReservationStatus::{Cancelled, Completed, Confirmed, NoShow, Pending};
        // now = 2026-11-20 12:00
        #[rustfmt::skip]
        let table: &[Case] = &[
            // The past: only as an outcome, and it queues nothing.
            (Completed, "2026-11-19 19:00", 2, Ok(&[])),
            (Cancelled, "2026-11-19 19:00", 2, Ok(&[])),
            (NoShow,    "2026-11-19 19:00", 2, Ok(&[])),
            (Pending,   "2026-11-19 19:00", 2, Err("the reservation time (2026-11-19 19:00) has passed")),
            (Confirmed, "2020-01-01 19:00", 2, Err("the reservation time (2020-01-01 19:00) has passed")),
            (Confirmed, "2026-11-20 12:00", 2, Err("has passed")),
            // To come: never already an outcome.
            (Completed, "2026-11-25 19:00", 2, Err("a reservation still to come (2026-11-25 19:00) cannot be completed")),
            (NoShow,    "2026-11-25 19:00", 2, Err("cannot be no-show")),
            (Pending,   "2026-11-25 19:00", 2, Ok(&[EmailKind::Pending])),
            (Confirmed, "2026-11-25 19:00", 2, Ok(&[EmailKind::Confirmed, EmailKind::Reminder])),
            (Confirmed, "2026-11-20 20:00", 2, Ok(&[EmailKind::Confirmed])),
            (Cancelled, "2026-11-25 19:00", 2, Ok(&[])),
            // The venue's party-size limit (default 99), no other.
            (Pending,   "2026-11-25 19:00", 99, Ok(&[EmailKind::Pending])),
            (Pending,   "2026-11-25 19:00", 100, Err("the party size must be from 1 to 99 (got 100)")),
            (Pending,   "2026-11-25 19:00", 0, Err("the party size must be from 1 to 99 (got 0)")),
        ];
        for (status, starts_at, party, want) in table {
            let got = check(&booking(*status, starts_at, *party), &rules(Language::Fr));
            match (want, &got) {
                (Ok(kinds), Ok(plan)) => {
                    let queued: Vec<EmailKind> = plan.queue.iter().map(|(k, _)| *k).collect();
                    assert_eq!(&queued, kinds, "{status} at {starts_at}");
                }
                (Err(words), Err(message)) => assert!(message.contains(words), "{status} at {starts_at}: {message}"),
                _ => panic!("{status} at {starts_at}, party {party}: want {want:?}, got {got:?}"),
            }
        }
        let small = Rules { policy: Policy { max_party_size: 8, ..Policy::default() }, ..rules(Language::Fr) };
        assert!(check(&booking(Pending, "2026-11-25 19:00", 9), &small).is_err(), "the venue's own limit");
    }

    #[test]
    fn a_file_reports_the_journeys_refusals_by_line_with_the_cell_errors() {
        let csv = format!(
            "{HEADER}2026-11-25,19:30,Anna,anna@example.be,,2,fr,pending\n\
             2020-01-01,19:00,Old,old@example.be,,2,fr,confirmed\n\
             2026-11-25,19:30,Big,big@example.be,,250,fr,\n\
             2026-11-25,19:30,Few,few@example.be,,many,fr,\n\
             2026-11-30,20:00,Done,done@example.be,,2,fr,completed\n\
             2020-01-01,19:00,Ate,ate@example.be,,2,fr,completed\n"
        );
        let errors = parse(csv.as_bytes(), &rules(Language::Fr)).unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "line 3: the reservation time (2020-01-01 19:00) has passed",
                "line 4: the party size must be from 1 to 99 (got 250)",
                "line 5: party 'many' is not a number of guests",
                "line 6: a reservation still to come (2026-11-30 20:00) cannot be completed",
            ]
        );
    }
}
