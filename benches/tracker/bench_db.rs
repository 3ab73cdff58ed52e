//! Helper of `benches/tracker_vs_nginx.sh`, through the store API like everything else:
//!
//! - `tracker_bench_db seed DB [N]`: creates DB with N reservations (default 1) a month ahead
//!   whose emails were sent an hour ago, and prints their tracking tokens, one a line;
//! - `tracker_bench_db count DB`: prints how many opens DB holds and their message's
//!   counters, as `opens open_count human_open_count`.

use std::path::Path;
use std::process::ExitCode;

use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::store::{Store, now_ms};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [verb, db] if verb == "seed" => seed(Path::new(db), 1),
        [verb, db, n] if verb == "seed" => n.parse().map_err(Into::into).and_then(|n| seed(Path::new(db), n)),
        [verb, db] if verb == "count" => count(Path::new(db)),
        _ => Err("usage: tracker_bench_db seed DB [N] | count DB".into()),
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

fn seed(db: &Path, n: usize) -> Result<String> {
    let mut store = Store::open(db)?;
    // A month ahead: the journey refuses a request about the past.
    let day = chrono::Local::now().date_naive() + chrono::Duration::days(30);
    let reservations: Vec<NewReservation> = (0..n)
        .map(|i| {
            let starts_at = day.and_hms_opt(12 + (i % 10) as u32, 15 * (i % 4) as u32, 0).unwrap_or_default();
            NewReservation {
                name: format!("Bench Guest {i}"),
                email: format!("bench{i}@example.org"),
                phone: String::new(),
                language: Language::En,
                starts_at,
                party_size: 2,
                status: ReservationStatus::Pending,
                notes: String::new(),
            }
        })
        .collect();
    let ids = store.create_reservations(&reservations, |_| true).map_err(|(i, e)| format!("row {i}: {e}"))?;
    let mut tokens = Vec::with_capacity(n);
    for id in ids {
        let message = store.messages_for_reservation(id)?.into_iter().next().ok_or("no message queued")?;
        store.fixture_mark_sent(message.id, now_ms() - 3_600_000)?;
        tokens.push(message.token);
    }
    Ok(tokens.join("\n"))
}

fn count(db: &Path) -> Result<String> {
    let store = Store::open(db)?;
    let total = store.open_total()?;
    let message = store.message(1)?;
    Ok(format!("{total} {} {}", message.open_count, message.human_open_count))
}
