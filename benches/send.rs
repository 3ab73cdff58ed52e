//! Sending benchmarks (issue 3): composing one email (target < 15 µs), and flushing 2,000
//! queued messages (claim, compose, send, record) to a local SMTP sink over one connection
//! (target >= 1,500 messages/s).
//!
//! `cargo bench --bench send` runs both with criterion against an in-process sink.
//! For `benches/smtp_vs_python.sh`: with `GUESTMAIL_BENCH_SINK=host:port` it instead times
//! flushes against that external sink (`GUESTMAIL_BENCH_RUNS`, default 3), and with `GUESTMAIL_BENCH_DUMP=dir` it writes
//! the same 2,000 emails (`N.eml` plus `envelopes.tsv`) for Python's smtplib to push; with
//! `GUESTMAIL_BENCH_SERVE=host:port` it only runs the minimal sink there (a sink fast enough
//! that the clients' own cost shows).
//!
//! Issue 14: with `GUESTMAIL_BENCH_PG=1` (and `GUESTMAIL_TEST_PG` naming a PostgreSQL server)
//! it measures instead how the outbox scales over workers sharing one PostgreSQL database:
//! `GUESTMAIL_BENCH_MESSAGES` queued emails (8,000 by default), flushed by 1 and then by 4
//! workers (each with its own connections, id, lease and SMTP connection, as four `serve`
//! processes have) to the sink below, which answers at once and keeps nothing, so the sink is
//! not what limits them. It prints emails/s for each, the cores the whole machine kept busy
//! (workers, sink and server), and the ratio (the issue asks >= 3x).
//! With `GUESTMAIL_BENCH_RTT_US=500` the workers reach PostgreSQL and the sink through a
//! relay adding that round trip (`support/network.rs`), as `serve` processes on other
//! machines than the database and the relay would.
//! Measured on the 2-core CI machine (PostgreSQL 15 on the same 2 cores, 8,000 emails):
//! - loopback, best of 3: 1 worker 3,461/s (0.94 cores busy), 4 workers 6,301/s (1.79
//!   cores), 1.82x: one worker's conversation with a server on the same machine keeps a
//!   core busy, so two cores cannot show more than 2x;
//! - 0.5 ms round trip, best of 2: 241/s and 920/s, 3.81x; 0.2 ms: 408/s and 1,306/s, 3.20x.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use guestmail::config::Config;
use guestmail::domain::{EmailKind, Language, NewReservation, ReservationStatus};
use guestmail::mail::Worker;
use guestmail::mail::compose::Composer;
use guestmail::mail::transport::{SmtpSender, SmtpSettings, Transport};
use guestmail::store::{Claimed, ClaimedVenue, Store, new_token};

const MESSAGES: usize = 2_000;

fn config() -> Config {
    let text =
        "venue_name = \"Chez Nous\"\nsender = \"noreply@mail.chez.example\"\nreply_to = \"table@chez.example\"\n";
    Config::parse(text, Path::new("bench.toml")).expect("bench config")
}

fn at(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
}

fn claimed(i: i64) -> Claimed {
    Claimed {
        id: i,
        kind: EmailKind::Confirmed,
        recipient: format!("guest{i}@example.org"),
        message_id: format!("<{}@mail.chez.example>", new_token()),
        token: new_token(),
        attempts: 1,
        created_at: 0,
        guest_name: "Zoé Martin".into(),
        language: Some(Language::Fr),
        starts_at: Some(at("2026-11-28 19:30")),
        party_size: Some(4),
        venue: ClaimedVenue::default(),
    }
}

/// A temporary folder for the database: under `GUESTMAIL_BENCH_DIR` if set (e.g. /dev/shm,
/// to separate the disk's fsync cost from the code's own), else the system's temp folder.
fn bench_dir() -> tempfile::TempDir {
    match std::env::var_os("GUESTMAIL_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d).expect("tempdir"),
        None => tempfile::tempdir().expect("tempdir"),
    }
}

/// A fresh database with `MESSAGES` queued emails (one reservation each).
fn queued_db(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("bench.db");
    let mut store = Store::open(&db).expect("store").with_message_domain("mail.chez.example");
    let langs = [Language::En, Language::Fr, Language::Nl];
    let rs: Vec<NewReservation> = (0..MESSAGES)
        .map(|i| NewReservation {
            name: format!("Guest {i}"),
            email: format!("guest{i}@example.org"),
            phone: String::new(),
            language: langs[i % 3],
            // Far enough ahead that the journey still sends them whenever the bench runs.
            starts_at: at("2037-11-28 19:30"),
            party_size: 2 + (i % 5) as u32,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .collect();
    store.create_reservations(&rs, |_| true).map_err(|(i, e)| format!("{i}: {e}")).expect("queue");
    db
}

/// A minimal SMTP sink: answers every command at once, one write per reply.
fn sink() -> std::net::SocketAddr {
    sink_on("127.0.0.1:0")
}

fn sink_on(bind: &str) -> std::net::SocketAddr {
    let listener = TcpListener::bind(bind).expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    addr
}

fn serve(stream: TcpStream) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut line = Vec::with_capacity(1024);
    let mut in_data = false;
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if in_data {
            if line == b".\r\n" {
                in_data = false;
                out.write_all(b"250 2.0.0 Ok: queued\r\n")?;
            }
            continue;
        }
        let verb = line.get(..4).map(<[u8]>::to_ascii_uppercase).unwrap_or_default();
        let reply: &[u8] = match verb.as_slice() {
            b"EHLO" => b"250-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n",
            b"DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            b"QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => b"250 Ok\r\n",
        };
        out.write_all(reply)?;
    }
}

