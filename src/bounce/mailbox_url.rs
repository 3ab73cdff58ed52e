//! `bounce_mailbox` and `reply_mailbox` as written in the config, parsed: host, port, user,
//! folder and how the connection is protected. Plain parsing, no I/O, so the config can check
//! the URL when it is read without importing the IMAP watcher that uses it.

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `imaps://`: TLS from the first byte (port 993).
    Tls,
    /// `imap://`: STARTTLS, refused if the server does not offer it (port 143).
    StartTls,
    /// `imap://...?tls=none`: plain text, for a loopback server only.
    Plain,
}

/// `bounce_mailbox`, parsed: never holds a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxUrl {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub folder: String,
    pub security: Security,
}

impl MailboxUrl {
    /// Parses `imaps://user@host[:port]/FOLDER`, `imap://user@host[:port]/FOLDER[?tls=none]`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
        if parsed.password().is_some() {
            return Err("never put the password in the URL: use bounce_mailbox_password_env or _file".into());
        }
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("no host")?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let user = decode(parsed.username());
        if user.is_empty() {
            return Err("no user: write imaps://USER@host/FOLDER".into());
        }
        let tls = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let security = match (parsed.scheme(), tls.as_deref()) {
            ("imaps", None) => Security::Tls,
            ("imap", None | Some("required" | "starttls")) => Security::StartTls,
            ("imap", Some("none")) if is_loopback(&host) => Security::Plain,
            ("imap", Some("none")) => return Err(format!("tls=none is only for a server on loopback, not {host}")),
            ("imaps" | "imap", Some(other)) => return Err(format!("unknown tls={other}")),
            (scheme, _) => return Err(format!("unknown scheme {scheme}:// (use imaps:// or imap://)")),
        };
        let port = parsed.port().unwrap_or(if security == Security::Tls { 993 } else { 143 });
        let folder = decode(parsed.path().trim_start_matches('/'));
        let folder = if folder.is_empty() { "INBOX".to_owned() } else { folder };
        Ok(Self { host, port, user, folder, security })
    }

    /// How the store and the log name this mailbox: `user@host:port/FOLDER`.
    pub fn name(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host, self.port, self.folder)
    }
}

fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("u={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
