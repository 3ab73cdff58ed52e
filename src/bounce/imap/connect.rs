//! Connecting to a mailbox: TCP, then TLS (IMAPS, or STARTTLS done here before the client
//! takes the stream) with our own rustls, then the login; what failed is `Lost` (try again
//! soon) or `Refused` (the venue's credentials).

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::Duration;

use imap::extensions::idle::SetReadTimeout;

use super::settings::MailboxSettings;
use crate::bounce::mailbox_url::Security;

/// How long one connect, or one command's answer, may take.
pub const NET_TIMEOUT: Duration = Duration::from_mins(1);

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

fn tls(tcp: TcpStream, host: &str, ca_file: Option<&std::path::Path>) -> Result<Stream, Failure> {
    let config = crate::tls::client_config(ca_file).map_err(Failure::Lost)?;
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
    client.login(&url.user, settings.current_password()).map_err(|(e, _)| match e {
        imap::Error::No(no) => {
            Failure::Refused(format!("the mail server refused the login of {}: {}", url.user, no.information))
        }
        imap::Error::Bad(bad) => {
            Failure::Refused(format!("the mail server refused the login of {}: {}", url.user, bad.information))
        }
        other => Failure::Lost(other.to_string()),
    })
}