fn flush_to(addr: std::net::SocketAddr, db: &Path, config: &Config) -> u64 {
    let transport = Transport::Smtp(SmtpSender::new(SmtpSettings::plain(&addr.ip().to_string(), addr.port())));
    let mut worker = Worker::with_transport(config, db, transport).expect("worker");
    let summary = worker.flush_once(&mut |_| {}).expect("flush");
    assert_eq!(summary.sent, MESSAGES as u64, "{summary:?}");
    summary.sent
}

fn benches(c: &mut Criterion) {
    let config = config();
    let composer = Composer::new(&config).expect("composer");
    let m = claimed(1);
    c.bench_function("compose one email (templates + MIME)", |b| b.iter(|| composer.compose(&m).expect("compose")));
    // Baseline in the same run: lettre's builder alone on an email of the same shape and size,
    // so a loaded machine's figures can be read as a ratio.
    let sample = composer.compose(&m).expect("compose");
    let parsed = mail_parser::MessageParser::default().parse(&sample.bytes).expect("parse");
    let (text, html) =
        (parsed.body_text(0).expect("text").into_owned(), parsed.body_html(0).expect("html").into_owned());
    c.bench_function("baseline: lettre builder alone, same shape", |b| {
        b.iter(|| {
            lettre::Message::builder()
                .from("Chez Nous <noreply@mail.chez.example>".parse().expect("from"))
                .reply_to("Chez Nous <table@chez.example>".parse().expect("reply-to"))
                .to("Zoé Martin <guest1@example.org>".parse().expect("to"))
                .subject("Votre table chez Chez Nous est confirmée")
                .multipart(lettre::message::MultiPart::alternative_plain_html(text.clone(), html.clone()))
                .expect("build")
                .formatted()
        });
    });

    let addr = sink();
    let mut group = c.benchmark_group("flush");
    group.sample_size(10).measurement_time(Duration::from_secs(20)).throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("2000 queued messages, one SMTP connection", |b| {
        b.iter_batched(
            || {
                let dir = bench_dir();
                let db = queued_db(dir.path());
                (dir, db)
            },
            |(dir, db)| {
                flush_to(addr, &db, &config);
                dir
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// Times flushes against an external sink (the comparison script's mode): three, or
/// `GUESTMAIL_BENCH_RUNS`.
fn external(target: &str) {
    let addr: std::net::SocketAddr = target.parse().expect("GUESTMAIL_BENCH_SINK=host:port");
    let config = config();
    let runs: u32 = std::env::var("GUESTMAIL_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    for run in 1..=runs {
        let dir = bench_dir();
        let db = queued_db(dir.path());
        let started = Instant::now();
        let sent = flush_to(addr, &db, &config);
        let secs = started.elapsed().as_secs_f64();
        println!("guestmail run {run}: {sent} messages in {secs:.3} s = {:.0} msg/s", sent as f64 / secs);
    }
}

/// Writes the same kind of 2,000 emails for Python to push.
fn dump(dir: &Path) {
    std::fs::create_dir_all(dir).expect("dump dir");
    let composer = Composer::new(&config()).expect("composer");
    let mut tsv = String::new();
    for i in 0..MESSAGES as i64 {
        let e = composer.compose(&claimed(i)).expect("compose");
        let name = format!("{i}.eml");
        std::fs::write(dir.join(&name), &e.bytes).expect("write");
        let from = e.envelope.from().map(ToString::to_string).unwrap_or_default();
        let _ = writeln!(tsv, "{name}\t{from}\t{}", e.envelope.to()[0]);
    }
    std::fs::write(dir.join("envelopes.tsv"), tsv).expect("write tsv");
}

#[path = "support/network.rs"]
mod network;

#[path = "../tests/support/pg.rs"]
#[allow(dead_code)]
mod pg;

/// Queues `n` emails in the store at `url`.
fn queue_pg(url: &str, n: usize) {
    let mut store = Store::open(url).expect("store").with_message_domain("mail.chez.example");
    let rs: Vec<NewReservation> = (0..n)
        .map(|i| NewReservation {
            name: format!("Guest {i}"),
            email: format!("guest{i}@example.org"),
            phone: String::new(),
            language: Language::En,
            starts_at: at("2037-11-28 19:30"),
            party_size: 2,
            status: ReservationStatus::Pending,
            notes: String::new(),
        })
        .collect();
    for chunk in rs.chunks(1_000) {
        store.create_reservations(chunk, |_| true).map_err(|(i, e)| format!("{i}: {e}")).expect("queue");
    }
}

/// Flushes the store at `url` with `workers` workers at once; emails/s.
fn flush_pg(url: &str, workers: usize, addr: std::net::SocketAddr, expected: u64) -> f64 {
    let config = config();
    let workers: Vec<Worker> = (0..workers)
        .map(|_| {
            let transport = Transport::Smtp(SmtpSender::new(SmtpSettings::plain(&addr.ip().to_string(), addr.port())));
            Worker::with_transport(&config, Path::new(url), transport).expect("worker")
        })
        .collect();
    let started = Instant::now();
    let sent: u64 = std::thread::scope(|s| {
        let handles: Vec<_> =
            workers.into_iter().map(|mut w| s.spawn(move || w.flush_once(&mut |_| {}).expect("flush").sent)).collect();
        handles.into_iter().map(|h| h.join().expect("worker")).sum()
    });
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(sent, expected, "every queued email sent once");
    sent as f64 / secs
}

fn scaling_on_postgres() {
    let n: usize = std::env::var("GUESTMAIL_BENCH_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(8_000);
    let runs: u32 = std::env::var("GUESTMAIL_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let rtt =
        Duration::from_micros(std::env::var("GUESTMAIL_BENCH_RTT_US").ok().and_then(|v| v.parse().ok()).unwrap_or(0));
    let mut addr = sink();
    let mut pg_relay = None;
    if !rtt.is_zero() {
        addr = network::delaying_relay(addr, rtt / 2);
        pg_relay = Some(network::delaying_relay(pg_address(), rtt / 2));
        println!("workers reach the sink and PostgreSQL through a relay adding {rtt:?} to each round trip");
    }
    let mut best = [0.0_f64; 2];
    for run in 1..=runs {
        for (slot, workers) in [(0, 1), (1, 4)] {
            let schema = pg::fresh().expect("GUESTMAIL_TEST_PG names the PostgreSQL server");
            queue_pg(schema.url(), n);
            let url = pg_relay.map_or_else(|| schema.url().to_owned(), |relay| through(schema.url(), relay));
            let cpu = network::CpuMeter::start();
            let rate = flush_pg(&url, workers, addr, n as u64);
            let busy = cpu.cores_busy().map_or_else(String::new, |c| format!(", machine busy {c:.2} cores"));
            println!("run {run}: {workers} worker(s), {n} emails: {rate:.0} emails/s{busy}");
            best[slot] = best[slot].max(rate);
        }
    }
    println!(
        "best of {runs}: 1 worker {:.0} emails/s, 4 workers {:.0} emails/s: {:.2}x",
        best[0],
        best[1],
        best[1] / best[0]
    );
}

/// The PostgreSQL server that `GUESTMAIL_TEST_PG` names, as a socket address.
fn pg_address() -> std::net::SocketAddr {
    use std::net::ToSocketAddrs as _;
    let url = pg::server().expect("GUESTMAIL_TEST_PG names the PostgreSQL server");
    let config: postgres::Config = url.parse().expect("a PostgreSQL URL");
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    (host.as_str(), port).to_socket_addrs().expect("resolve").next().expect("an address")
}

/// `url` with its server replaced by the relay at `relay`.
fn through(url: &str, relay: std::net::SocketAddr) -> String {
    let port = pg_address().port();
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (userinfo, rest) = rest.rsplit_once('@').map_or(("", rest), |(u, r)| (u, r));
    let path = &rest[rest.find('/').expect("a database name")..];
    let at = if userinfo.is_empty() { String::new() } else { format!("{userinfo}@") };
    debug_assert!(rest.contains(&format!(":{port}")));
    format!("{scheme}://{at}{relay}{path}")
}

fn main() {
    if std::env::var_os("GUESTMAIL_BENCH_PG").is_some() {
        scaling_on_postgres();
        return;
    }
    if let Ok(bind) = std::env::var("GUESTMAIL_BENCH_SERVE") {
        println!("sink ready on {}", sink_on(&bind));
        loop {
            std::thread::park();
        }
    }
    if let Ok(dir) = std::env::var("GUESTMAIL_BENCH_DUMP") {
        dump(Path::new(&dir));
        return;
    }
    if let Ok(target) = std::env::var("GUESTMAIL_BENCH_SINK") {
        external(&target);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
