//! Taking bounces in from an IMAP mailbox (`bounce_mailbox`): a hosted mailbox (Google
//! Workspace, Microsoft 365, the provider's IMAP) instead of a Maildir on this machine.
//!
//! The client is the `imap` crate (3.x, jonhoo/rust-imap): blocking, over any `Read + Write`
//! stream, so it runs on our threads like the rest of guestmail (no async runtime, which
//! `async-imap` would need), with IDLE, MOVE and UID commands. Its own TLS features would
//! bring a second TLS stack (native-tls or rustls-connector); it is built without them and
//! handed our own rustls stream instead (the rustls lettre already uses, ring provider, the
//! Mozilla roots plus `mailbox_ca_file`). STARTTLS is done here before the client takes the
//! stream, and is required on `imap://` unless `?tls=none` names a loopback server.
//!
//! Each pass lists the folder's UIDs, takes in those not yet looked at under the folder's
//! UIDVALIDITY (the store remembers each one with what it was, in the same transaction as
//! the report), then moves the bounces to `bounce_processed_folder` (created if missing), or
//! flags them `\Seen \Flagged` where moving is not allowed. Anything that is not a report is
//! left alone, unread (BODY.PEEK). A report's own Message-ID is its key in `processed_mail`,
//! so a new UIDVALIDITY (a rebuilt mailbox) re-reads messages but counts nothing twice.
//! Between passes the watcher IDLEs where the server offers it, else polls.
//!
//! A lost connection is retried after 1, 2, 5, 10, 30 then every 60 seconds; a refused login
//! is the venue's problem (retried after 1, 2, 5, then every 10 minutes), said on the screen
//! and in the log, never a crash loop ([`Retry`]). Each change is told to the caller as a
//! [`Status`]: `Lost` or `Refused` after each failed try, `Watching` after each login, which
//! the screen takes as "back on" (its status line clears the trouble). The password is never
//! logged.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use imap::extensions::idle::SetReadTimeout;

use super::ingest::{HEAD_BYTES, Limits, lock_path_named, with_parts};
use crate::config::Config;
use crate::lockfile::HeldLock;
use crate::store::{MailboxKind, MailboxUid, Store};

/// How long one connect, or one command's answer, may take.
pub const NET_TIMEOUT: Duration = Duration::from_mins(1);
/// How often the watcher polls a server without IDLE.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How long one IDLE lasts before the watcher looks at its stop flag (and IDLEs again).
const IDLE_SLICE: Duration = Duration::from_secs(2);
/// A full pass even without news, in case a notification was missed.
const IDLE_FULL_PASS: Duration = Duration::from_mins(1);
/// Messages fetched per command, and the bytes one fetch may bring at most.
const FETCH_COUNT: usize = 200;
const FETCH_BYTES: u64 = 16 * 1024 * 1024;
/// Waits before reconnecting after a lost connection, then after a refused login (seconds).
const RETRY_LOST: &[u64] = &[1, 2, 5, 10, 30, 60];
const RETRY_REFUSED: &[u64] = &[60, 120, 300, 600];

/// The waits before each new try, one list after a lost connection and one after a refused
/// login; past its end a list repeats its last wait. The defaults are the module's rules; a
/// test that restores a password shortens them rather than wait minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    pub lost: Vec<Duration>,
    pub refused: Vec<Duration>,
}

impl Default for Retry {
    fn default() -> Self {
        let secs = |list: &[u64]| list.iter().copied().map(Duration::from_secs).collect();
        Self { lost: secs(RETRY_LOST), refused: secs(RETRY_REFUSED) }
    }
}

impl Retry {
    /// The wait before try `n + 1` after `n` failures in a row (never empty: a minute).
    fn wait(list: &[Duration], n: usize) -> Duration {
        list.get(n).or_else(|| list.last()).copied().unwrap_or(Duration::from_mins(1))
    }
}

pub use super::mailbox_url::{MailboxUrl, Security};

