//! `guestmail serve` as an operator runs it: the real daemon sends the outbox to a real SMTP
//! server, records a real HTTP fetch of the pixel, takes in a bounce dropped into its Maildir,
//! and on SIGTERM stops cleanly with every open it answered stored. On both engines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::engines::Engine;
use support::outbox_env as env;
use support::smtp;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use env::{Env, booking};
use guestmail::domain::{Language, MessageState};
use smtp::TestSmtp;

fn serve_sends_tracks_and_stops_cleanly_on_sigterm(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let config = env.config_file(Some(&server.url()));
    let id =
        env.store().create_reservation(&booking("A", "a@example.org", Language::Fr, "2037-11-28 19:30", 2)).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .env("XDG_DATA_HOME", env.data_home())
        .arg("--db")
        .arg(&env.db)
        .arg("--config")
        .arg(&config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The daemon says where the pixel is served; read its stderr on a thread.
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
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

    assert_eq!(server.wait_for(1, Duration::from_secs(30)), 1, "the queued email reaches the SMTP server");
    let message = env.store().messages_for_reservation(id).unwrap().remove(0);
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(stream, "GET /o/{}.gif HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/128.0\r\nConnection: close\r\n\r\n", message.token).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    let log = reader.join().unwrap();
    assert!(status.success(), "serve exits cleanly on SIGTERM: {status:?}\n{log}");
    let m = env.store().message(message.id).unwrap();
    assert_eq!(m.state, MessageState::Sent);
    assert_eq!(m.open_count, 1, "the answered open was stored before the exit");
    // The log (INFO, beside the database) names the email, never the guest's full address.
    let mut logged = String::new();
    for f in std::fs::read_dir(env.log_dir()).unwrap() {
        logged.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap());
    }
    assert!(logged.contains("a…@example.org"), "the outbox's progress is logged, masked:\n{logged}");
    assert!(!logged.to_lowercase().contains("a@example.org"), "a full address in the log:\n{logged}");
}

/// A standard delivery-status report for `recipient`, addressed to the message's VERP address.
fn dsn(token: &str, recipient: &str) -> String {
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n\
         To: bounces+{token}@guestmail.example\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b1\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; mx.example.org\r\n\r\n\
         Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown\r\n\r\n\
         --b1--\r\n"
    )
}

fn serve_takes_in_bounces_from_its_maildir(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let maildir = env.dir.path().join("bounces");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let config = env.dir.path().join("serve.toml");
    std::fs::write(
        &config,
        format!("{}bounce_maildir = \"{}\"\n", env::config_text(Some(&server.url())), maildir.display()),
    )
    .unwrap();
    let id =
        env.store().create_reservation(&booking("B", "b@example.org", Language::En, "2037-11-28 19:30", 2)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .env("XDG_DATA_HOME", env.data_home())
        .arg("--db")
        .arg(&env.db)
        .arg("--config")
        .arg(&config)
        .args(["serve", "--no-tracker"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert_eq!(server.wait_for(1, Duration::from_secs(30)), 1);
    let message = env.store().messages_for_reservation(id).unwrap().remove(0);
    std::fs::write(maildir.join("tmp/1.bounce"), dsn(&message.token, "b@example.org")).unwrap();
    std::fs::rename(maildir.join("tmp/1.bounce"), maildir.join("new/1.bounce")).unwrap();

    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let store = env.store();
    while store.message(message.id).unwrap().state != MessageState::Bounced && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
    assert_eq!(store.message(message.id).unwrap().state, MessageState::Bounced, "the bounce found its message");
    let address = store.address("b@example.org").unwrap().unwrap();
    assert_eq!(address.error_count, 1);
    assert_eq!(std::fs::read_dir(maildir.join("new")).unwrap().count(), 0, "the bounce was moved out of new/");
}

both_engines!(serve_sends_tracks_and_stops_cleanly_on_sigterm, serve_takes_in_bounces_from_its_maildir,);
