//! The lock soak of issue 10: everything that writes to one database file at once — two
//! `guestmail send` processes, a `guestmail serve` (sending and recording opens), pixel
//! traffic over real HTTP, and a 100,000-row import through the real binary. Nobody may see
//! "database is locked": every process exits 0, the import lands whole, no email is sent
//! twice, and no delivered email is left `uncertain`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::outbox_env as env;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use env::{Env, booking};
use guestmail::domain::{Language, MessageState};

const EMAILS: usize = 600;
const IMPORT_ROWS: usize = 100_000;

fn bin(env: &Env, config: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guestmail"));
    cmd.arg("--db").arg(&env.db).arg("--config").arg(config);
    cmd
}

#[test]
fn senders_serve_pixels_and_a_big_import_share_one_file_without_a_lock_error() {
    let started = Instant::now();
    let env = Env::new(None);
    let config = env.config_file(None);
    // Emails to send: requests of reservations a few days ahead.
    let day = (chrono::Local::now().date_naive() + chrono::Duration::days(5)).format("%Y-%m-%d").to_string();
    let rows: Vec<_> = (0..EMAILS)
        .map(|i| booking(&format!("Guest {i}"), &format!("g{i}@example.org"), Language::En, &format!("{day} 19:30"), 2))
        .collect();
    env.store().create_reservations(&rows, |_| true).unwrap();
    // The import: 100,000 reservations of next year (no email: --no-email keeps the soak
    // about locks, not about sending 100,000 more).
    let csv = env.dir.path().join("big.csv");
    let mut text = String::from("date,time,name,email,phone,party,language,status\n");
    let next_year = chrono::Local::now().date_naive() + chrono::Duration::days(200);
    for i in 0..IMPORT_ROWS {
        let d = next_year + chrono::Duration::days((i % 300) as i64);
        let _ = writeln!(
            text,
            "{},{:02}:{:02},Import {i},imp{i}@example.org,,2,en,pending",
            d.format("%Y-%m-%d"),
            12 + (i % 10),
            (i % 4) * 15
        );
    }
    std::fs::write(&csv, text).unwrap();

    // serve: sends too, and answers the pixel; it says where on stderr.
    let mut serve = bin(&env, &config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = serve.stderr.take().unwrap();
    let serve_log = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("http://").nth(1) {
                let _ = tx.send(rest.split('/').next().unwrap_or_default().to_owned());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).expect("serve announces the tracking endpoint");

    let spawn =
        |args: &[&str]| bin(&env, &config).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let import = spawn(&["import", "--no-email", csv.to_str().unwrap()]);
    let send_a = spawn(&["send"]);
    let send_b = spawn(&["send"]);

    // Pixel traffic on the emails as they go out, until the senders are done.
    let db = env.db.clone();
    let pixels = std::thread::spawn(move || {
        let store = guestmail::store::Store::open(&db).unwrap();
        let deadline = Instant::now() + Duration::from_mins(2);
        let mut answered = 0;
        while Instant::now() < deadline && answered < 400 {
            let sent: Vec<String> = store
                .messages_for_reservation(1 + (answered % EMAILS) as i64)
                .unwrap()
                .into_iter()
                .filter(|m| m.state == MessageState::Sent)
                .map(|m| m.token)
                .collect();
            let Some(token) = sent.first() else {
                std::thread::sleep(Duration::from_millis(5));
                answered += 1;
                continue;
            };
            let mut stream = TcpStream::connect(&addr).unwrap();
            write!(stream, "GET /o/{token}.gif HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Thunderbird/128.0\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).unwrap();
            assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
            answered += 1;
        }
        answered
    });

    let mut outputs = HashMap::new();
    for (name, child) in [("import", import), ("send a", send_a), ("send b", send_b)] {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("locked"), "{name}: {err}");
        assert!(out.status.success(), "{name} failed: {err}");
        outputs.insert(name, String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let pixel_hits = pixels.join().unwrap();
    // Let serve send whatever the two senders left, then stop it.
    let store = env.store();
    let wait_until = Instant::now() + Duration::from_mins(1);
    while store.count_by_state().unwrap().iter().any(|(s, n)| s.is_pending_delivery() && *n > 0)
        && Instant::now() < wait_until
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = serve.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    assert!(serve.wait().unwrap().success());
    let log = serve_log.join().unwrap();
    assert!(!log.contains("locked"), "serve: {log}");

    // The import landed whole.
    assert!(outputs["import"].contains(&format!("{IMPORT_ROWS} imported")), "{}", outputs["import"]);
    assert_eq!(store.reservation_count().unwrap(), (EMAILS + IMPORT_ROWS) as i64);
    // Every email sent exactly once: one file per Message-ID in the outbox, none uncertain.
    let states = store.count_by_state().unwrap();
    let count = |s: MessageState| states.iter().find(|(x, _)| *x == s).map_or(0, |(_, n)| *n);
    assert_eq!(count(MessageState::Uncertain), 0, "{states:?}");
    assert_eq!(count(MessageState::Sent), EMAILS as i64, "{states:?}");
    let mut ids = HashMap::new();
    for f in std::fs::read_dir(env.outbox.join("new")).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        let id = text.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:")).unwrap().to_owned();
        *ids.entry(id).or_insert(0) += 1;
    }
    assert_eq!(ids.len(), EMAILS, "one file per email");
    assert!(ids.values().all(|n| *n == 1), "an email was written twice");
    assert_eq!(store.integrity_check().unwrap(), "ok");
    eprintln!(
        "lock soak: {EMAILS} emails sent once by 2 senders + serve, {pixel_hits} pixel requests answered, \
         {IMPORT_ROWS} rows imported, 0 lock errors, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