/// What a watched mailbox holds, and so what the watcher may do there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `bounce_mailbox`: reports are taken in, then moved (or flagged).
    Bounces,
    /// `reply_mailbox`: the venue's own mail, read only (EXAMINE, BODY.PEEK): replies to our
    /// emails are stored; nothing there is ever moved, flagged or deleted.
    Replies,
}

impl Role {
    /// Its key in the config: `bounce_mailbox`, `reply_mailbox`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Bounces => "bounce_mailbox",
            Self::Replies => "reply_mailbox",
        }
    }
}

/// Everything the watcher needs: the mailbox, its password, where bounces go.
#[derive(Clone)]
pub struct MailboxSettings {
    pub role: Role,
    pub url: MailboxUrl,
    password: String,
    pub processed_folder: String,
    pub ca_file: Option<PathBuf>,
    pub limits: Limits,
    pub retry: Retry,
}

impl std::fmt::Debug for MailboxSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxSettings")
            .field("url", &self.url)
            .field("processed_folder", &self.processed_folder)
            .finish_non_exhaustive()
    }
}

impl MailboxSettings {
    /// The bounce mailbox of the config, checked (URL, password, CA file) with an error that
    /// names the key; `None` when `bounce_mailbox` is not set.
    pub fn bounces_from_config(config: &Config) -> Result<Option<Self>, String> {
        Self::from_config(
            config,
            Role::Bounces,
            config.bounce_mailbox.as_deref(),
            config.bounce_mailbox_password_env.as_deref(),
            config.bounce_mailbox_password_file.as_deref(),
        )
    }

    /// The reply mailbox of the config (`reply_mailbox`), checked the same way.
    pub fn replies_from_config(config: &Config) -> Result<Option<Self>, String> {
        Self::from_config(
            config,
            Role::Replies,
            config.reply_mailbox.as_deref(),
            config.reply_mailbox_password_env.as_deref(),
            config.reply_mailbox_password_file.as_deref(),
        )
    }

    fn from_config(
        config: &Config,
        role: Role,
        url: Option<&str>,
        env: Option<&str>,
        file: Option<&std::path::Path>,
    ) -> Result<Option<Self>, String> {
        let key = role.key();
        let Some(url) = url else { return Ok(None) };
        let url = MailboxUrl::parse(url).map_err(|e| format!("{key}: {e}"))?;
        let password = match (env, file) {
            (Some(var), _) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => v,
                _ => return Err(format!("{key}_password_env: the environment variable {var} is not set")),
            },
            (None, Some(path)) => {
                crate::mail::transport::read_password_file(path).map_err(|e| format!("{key}_password_file: {e}"))?
            }
            (None, None) => return Err(format!("{key}: set {key}_password_env or {key}_password_file")),
        };
        if let Some(ca) = &config.mailbox_ca_file {
            roots(Some(ca)).map_err(|e| format!("mailbox_ca_file: {e}"))?;
        }
        Ok(Some(Self {
            role,
            url,
            password,
            processed_folder: config.bounce_processed_folder.clone(),
            ca_file: config.mailbox_ca_file.clone(),
            limits: Limits::from(config),
            retry: Retry::default(),
        }))
    }
}

/// The connection under the IMAP client: plain TCP, or rustls over it.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => s.get_ref(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
        }
    }
}

impl SetReadTimeout for Stream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::Result<()> {
        // No timeout at all would let a silent server hold the watcher forever.
        self.tcp().set_read_timeout(Some(timeout.unwrap_or(NET_TIMEOUT))).map_err(imap::Error::Io)
    }
}

/// One logged-in IMAP session.
pub type Session = imap::Session<Stream>;

/// Why a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server refused the login: the venue's credentials (its problem, retried slowly).
    Refused(String),
    /// Anything else: the network, TLS, the server; retried soon.
    Lost(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(why) | Self::Lost(why) => f.write_str(why),
        }
    }
}

