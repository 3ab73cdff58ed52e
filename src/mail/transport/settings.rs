//! SMTP settings from the config: the URL, the security mode, and the password (from an
//! environment variable or an owner-only file, never from the URL, never logged).
//!
//! URL forms (documented in `assets/default-config.toml`):
//! - `smtp://[user@]host[:port]`: STARTTLS, required (port 587 by default);
//! - `smtps://[user@]host[:port]`: implicit TLS (port 465 by default);
//! - `smtp://host:port?tls=none`: plain text, only when asked for (a loopback relay, tests).

use std::path::Path;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;

use crate::config::Config;

/// How long one SMTP command may take by default (`smtp_timeout_seconds` in the config).
pub const COMMAND_TIMEOUT: Duration = Duration::from_mins(1);

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("invalid smtp_url: {0}")]
    Url(String),
    #[error("smtp password: {0}")]
    Password(String),
    #[error("TLS setup for {host}: {source}")]
    Tls { host: String, source: lettre::transport::smtp::Error },
}

/// How the connection is protected.
#[derive(Clone)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS; refused if the server does not offer it.
    StartTls(TlsParameters),
    /// TLS from the first byte.
    Tls(TlsParameters),
    /// No encryption (explicitly asked for with `?tls=none`).
    Plain,
}

/// Everything needed to open a connection.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<Credentials>,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security_name())
            .field("credentials", &self.credentials.as_ref().map(|_| "<set>"))
            .finish_non_exhaustive()
    }
}

impl SmtpSettings {
    pub fn security_name(&self) -> &'static str {
        match self.security {
            Security::StartTls(_) => "STARTTLS",
            Security::Tls(_) => "TLS",
            Security::Plain => "plain",
        }
    }

    /// Plain SMTP to `host:port` with no login: the loopback test servers and benchmarks.
    pub fn plain(host: &str, port: u16) -> Self {
        Self { host: host.to_owned(), port, security: Security::Plain, credentials: None, timeout: COMMAND_TIMEOUT }
    }

    /// Parses `smtp_url` and finds the password the config points at.
    pub fn from_config(url: &str, config: &Config) -> Result<Self, TransportError> {
        let bad = |m: &str| TransportError::Url(format!("{m} (in '{}')", redact(url)));
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if parsed.password().is_some() {
            return Err(bad("do not put the password in the URL; use smtp_password_env or smtp_password_file"));
        }
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("no host"))?.to_owned();
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let tls_mode = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let tls =
            || TlsParameters::new(host.clone()).map_err(|source| TransportError::Tls { host: host.clone(), source });
        let (security, default_port) = match (parsed.scheme(), tls_mode.as_deref()) {
            ("smtp", None | Some("required" | "starttls")) => (Security::StartTls(tls()?), 587),
            ("smtp", Some("none")) => (Security::Plain, 25),
            ("smtps", None) => (Security::Tls(tls()?), 465),
            ("smtp" | "smtps", Some(other)) => {
                return Err(bad(&format!("unknown tls={other}; use tls=required (default) or tls=none")));
            }
            (scheme, _) => return Err(bad(&format!("unknown scheme {scheme}:// (use smtp:// or smtps://)"))),
        };
        let user = percent_decode(parsed.username());
        let credentials = match (user.is_empty(), password(config)?) {
            (true, None) => None,
            (false, Some(pw)) => Some(Credentials::new(user, pw)),
            (false, None) => {
                return Err(TransportError::Password(format!(
                    "smtp_url names the user '{user}' but neither smtp_password_env nor smtp_password_file is set"
                )));
            }
            (true, Some(_)) => {
                return Err(TransportError::Password("a password is configured but smtp_url names no user".into()));
            }
        };
        let timeout = Duration::from_secs(u64::from(config.smtp_timeout_seconds.max(1)));
        Ok(Self { host, port: parsed.port().unwrap_or(default_port), security, credentials, timeout })
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("u={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// The URL without anything after `://` up to `@` (in case someone put a password in it).
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(a)) if a > s => format!("{}://…@{}", &url[..s], &url[a + 1..]),
        _ => url.to_owned(),
    }
}

fn password(config: &Config) -> Result<Option<String>, TransportError> {
    if let Some(var) = &config.smtp_password_env {
        return match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(TransportError::Password(format!("the environment variable {var} is not set"))),
        };
    }
    match &config.smtp_password_file {
        Some(path) => read_password_file(path).map(Some).map_err(TransportError::Password),
        None => Ok(None),
    }
}

/// Reads a password file, refusing one that group or others could read. The error names
/// the file and what is wrong; the caller puts the config key in front (it serves the SMTP
/// password, the mailboxes' and the hooks' secrets alike).
pub fn read_password_file(path: &Path) -> Result<String, String> {
    let err = |m: String| format!("{}: {m}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(err(format!("readable by others (mode {:o}); run chmod 600 on it", mode & 0o777)));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let pw = text.trim_end_matches(['\r', '\n']).to_owned();
    if pw.is_empty() {
        return Err(err("the file is empty".into()));
    }
    Ok(pw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config::default()
    }

    #[test]
    fn url_forms_pick_the_security_and_port() {
        let s = SmtpSettings::from_config("smtp://mail.example.org", &cfg()).expect("ok");
        assert_eq!((s.security_name(), s.port), ("STARTTLS", 587));
        let s = SmtpSettings::from_config("smtps://mail.example.org", &cfg()).expect("ok");
        assert_eq!((s.security_name(), s.port), ("TLS", 465));
        let s = SmtpSettings::from_config("smtp://127.0.0.1:2525?tls=none", &cfg()).expect("ok");
        assert_eq!((s.security_name(), s.port, s.host.as_str()), ("plain", 2525, "127.0.0.1"));
    }

    #[test]
    fn bad_urls_and_passwords_are_refused_with_the_reason() {
        let e = SmtpSettings::from_config("smtp://u:secret@h.example", &cfg()).unwrap_err().to_string();
        assert!(e.contains("password") && !e.contains("secret"), "{e}");
        let e = SmtpSettings::from_config("http://h.example", &cfg()).unwrap_err().to_string();
        assert!(e.contains("scheme"), "{e}");
        let e = SmtpSettings::from_config("smtp://u@h.example", &cfg()).unwrap_err().to_string();
        assert!(e.contains("smtp_password_env"), "{e}");
        let e = SmtpSettings::from_config("smtp://h.example?tls=maybe", &cfg()).unwrap_err().to_string();
        assert!(e.contains("tls=maybe"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_password_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pw");
        std::fs::write(&path, "hunter2\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = read_password_file(&path).unwrap_err();
        assert!(e.contains("chmod 600") && !e.contains("hunter2"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(read_password_file(&path).expect("readable"), "hunter2");
        let mut c = cfg();
        c.smtp_password_file = Some(path);
        let s = SmtpSettings::from_config("smtp://user@h.example", &c).expect("ok");
        assert!(s.credentials.is_some());
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
