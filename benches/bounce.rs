//! Parsing speed over the whole bounce corpus (`../shared/bounces/emails`, or
//! `GUESTMAIL_BOUNCE_CORPUS`). The files are read first; only parsing is measured.
//! Target: at least 2,000 messages per second. Criterion prints the throughput in
//! elements (messages) per second.

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus() -> Vec<Vec<u8>> {
    let dir = std::env::var_os("GUESTMAIL_BOUNCE_CORPUS")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bounces"), PathBuf::from)
        .join("emails");
    let mut files: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().filter_map(|e| std::fs::read(e.path()).ok()).collect())
        .unwrap_or_default();
    if files.is_empty() {
        // No shared corpus (a fresh clone): fall back to the unit-test fixtures.
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bounces");
        files = std::fs::read_dir(fixtures)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
    }
    files
}

fn parse_corpus(c: &mut Criterion) {
    let files = corpus();
    let mut group = c.benchmark_group("bounce");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function(format!("parse {} messages", files.len()), |b| {
        b.iter(|| files.iter().filter(|raw| guestmail::bounce::parse(std::hint::black_box(raw)).is_some()).count());
    });
    group.finish();
}

criterion_group!(benches, parse_corpus);
criterion_main!(benches);