impl From<imap::Error> for Failure {
    fn from(e: imap::Error) -> Self {
        Self::Lost(e.to_string())
    }
}

fn roots(ca_file: Option<&std::path::Path>) -> Result<rustls::RootCertStore, String> {
    use rustls_pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let mut added = 0;
        for cert in
            rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|e| format!("{}: {e}", path.display()))?
        {
            let cert = cert.map_err(|e| format!("{}: {e}", path.display()))?;
            roots.add(cert).map_err(|e| format!("{}: {e}", path.display()))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("{}: no PEM certificate in it", path.display()));
        }
    }
    Ok(roots)
}

fn tls(tcp: TcpStream, host: &str, ca_file: Option<&std::path::Path>) -> Result<Stream, Failure> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::Lost(format!("TLS: {e}")))?
        .with_root_certificates(roots(ca_file).map_err(Failure::Lost)?)
        .with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| Failure::Lost(format!("TLS: {host}: {e}")))?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| Failure::Lost(format!("TLS: {e}")))?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    // Handshake now, so a certificate problem is named as such.
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).map_err(|e| Failure::Lost(format!("TLS with {host}: {e}")))?;
    }
    Ok(Stream::Tls(Box::new(stream)))
}

/// Reads one line byte by byte (nothing past it may be read before the TLS handshake).
fn read_line(tcp: &mut TcpStream) -> Result<String, Failure> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 8192 {
        match tcp.read(&mut byte) {
            Ok(0) => return Err(Failure::Lost("the mail server hung up".into())),
            Ok(_) if byte[0] == b'\n' => return Ok(String::from_utf8_lossy(&line).trim_end().to_owned()),
            Ok(_) => line.push(byte[0]),
            Err(e) => return Err(Failure::Lost(e.to_string())),
        }
    }
    Err(Failure::Lost("the mail server sent an overlong line".into()))
}

/// The greeting, then `STARTTLS` (the client crate's own STARTTLS needs its TLS features).
fn starttls(tcp: &mut TcpStream, host: &str) -> Result<(), Failure> {
    let greeting = read_line(tcp)?;
    if !greeting.starts_with("* OK") {
        return Err(Failure::Lost(format!("unexpected greeting from {host}: {greeting}")));
    }
    tcp.write_all(b"g0 STARTTLS\r\n").map_err(|e| Failure::Lost(e.to_string()))?;
    loop {
        let line = read_line(tcp)?;
        if let Some(answer) = line.strip_prefix("g0 ") {
            return if answer.starts_with("OK") {
                Ok(())
            } else {
                Err(Failure::Lost(format!("{host} does not offer STARTTLS (required on imap://): {answer}")))
            };
        }
    }
}

/// Connects and logs in.
pub fn connect(settings: &MailboxSettings) -> Result<Session, Failure> {
    let url = &settings.url;
    let addr = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| Failure::Lost(format!("cannot resolve {}: {e}", url.host)))?
        .next()
        .ok_or_else(|| Failure::Lost(format!("cannot resolve {}", url.host)))?;
    let tcp = TcpStream::connect_timeout(&addr, NET_TIMEOUT)
        .map_err(|e| Failure::Lost(format!("cannot connect to {}:{}: {e}", url.host, url.port)))?;
    let io = |e: io::Error| Failure::Lost(e.to_string());
    tcp.set_read_timeout(Some(NET_TIMEOUT)).map_err(io)?;
    tcp.set_write_timeout(Some(NET_TIMEOUT)).map_err(io)?;
    tcp.set_nodelay(true).map_err(io)?;
    let ca = settings.ca_file.as_deref();
    let mut client = match url.security {
        Security::Plain => {
            let mut c = imap::Client::new(Stream::Plain(tcp));
            c.read_greeting()?;
            c
        }
        Security::Tls => {
            let mut c = imap::Client::new(tls(tcp, &url.host, ca)?);
            c.read_greeting()?;
            c
        }
        Security::StartTls => {
            let mut tcp = tcp;
            starttls(&mut tcp, &url.host)?;
            let mut c = imap::Client::new(tls(tcp, &url.host, ca)?);
            // The greeting came before STARTTLS.
            c.greeting_read = true;
            c
        }
    };
    client.greeting_read = true;
    client.login(&url.user, &settings.password).map_err(|(e, _)| match e {
        imap::Error::No(no) => {
            Failure::Refused(format!("the mail server refused the login of {}: {}", url.user, no.information))
        }
        imap::Error::Bad(bad) => {
            Failure::Refused(format!("the mail server refused the login of {}: {}", url.user, bad.information))
        }
        other => Failure::Lost(other.to_string()),
    })
}

