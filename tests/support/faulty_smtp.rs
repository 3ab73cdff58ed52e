//! A small real SMTP server on loopback that speaks the protocol over a `TcpListener` and
//! misbehaves in exactly one scripted way ([`Script`]), for the failure tests of issue 10.
//! It counts what a test needs: connections, logins, RCPTs, and the messages it stored.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The one way the server misbehaves.
#[derive(Debug, Clone)]
pub enum Script {
    /// Every RCPT TO is answered with this line (e.g. `554 5.7.1 Relay access denied`).
    RcptReply(String),
    /// RCPT TO this address (any capitals) is answered with the line; others accepted.
    RcptFor(String, String),
    /// The final `.` is answered with this line (e.g. `552 5.3.4 Message too big`).
    DataEndReply(String),
    /// AUTH is offered, and answered with this line (e.g. `535 5.7.8 ...`).
    AuthReply(String),
    /// The connection is accepted and nothing is ever said.
    NeverGreet,
    /// The message is taken, and the final `.` never answered.
    SilentAfterData,
    /// The message is stored, then the connection closed before the reply to `.`.
    DropAfterData,
    /// Every message is taken, and the final `.` answered with this line, `{n}` replaced by
    /// the message's number (1, 2, ...): an email service provider naming its own id
    /// (`250 Ok 0100-{n}-000000` as SES does).
    AcceptAs(String),
}

#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    logins: AtomicUsize,
    rcpts: AtomicUsize,
    stored: Mutex<Vec<String>>,
}

/// A running server; it lives until the test process ends.
pub struct FaultySmtp {
    pub addr: SocketAddr,
    counts: Arc<Counts>,
}

impl FaultySmtp {
    pub fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let counts = Arc::new(Counts::default());
        let c = Arc::clone(&counts);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                c.connections.fetch_add(1, Ordering::SeqCst);
                let (c, script) = (Arc::clone(&c), script.clone());
                std::thread::spawn(move || {
                    let _ = session(stream, &script, &c);
                });
            }
        });
        FaultySmtp { addr, counts }
    }

    /// `smtp_url` for this server (plain text); `user` asks for a login.
    pub fn url(&self, user: Option<&str>) -> String {
        let user = user.map(|u| format!("{u}@")).unwrap_or_default();
        format!("smtp://{user}{}:{}?tls=none", self.addr.ip(), self.addr.port())
    }

    pub fn connections(&self) -> usize {
        self.counts.connections.load(Ordering::SeqCst)
    }

    pub fn logins(&self) -> usize {
        self.counts.logins.load(Ordering::SeqCst)
    }

    pub fn rcpts(&self) -> usize {
        self.counts.rcpts.load(Ordering::SeqCst)
    }

    /// The Message-IDs of the messages stored, in order.
    pub fn stored(&self) -> Vec<String> {
        self.counts.stored.lock().expect("lock").clone()
    }
}

fn session(stream: TcpStream, script: &Script, counts: &Counts) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    let mut say = |text: &str| out.write_all(format!("{text}\r\n").as_bytes());
    if matches!(script, Script::NeverGreet) {
        // Hold the connection open, silent, until the client gives up.
        let mut sink = String::new();
        while lines.read_line(&mut sink)? > 0 {}
        return Ok(());
    }
    say("220 faulty.test ESMTP")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            if matches!(script, Script::AuthReply(_)) {
                say("250-faulty.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME")?;
            } else {
                say("250-faulty.test\r\n250 8BITMIME")?;
            }
        } else if command.starts_with("HELO") {
            say("250 faulty.test")?;
        } else if command.starts_with("AUTH") {
            counts.logins.fetch_add(1, Ordering::SeqCst);
            match script {
                Script::AuthReply(reply) => say(reply)?,
                _ => say("502 5.5.1 not offered")?,
            }
        } else if command.starts_with("MAIL FROM") || command.starts_with("RSET") || command.starts_with("NOOP") {
            say("250 2.0.0 Ok")?;
        } else if command.starts_with("RCPT TO") {
            counts.rcpts.fetch_add(1, Ordering::SeqCst);
            let to = line.trim_end()[8..].trim().trim_start_matches(':').trim().trim_matches(['<', '>']).to_owned();
            match script {
                Script::RcptReply(reply) => say(reply)?,
                Script::RcptFor(who, reply) if who.eq_ignore_ascii_case(&to) => say(reply)?,
                _ => say("250 2.1.5 Ok")?,
            }
        } else if command == "DATA" {
            say("354 End data with <CR><LF>.<CR><LF>")?;
            let mut message_id = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                if message_id.is_empty() && line.to_ascii_lowercase().starts_with("message-id:") {
                    line[11..].trim().trim_matches(['<', '>']).clone_into(&mut message_id);
                }
            }
            match script {
                Script::DataEndReply(reply) => say(reply)?,
                Script::AcceptAs(template) => {
                    let n = {
                        let mut stored = counts.stored.lock().expect("lock");
                        stored.push(message_id);
                        stored.len()
                    };
                    say(&template.replace("{n}", &n.to_string()))?;
                }
                Script::SilentAfterData => {
                    let mut sink = String::new();
                    while lines.read_line(&mut sink)? > 0 {}
                    return Ok(());
                }
                Script::DropAfterData => {
                    counts.stored.lock().expect("lock").push(message_id);
                    std::thread::sleep(Duration::from_millis(20));
                    return Ok(());
                }
                _ => {
                    counts.stored.lock().expect("lock").push(message_id);
                    say("250 2.0.0 Ok: queued")?;
                }
            }
        } else if command.starts_with("QUIT") {
            say("221 2.0.0 Bye")?;
            return Ok(());
        } else {
            say("502 5.5.2 Error: command not recognized")?;
        }
    }
}
