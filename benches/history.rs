//! The history queries on the 1,000,000-reservation demo database, p50/p99 of each:
//! a guest's history (first page), the communication-history screen's first page (no filter,
//! by kind, by a rare state, by text matching many or few guests, and a deep page), one
//! email's log, the follow-up list of a day, the 30-day delivery health.
//!
//! `cargo bench --bench history`. The database is `target/bench/demo-1m.db` (or
//! `GUESTMAIL_BENCH_DB`), built by `cargo bench --bench day` when missing; opening it here
//! applies pending migrations (the indexes of 005) once.
//! Targets (issue 6): guest history and first page < 20 ms, follow-up list < 10 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Local, NaiveDate};
use guestmail::domain::{EmailKind, MessageState};
use guestmail::store::{CommFilter, Store, now_ms};

fn bench_db() -> PathBuf {
    let path = std::env::var_os("GUESTMAIL_BENCH_DB")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/demo-1m.db"), PathBuf::from);
    assert!(path.exists(), "no demo database at {}: run `cargo bench --bench day` first", path.display());
    path
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.99))
}

/// Runs `f` over `inputs` (once to warm up, then 3 rounds) and prints p50/p99.
fn measure<T: Copy>(label: &str, inputs: &[T], mut f: impl FnMut(T) -> usize) {
    let mut rows = 0;
    for i in inputs {
        rows += f(*i);
    }
    let mut samples = Vec::with_capacity(inputs.len() * 3);
    for _ in 0..3 {
        for i in inputs {
            let t = Instant::now();
            std::hint::black_box(f(*i));
            samples.push(t.elapsed());
        }
    }
    let (p50, p99) = percentiles(samples);
    let avg = rows as f64 / inputs.len() as f64;
    println!("{label:<48} p50 {p50:>10.3?}  p99 {p99:>10.3?}  ({avg:.0} rows avg, {} inputs)", inputs.len());
}

fn main() {
    let path = bench_db();
    let started = Instant::now();
    let store = Store::open(&path).unwrap();
    println!("open + migrate: {:?}", started.elapsed());
    let guests: Vec<i64> = (0..200).map(|i| 1 + i * 1_663).collect();
    measure("guest history (50 emails + notes)", &guests, |g| store.guest_history(g, 50, None).unwrap().emails.len());

    let page = |f: &CommFilter| store.communication_history(f, 50, None).unwrap().len();
    let filters: Vec<(&str, CommFilter)> = vec![
        ("comm history: first page", CommFilter::default()),
        (
            "comm history: kind = reminder (none in demo)",
            CommFilter { kind: Some(EmailKind::Reminder), ..CommFilter::default() },
        ),
        ("comm history: kind = cancelled", CommFilter { kind: Some(EmailKind::Cancelled), ..CommFilter::default() }),
        (
            "comm history: state = suppressed (3 rows)",
            CommFilter { state: Some(MessageState::Suppressed), ..CommFilter::default() },
        ),
        ("comm history: state = bounced", CommFilter { state: Some(MessageState::Bounced), ..CommFilter::default() }),
        ("comm history: text 'moreau' (many guests)", CommFilter { text: "moreau".into(), ..CommFilter::default() }),
        ("comm history: text 'moreau12' (few guests)", CommFilter { text: "moreau12".into(), ..CommFilter::default() }),
        ("comm history: text matching nobody", CommFilter { text: "zzqx".into(), ..CommFilter::default() }),
    ];
    for (label, f) in &filters {
        measure(label, &[0; 50], |_| page(f));
    }
    // A deep page: the cursor of the row 10,000 places down.
    let mut after = None;
    for _ in 0..200 {
        after = store
            .communication_history(&CommFilter::default(), 50, after)
            .unwrap()
            .last()
            .map(guestmail::store::CommRow::cursor);
    }
    measure("comm history: page 201 (keyset)", &[0; 50], |_| {
        store.communication_history(&CommFilter::default(), 50, after).unwrap().len()
    });

    let messages: Vec<i64> = (0..200).map(|i| 1 + i * 14_000).collect();
    measure("one email's log (events + opens + bounces)", &messages, |m| store.message_log(m).unwrap().len());

    let today = Local::now().date_naive();
    let days: Vec<NaiveDate> = (0..200).map(|d| today - chrono::Duration::days(d * 7)).collect();
    measure("follow-up list of a day", &days, |d| {
        store.follow_up(d, d.and_time(chrono::NaiveTime::MIN)).unwrap().len()
    });

    let now = now_ms();
    measure("delivery health, 30 days", &[now; 20], |n| {
        let h = store.delivery_health(n).unwrap();
        h.attempted as usize
    });
    let h = store.delivery_health(now).unwrap();
    println!(
        "  health: {} attempted, delivery {:.2}%, opened by a person {:.2}%",
        h.attempted,
        h.delivery_rate().unwrap_or(0.0) * 100.0,
        h.open_rate().unwrap_or(0.0) * 100.0
    );
}