/// What the watcher tells the screen and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Logged in and watching (`idle`: with IDLE, else polling).
    Watching { idle: bool },
    /// The connection was lost or could not be made; retried after `retry`.
    Lost { why: String, retry: Duration },
    /// The login was refused: the venue's credentials; retried after `retry`.
    Refused { why: String, retry: Duration },
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Messages looked at for the first time under this UIDVALIDITY.
    pub looked_at: usize,
    pub bounces: usize,
    pub not_bounces: usize,
    /// Bounces already taken in (by their Message-ID) before, e.g. under another UIDVALIDITY.
    pub already_processed: usize,
    pub errors_counted: usize,
    /// Bounces moved to the processed folder, or flagged.
    pub moved: usize,
    pub flagged: usize,
    /// Replies tied to one of our emails (the reply mailbox).
    pub replies: usize,
}

/// What one watcher did, when it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchReport {
    pub sessions: usize,
    pub passes: usize,
    pub bounces: usize,
    pub not_bounces: usize,
    pub replies: usize,
    pub stood_by: usize,
}

/// The Message-ID header of a raw message (its own, not the returned original's).
fn own_message_id(raw: &[u8]) -> Option<String> {
    let mut lines = raw.split(|&b| b == b'\n');
    let mut found: Option<String> = None;
    for line in lines.by_ref() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(value) = found.as_mut() {
            if line.starts_with(b" ") || line.starts_with(b"\t") {
                value.push_str(String::from_utf8_lossy(line).trim());
                continue;
            }
            break;
        }
        if line.len() >= 11 && line[..11].eq_ignore_ascii_case(b"message-id:") {
            found = Some(String::from_utf8_lossy(&line[11..]).trim().to_owned());
        }
    }
    found.map(|v| v.trim_matches(['<', '>', ' ']).to_owned()).filter(|v| !v.is_empty())
}

/// A watched folder in one session.
struct Folder<'a> {
    settings: &'a MailboxSettings,
    name: String,
    uidvalidity: u32,
    can_move: bool,
    uidplus: bool,
    /// The processed folder exists (or was created).
    processed_ok: bool,
}

