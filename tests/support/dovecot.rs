//! A private Dovecot for the IMAP tests (`../shared/harness/dovecot`): started on free
//! loopback ports with one user, stopped by its own `stop` (never by name) before its scratch
//! directory goes; delivery as an MTA does, and the user's Maildir as its owner sees it.

use std::path::{Path, PathBuf};
use std::process::Command;

use guestmail::config::Config;

pub const HARNESS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/harness/dovecot/dovecot.sh");
pub const USER: &str = "bounces@guestmail.test";
pub const PASSWORD: &str = "s3cret pass:word";

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

pub fn skip(test: &str) -> bool {
    if is_root() {
        return false;
    }
    println!(
        "SKIPPED {test}: needs root (the Dovecot master of ../shared/harness/dovecot starts as root; CI runs it as root)"
    );
    true
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running private Dovecot; stopped by its own `stop` (never by name) before its scratch
/// directory goes.
pub struct Dovecot {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub imaps: u16,
}

impl Dovecot {
    pub fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("gm-imap").tempdir_in("/tmp").unwrap();
        let mut last = String::new();
        for _ in 0..3 {
            let (port, imaps) = (free_port(), free_port());
            let out = Command::new("bash")
                .arg(HARNESS)
                .arg("start")
                .arg(dir.path())
                .args([port.to_string(), imaps.to_string()])
                .output()
                .unwrap();
            if out.status.success() {
                let d = Dovecot { dir, port, imaps };
                d.run(&["adduser", USER, PASSWORD]);
                return d;
            }
            last = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        panic!("the Dovecot harness did not start:\n{last}");
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out =
            Command::new("bash").arg(HARNESS).arg(args[0]).arg(self.dir.path()).args(&args[1..]).output().unwrap();
        assert!(out.status.success(), "harness {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Delivers a message as an MTA does (tmp/ then new/), to INBOX.
    pub fn deliver(&self, text: &str) {
        self.deliver_in(text, "INBOX");
    }

    pub fn deliver_in(&self, text: &str, folder: &str) {
        let file = self.dir.path().join(format!("msg-{}.eml", fastrand::u64(..)));
        std::fs::write(&file, text).unwrap();
        self.run(&["deliver", USER, file.to_str().unwrap(), folder]);
        std::fs::remove_file(file).unwrap();
    }

    pub fn maildir(&self, folder: &str) -> PathBuf {
        let root = self.dir.path().join("mail").join(USER).join("Maildir");
        if folder == "INBOX" { root } else { root.join(format!(".{folder}")) }
    }

    /// The messages of a folder: (file name, its Maildir flags).
    pub fn messages(&self, folder: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            for e in std::fs::read_dir(self.maildir(folder).join(sub)).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let flags = name.split_once(":2,").map(|(_, f)| f.to_owned()).unwrap_or_default();
                out.push((name, flags));
            }
        }
        out
    }

    pub fn config(&self, dir: &Path, url: &str) -> Config {
        let pw = dir.join("imap-password");
        std::fs::write(&pw, PASSWORD).unwrap();
        std::fs::set_permissions(&pw, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        Config {
            bounce_mailbox: Some(url.to_owned()),
            bounce_mailbox_password_file: Some(pw),
            mailbox_ca_file: Some(self.dir.path().join("tls/cert.pem")),
            ..Config::default()
        }
    }

    /// Ends this instance's IMAP sessions of `user`, as a server going down does: the
    /// harness's `stop` ends the master only, and Dovecot 2.3 leaves logged-in sessions
    /// running (an IDLE goes on answering). Each session's process is named by this
    /// instance's own log (`Login: user=<USER> ... mpid=PID`), checked to be an IMAP
    /// process, and sent SIGTERM (it says `* BYE` and hangs up).
    pub fn end_sessions(&self, user: &str) -> usize {
        let log = std::fs::read_to_string(self.dir.path().join("log/dovecot.log")).unwrap();
        let mut ended = 0;
        for line in log.lines().filter(|l| l.contains(&format!("Login: user=<{user}>"))) {
            let Some(pid) = line.split("mpid=").nth(1).and_then(|r| r.split(',').next()) else { continue };
            let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if cmdline.contains("/imap") && !cmdline.contains("imap-login") {
                let killed = Command::new("kill").args(["-TERM", pid]).status().unwrap();
                ended += usize::from(killed.success());
            }
        }
        ended
    }

    /// Starts this instance again after `stop`, on the same ports.
    pub fn restart(&self) {
        self.run(&["start", &self.port.to_string(), &self.imaps.to_string()]);
    }

    pub fn imaps_url(&self) -> String {
        format!("imaps://{}@127.0.0.1:{}/INBOX", USER.replace('@', "%40"), self.imaps)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(HARNESS).arg("stop").arg(self.dir.path()).status();
    }
}

/// Every folder of a user's Maildir with its messages (base name, flags): the venue's
/// mailbox as its owner would see it.
pub fn snapshot(dovecot: &Dovecot) -> Vec<(String, Vec<(String, String)>)> {
    let root = dovecot.maildir("INBOX");
    let mut folders = vec!["INBOX".to_owned()];
    for e in std::fs::read_dir(&root).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(folder) = name.strip_prefix('.').filter(|n| !n.is_empty() && e.path().is_dir()) {
            folders.push(folder.to_owned());
        }
    }
    folders.sort();
    folders
        .into_iter()
        .map(|f| {
            let mut msgs: Vec<(String, String)> = dovecot
                .messages(&f)
                .into_iter()
                .map(|(n, flags)| (n.split(':').next().unwrap_or_default().to_owned(), flags))
                .collect();
            msgs.sort();
            (f, msgs)
        })
        .collect()
}

/// A standard DSN about our email `token` (by its VERP return path) to `guest`, as the
/// guest's server sends it, with its own Message-ID `<own_id@mx.example.net>`.
pub fn dsn(token: &str, guest: &str, own_id: &str) -> String {
    format!(
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n\
To: bounces+{token}@bistro.example\r\nMessage-ID: <{own_id}@mx.example.net>\r\n\
Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\n\
Content-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--B\r\n\
Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n\
Final-Recipient: rfc822; {guest}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 <{guest}>: Recipient address rejected: User unknown\r\n\r\n--B\r\n\
Content-Type: text/rfc822-headers\r\n\r\nFrom: Le Petit Bistro <hello@bistro.example>\r\nTo: {guest}\r\n\
Subject: Your reservation\r\n\r\n--B--\r\n"
    )
}
