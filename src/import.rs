//! CSV import of reservations: `date,time,name,email,phone,party,language,status`.
//!
//! The whole file is checked before anything is written, and written in one transaction, so
//! a bad row never leaves half a file behind. Every bad row is reported with its line number.

use std::io::Read;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::{Language, NewReservation, ReservationStatus, normalize_email};

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
}

/// Reads and checks a whole CSV file. `default_language` fills an empty language cell.
/// Returns every row, or every problem found (the file is never partly accepted).
pub fn parse(input: impl Read, default_language: Language) -> Result<Vec<ImportRow>, Vec<RowError>> {
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
                match row(&cell, default_language) {
                    Ok(reservation) => rows.push(ImportRow { line, reservation }),
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
    let name = cell(2);
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let email = normalize_email(cell(3)).map_err(|e| e.to_string())?;
    let party: u32 = cell(5)
        .parse()
        .ok()
        .filter(|p| (1..=500).contains(p))
        .ok_or_else(|| format!("party '{}' is not a number of guests from 1 to 500", cell(5)))?;
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

    #[test]
    fn a_good_file_parses_with_defaults_for_empty_cells() {
        let csv = format!(
            "{HEADER}2026-11-23,19:30,Anna Peeters,anna@example.be,+32 475 1,2,nl,confirmed\n23/11/2026,12:00,Bo,bo@example.org,,4,,\n"
        );
        let rows = parse(csv.as_bytes(), Language::Fr).unwrap();
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
        let rows = parse(csv.as_bytes(), Language::Fr).unwrap();
        assert_eq!(rows[0].reservation.party_size, 3);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = format!(
            "{HEADER}2026-11-23,19:30,Anna,anna@example.be,,2,fr,pending\n2026-13-01,19:30,X,x@example.be,,2,fr,\n2026-11-23,7pm,Y,y@example.be,,2,fr,\n2026-11-23,19:00,Z,z-at-example.be,,0,de,maybe\n"
        );
        let errors = parse(csv.as_bytes(), Language::Fr).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(errors[0].to_string().starts_with("line 3: date '2026-13-01'"), "{}", errors[0]);
        assert!(errors[1].message.contains("7pm"));
        assert!(errors[2].message.contains("z-at-example.be"), "{}", errors[2]);
    }

    #[test]
    fn a_missing_column_is_named() {
        let errors = parse("date,time,name\n".as_bytes(), Language::En).unwrap_err();
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].message.contains("'email'"), "{}", errors[0]);
    }
}