impl Folder<'_> {
    /// Takes in every message not yet looked at, then moves the bounces out of the way.
    fn pass(&self, session: &mut Session, store: &mut Store) -> Result<Pass, Failure> {
        let mut pass = Pass::default();
        let all: HashSet<u32> = session.uid_search("ALL")?;
        let seen = store.mailbox_seen(&self.name, self.uidvalidity).map_err(|e| Failure::Lost(e.to_string()))?;
        let mut new: Vec<u32> = all.iter().copied().filter(|uid| !seen.contains_key(uid)).collect();
        new.sort_unstable();
        let mut to_settle: Vec<u32> = seen
            .iter()
            .filter(|(uid, kind)| **kind == MailboxKind::Bounce { settled: false } && all.contains(uid))
            .map(|(uid, _)| *uid)
            .collect();
        for sizes in new.chunks(1000) {
            let fetched = session.uid_fetch(uid_set(sizes), "(UID RFC822.SIZE)")?;
            let mut sized: Vec<(u32, u64)> =
                fetched.iter().filter_map(|f| Some((f.uid?, u64::from(f.size.unwrap_or(0))))).collect();
            sized.sort_unstable();
            let mut batch: Vec<u32> = Vec::new();
            let mut bytes = 0;
            for (uid, size) in sized {
                if size > self.settings.limits.max_bytes {
                    // Only its head: a report's parts come first.
                    let head = session.uid_fetch(uid.to_string(), format!("(UID BODY.PEEK[]<0.{HEAD_BYTES}>)"))?;
                    for f in head.iter() {
                        self.take_in(store, uid, f.body().unwrap_or_default(), &mut pass, &mut to_settle)?;
                    }
                    continue;
                }
                if !batch.is_empty() && (batch.len() >= FETCH_COUNT || bytes + size > FETCH_BYTES) {
                    self.fetch_batch(session, store, &batch, &mut pass, &mut to_settle)?;
                    batch.clear();
                    bytes = 0;
                }
                batch.push(uid);
                bytes += size;
            }
            if !batch.is_empty() {
                self.fetch_batch(session, store, &batch, &mut pass, &mut to_settle)?;
            }
        }
        if !to_settle.is_empty() {
            to_settle.sort_unstable();
            self.settle(session, store, &to_settle, &mut pass)?;
        }
        Ok(pass)
    }

    fn fetch_batch(
        &self,
        session: &mut Session,
        store: &mut Store,
        uids: &[u32],
        pass: &mut Pass,
        to_settle: &mut Vec<u32>,
    ) -> Result<(), Failure> {
        let fetched = session.uid_fetch(uid_set(uids), "(UID BODY.PEEK[])")?;
        for f in fetched.iter() {
            if let Some(uid) = f.uid {
                self.take_in(store, uid, f.body().unwrap_or_default(), pass, to_settle)?;
            }
        }
        Ok(())
    }

    fn take_in(
        &self,
        store: &mut Store,
        uid: u32,
        raw: &[u8],
        pass: &mut Pass,
        to_settle: &mut Vec<u32>,
    ) -> Result<(), Failure> {
        let bounce = super::parse(raw);
        let key = own_message_id(raw)
            .map_or_else(|| format!("imap:{}:{}:{uid}", self.name, self.uidvalidity), |id| format!("imap-mid:{id}"));
        let at = MailboxUid { mailbox: &self.name, uidvalidity: self.uidvalidity, uid };
        let block_after = self.settings.limits.block_after;
        let outcome = with_parts(bounce.as_ref(), |links, recipients| {
            store.record_mailbox_message(at, &key, links, recipients, bounce.is_some(), block_after)
        })
        .map_err(|e| Failure::Lost(e.to_string()))?;
        pass.looked_at += 1;
        pass.errors_counted += outcome.errors_counted;
        if bounce.is_some() {
            to_settle.push(uid);
            if outcome.already_processed {
                pass.already_processed += 1;
            } else {
                pass.bounces += 1;
            }
        } else {
            pass.not_bounces += 1;
        }
        Ok(())
    }

    /// Moves taken-in bounces to the processed folder, or flags them where that is refused.
    fn settle(&self, session: &mut Session, store: &mut Store, uids: &[u32], pass: &mut Pass) -> Result<(), Failure> {
        let folder = &self.settings.processed_folder;
        for chunk in uids.chunks(500) {
            let set = uid_set(chunk);
            let moved = if !self.processed_ok {
                false
            } else if self.can_move {
                match session.uid_mv(&set, folder) {
                    Ok(()) => true,
                    Err(imap::Error::No(no)) => {
                        tracing::warn!(folder, why = %no.information, "the mail server refused to move bounces; flagging them instead");
                        false
                    }
                    Err(e) => return Err(e.into()),
                }
            } else if self.uidplus {
                session.uid_copy(&set, folder)?;
                session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)")?;
                session.uid_expunge(&set)?;
                true
            } else {
                false
            };
            if moved {
                pass.moved += chunk.len();
            } else {
                session.uid_store(&set, "+FLAGS.SILENT (\\Seen \\Flagged)")?;
                pass.flagged += chunk.len();
            }
            store
                .settle_mailbox_messages(&self.name, self.uidvalidity, chunk)
                .map_err(|e| Failure::Lost(e.to_string()))?;
        }
        Ok(())
    }

    /// The reply mailbox's pass: read only. Each message not looked at yet is read (PEEK),
    /// tied to our email if it answers one, and remembered; nothing in the mailbox changes.
    fn reply_pass(&self, session: &mut Session, store: &mut Store) -> Result<Pass, Failure> {
        let mut pass = Pass::default();
        let all: HashSet<u32> = session.uid_search("ALL")?;
        let seen = store.mailbox_seen(&self.name, self.uidvalidity).map_err(|e| Failure::Lost(e.to_string()))?;
        let mut new: Vec<u32> = all.into_iter().filter(|uid| !seen.contains_key(uid)).collect();
        new.sort_unstable();
        for chunk in new.chunks(FETCH_COUNT) {
            // A reply's first lines are at its start: never more than the head of a big one.
            let fetched = session.uid_fetch(uid_set(chunk), format!("(UID BODY.PEEK[]<0.{HEAD_BYTES}>)"))?;
            for f in fetched.iter() {
                let Some(uid) = f.uid else { continue };
                let raw = f.body().unwrap_or_default();
                let reply = crate::replies::parse(raw);
                let at = MailboxUid { mailbox: &self.name, uidvalidity: self.uidvalidity, uid };
                let key = reply
                    .as_ref()
                    .and_then(|r| r.own_id.clone())
                    .map_or_else(|| format!("imap:{}:{}:{uid}", self.name, self.uidvalidity), |id| format!("mid:{id}"));
                let new_reply = reply.as_ref().map(|r| crate::store::NewReply {
                    key: &key,
                    at: r.at.unwrap_or_else(crate::store::now_ms),
                    from: &r.from,
                    answers: &r.answers,
                    excerpt: &r.excerpt,
                    auto: r.auto,
                });
                let outcome = store.record_reply(at, new_reply.as_ref()).map_err(|e| Failure::Lost(e.to_string()))?;
                pass.looked_at += 1;
                match outcome {
                    crate::store::ReplyOutcome::Linked { .. } => pass.replies += 1,
                    crate::store::ReplyOutcome::Again => pass.already_processed += 1,
                    crate::store::ReplyOutcome::Unlinked => pass.not_bounces += 1,
                }
            }
        }
        Ok(pass)
    }
}

