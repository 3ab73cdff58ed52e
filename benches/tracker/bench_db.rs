//! Helper of `benches/tracker_vs_nginx.sh`, through the store API like everything else:
//!
//! - `tracker_bench_db seed DB`: creates DB with one reservation whose email was sent an
//!   hour ago, and prints the email's tracking token;
//! - `tracker_bench_db count DB`: prints how many opens DB holds and their message's
//!   counters, as `opens open_count human_open_count`.

use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;
use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::store::{Store, now_ms};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [verb, db] if verb == "seed" => seed(Path::new(db)),
        [verb, db] if verb == "count" => count(Path::new(db)),
        _ => Err("usage: tracker_bench_db seed|count DB".into()),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tracker_bench_db: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn seed(db: &Path) -> Result<String> {
    let mut store = Store::open(db)?;
    let starts_at = NaiveDate::from_ymd_opt(2026, 11, 23).and_then(|d| d.and_hms_opt(20, 0, 0)).ok_or("date")?;
    let id = store.create_reservation(&NewReservation {
        name: "Bench Guest".into(),
        email: "bench@example.org".into(),
        phone: String::new(),
        language: Language::En,
        starts_at,
        party_size: 2,
        status: ReservationStatus::Pending,
        notes: String::new(),
    })?;
    let message = store.messages_for_reservation(id)?.into_iter().next().ok_or("no message queued")?;
    store.mark_sent_for_tests(message.id, now_ms() - 3_600_000)?;
    Ok(message.token)
}

fn count(db: &Path) -> Result<String> {
    let store = Store::open(db)?;
    let total = store.open_total()?;
    let message = store.message(1)?;
    Ok(format!("{total} {} {}", message.open_count, message.human_open_count))
}