/// `1,2,5:7` for a sorted list of UIDs.
fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if end == start {
            out.push_str(&start.to_string());
        } else {
            let _ = write!(out, "{start}:{end}");
        }
        i += 1;
    }
    out
}

/// One session: log in, select, pass, then IDLE (or poll) and pass again, until `stop`.
fn run_session(
    stop: &AtomicBool,
    store: &mut Store,
    settings: &MailboxSettings,
    report: &mut WatchReport,
    on_status: &mut dyn FnMut(&Status),
) -> Result<(), Failure> {
    let mut session = connect(settings)?;
    report.sessions += 1;
    let caps = session.capabilities()?;
    let (idle, can_move, uidplus) = (caps.has_str("IDLE"), caps.has_str("MOVE"), caps.has_str("UIDPLUS"));
    drop(caps);
    let replies = settings.role == Role::Replies;
    let processed = &settings.processed_folder;
    let processed_ok = !replies
        && match session.list(None, Some(processed)) {
            Ok(names) if names.iter().any(|n| n.name() == processed) => true,
            _ => match session.create(processed) {
                Ok(()) => {
                    tracing::info!(folder = processed, "created the folder for processed bounces");
                    true
                }
                Err(e) => {
                    tracing::warn!(folder = processed, error = %e, "cannot create the folder for processed bounces; flagging them instead");
                    false
                }
            },
        };
    // The venue's own mailbox is only ever EXAMINEd: read only, no flag changes.
    let mailbox =
        if replies { session.examine(&settings.url.folder)? } else { session.select(&settings.url.folder)? };
    let folder = Folder {
        settings,
        name: settings.url.name(),
        uidvalidity: mailbox.uid_validity.unwrap_or(0),
        can_move,
        uidplus,
        processed_ok,
    };
    tracing::info!(mailbox = %folder.name, uidvalidity = folder.uidvalidity, idle, can_move, role = ?settings.role, "watching the mailbox");
    on_status(&Status::Watching { idle });
    let mut last_full = Instant::now();
    let mut changed = true;
    while !stop.load(Ordering::Relaxed) {
        if changed || last_full.elapsed() >= IDLE_FULL_PASS {
            let pass =
                if replies { folder.reply_pass(&mut session, store)? } else { folder.pass(&mut session, store)? };
            report.passes += 1;
            report.replies += pass.replies;
            report.bounces += pass.bounces;
            report.not_bounces += pass.not_bounces;
            if pass.looked_at > 0 || pass.moved + pass.flagged > 0 {
                tracing::info!(?pass, role = ?settings.role, "mailbox pass");
            }
            last_full = Instant::now();
            session.take_all_unsolicited().for_each(drop);
        }
        if idle {
            let mut handle = session.idle();
            handle.timeout(IDLE_SLICE).keepalive(false);
            changed = matches!(
                handle.wait_while(imap::extensions::idle::stop_on_any)?,
                imap::extensions::idle::WaitOutcome::MailboxChanged
            );
        } else {
            let until = Instant::now() + POLL_INTERVAL;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            session.noop()?;
            changed = true;
        }
    }
    let _ = session.logout();
    Ok(())
}

/// Sleeps `d` in short steps; false when `stop` was set meanwhile.
fn sleep_unless(stop: &AtomicBool, d: Duration) -> bool {
    let until = Instant::now() + d;
    while Instant::now() < until {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    !stop.load(Ordering::Relaxed)
}

/// Watches the bounce mailbox until `stop` is set: the IMAP twin of
/// [`super::ingest::watch_until`], with its own lock (`<database>-bounce-mailbox.lock`),
/// so one watcher per database takes a mailbox in and another stands by.
pub fn watch_until(
    stop: &Arc<AtomicBool>,
    mut store: Store,
    settings: &MailboxSettings,
    mut on_status: impl FnMut(&Status),
) -> WatchReport {
    let lock_path = lock_path_named(
        store.path(),
        match settings.role {
            Role::Bounces => "bounce-mailbox",
            Role::Replies => "reply-mailbox",
        },
    );
    let mut lock: Option<HeldLock> = None;
    let mut report = WatchReport::default();
    let (mut lost, mut refused) = (0usize, 0usize);
    while !stop.load(Ordering::Relaxed) {
        if lock.is_none() {
            match HeldLock::try_take(&lock_path) {
                Ok(Some(held)) => lock = Some(held),
                Ok(None) => {
                    if report.stood_by == 0 {
                        tracing::info!(lock = %lock_path.display(), "another guestmail takes in this bounce mailbox; standing by");
                    }
                    report.stood_by += 1;
                    if !sleep_unless(stop, POLL_INTERVAL) {
                        break;
                    }
                    continue;
                }
                Err(e) => {
                    // As for the Maildir: the store's keys alone keep each message once.
                    tracing::warn!(lock = %lock_path.display(), error = %e, "cannot use the bounce mailbox's lock");
                }
            }
        }
        let sessions = report.sessions;
        let result = run_session(stop, &mut store, settings, &mut report, &mut on_status);
        if report.sessions > sessions {
            lost = 0;
            refused = 0;
        }
        let (status, wait) = match result {
            Ok(()) => break,
            Err(Failure::Refused(why)) => {
                let retry = Retry::wait(&settings.retry.refused, refused);
                refused += 1;
                tracing::warn!(mailbox = %settings.url.name(), role = ?settings.role, %why, ?retry, "mailbox: login refused (check the password)");
                (Status::Refused { why, retry }, retry)
            }
            Err(Failure::Lost(why)) => {
                let retry = Retry::wait(&settings.retry.lost, lost);
                lost += 1;
                tracing::warn!(mailbox = %settings.url.name(), role = ?settings.role, %why, ?retry, "mailbox: connection lost");
                (Status::Lost { why, retry }, retry)
            }
        };
        on_status(&status);
        if !sleep_unless(stop, wait) {
            break;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_urls() {
        let ok: &[(&str, &str, u16, &str, &str, Security)] = &[
            ("imaps://bounces@imap.example.org/INBOX", "imap.example.org", 993, "bounces", "INBOX", Security::Tls),
            ("imaps://b%40x.org@imap.example.org", "imap.example.org", 993, "b@x.org", "INBOX", Security::Tls),
            ("imap://b@imap.example.org:1143/Bounces", "imap.example.org", 1143, "b", "Bounces", Security::StartTls),
            ("imap://b@h.example/INBOX?tls=required", "h.example", 143, "b", "INBOX", Security::StartTls),
            ("imap://b@127.0.0.1:1143/INBOX?tls=none", "127.0.0.1", 1143, "b", "INBOX", Security::Plain),
            ("imap://b@localhost/Archive%2F2025?tls=none", "localhost", 143, "b", "Archive/2025", Security::Plain),
        ];
        for &(url, host, port, user, folder, security) in ok {
            let u = MailboxUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(
                (u.host.as_str(), u.port, u.user.as_str(), u.folder.as_str(), u.security),
                (host, port, user, folder, security),
                "{url}"
            );
        }
        let bad: &[(&str, &str)] = &[
            ("imaps://b:hunter2@h.example/INBOX", "password"),
            ("imaps://h.example/INBOX", "no user"),
            ("imap://b@imap.example.org/INBOX?tls=none", "loopback"),
            ("imap://b@h.example/INBOX?tls=maybe", "tls=maybe"),
            ("pop3://b@h.example/", "pop3"),
            ("not a url", "not a URL"),
        ];
        for &(url, says) in bad {
            let e = MailboxUrl::parse(url).expect_err(url);
            assert!(e.contains(says), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn a_bad_password_file_is_named_by_its_key_not_as_smtp() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pw");
        std::fs::write(&path, "hunter2\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let config = Config {
            bounce_mailbox: Some("imaps://bounces@imap.example.org/INBOX".into()),
            bounce_mailbox_password_file: Some(path.clone()),
            ..Config::default()
        };
        let e = MailboxSettings::bounces_from_config(&config).expect_err("a file others can read");
        assert!(e.starts_with("bounce_mailbox_password_file: "), "{e}");
        assert!(e.contains("chmod 600"), "{e}");
        assert!(!e.to_lowercase().contains("smtp"), "an IMAP password is not the SMTP one: {e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn uid_sets_are_ranges() {
        for (uids, set) in [(&[][..], ""), (&[1][..], "1"), (&[1, 2, 3, 5, 7, 8][..], "1:3,5,7:8")] {
            assert_eq!(uid_set(uids), set);
        }
    }

    #[test]
    fn a_message_s_own_message_id() {
        for (raw, id) in [
            (&b"From: a\r\nMessage-ID: <x@y>\r\n\r\nMessage-ID: <no@no>\r\n"[..], Some("x@y")),
            (&b"message-id:\r\n <folded@y>\r\nSubject: s\r\n\r\n"[..], Some("folded@y")),
            (&b"Subject: s\r\n\r\nMessage-ID: <body@no>\r\n"[..], None),
        ] {
            assert_eq!(own_message_id(raw).as_deref(), id);
        }
    }
}
