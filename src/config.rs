//! Configuration: an optional TOML file merged over embedded defaults, and the paths of the
//! database, outbox and log in the platform's directories.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::clock::Clock;
use crate::domain::Language;
use crate::journey::Policy;

/// The defaults, embedded so a fresh machine needs no file; also the documented example.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/default-config.toml");

/// Everything a venue can set. Unknown keys are an error, so a typo never silently falls back.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The restaurant's name: header, From display name, email text.
    pub venue_name: String,
    /// The venue's own address: Reply-To of every email, so guests' replies reach it.
    pub reply_to: String,
    /// The transactional sender (From).
    pub sender: String,
    /// The venue's language, for staff and for guests without one.
    pub language: Language,
    /// The venue's phone number and street address, printed in the emails.
    pub venue_phone: String,
    pub venue_address: String,
    /// The store on a PostgreSQL server (`postgres://user@host:5432/db`) instead of the SQLite
    /// file; `--db` and `GUESTMAIL_DB` win over it. The password comes from
    /// `GUESTMAIL_DB_PASSWORD` or the owner-only file named by `GUESTMAIL_DB_PASSWORD_FILE`.
    pub database_url: Option<String>,
    /// `smtp://user@host:587` (STARTTLS), `smtps://host:465` (TLS) or
    /// `smtp://host:25?tls=none` (plain, loopback only). Absent: the local Maildir outbox.
    pub smtp_url: Option<String>,
    /// The SMTP password: the name of an environment variable holding it ...
    pub smtp_password_env: Option<String>,
    /// ... or a file readable by its owner only.
    pub smtp_password_file: Option<PathBuf>,
    /// How long to wait for the SMTP server: to connect, for its greeting, and for each
    /// command's answer. A wait that runs out pauses sending (the server's problem).
    pub smtp_timeout_seconds: u32,
    /// Per-message envelope sender (VERP) `bounces+<token>@domain`; false = the sender.
    pub verp: bool,
    /// The domain of the VERP address; default: the sender's domain.
    pub bounce_domain: Option<String>,
    /// The public address of the tracking endpoint, as written into emails.
    pub tracking_base_url: String,
    /// Where the tracking endpoint listens (loopback unless the operator chooses otherwise).
    pub tracking_listen: String,
    /// The Maildir bounces are delivered to, watched by `guestmail serve` and the screen.
    pub bounce_maildir: Option<PathBuf>,
    /// A message in the bounce Maildir larger than this is never read whole: only its head
    /// (where a report's parts are) is parsed, or it is set aside in `too-big/`.
    pub bounce_max_bytes: u64,
    /// An IMAP mailbox the bounces arrive in: `imaps://user@host[:port]/FOLDER`,
    /// `imap://user@host/FOLDER` (STARTTLS required) or `imap://...?tls=none` (loopback only).
    pub bounce_mailbox: Option<String>,
    /// The mailbox password: the name of an environment variable holding it ...
    pub bounce_mailbox_password_env: Option<String>,
    /// ... or a file readable by its owner only.
    pub bounce_mailbox_password_file: Option<PathBuf>,
    /// Where taken-in bounces are moved in that mailbox (created if missing).
    pub bounce_processed_folder: String,
    /// The venue's own mailbox (the Reply-To address), read only, where guests' replies
    /// arrive: the same URL forms as `bounce_mailbox`.
    pub reply_mailbox: Option<String>,
    pub reply_mailbox_password_env: Option<String>,
    pub reply_mailbox_password_file: Option<PathBuf>,
    /// Extra certificates (PEM) trusted for the IMAP server, beside the usual public roots:
    /// a venue's own server with a private certificate, or tests.
    pub mailbox_ca_file: Option<PathBuf>,
    /// Hours before a confirmed reservation that the reminder goes out.
    pub reminder_hours: u32,
    /// Hours after the reservation time that the thank-you goes out.
    pub thank_you_after_hours: u32,
    /// A second resend of the same email within this many seconds asks first.
    pub resend_cooldown_seconds: u32,
    /// The largest party the form, the CLI and the import accept.
    pub max_party_size: u32,
    /// The venue's time zone (e.g. `Europe/Brussels`); absent: the machine's zone.
    pub time_zone: Option<String>,
    /// Which venue of a database holding several the screen and the CLI work on (its
    /// name, as `guestmail venue list` shows it; `--venue` overrides). Absent: the only one.
    pub venue: Option<String>,
    /// An address is blocked when its error count goes above this.
    pub block_after: u32,
    /// Days after which the client IP and User-Agent of an open are erased.
    pub open_retention_days: u32,
    /// Hits on one email from the same client (address and User-Agent) within this many
    /// seconds count once.
    pub open_dedup_seconds: u32,
    /// Raw hits kept per email; past it only its counters and last-open time move.
    pub open_hits_kept: u32,
    /// Reverse proxies (addresses or CIDRs) whose `X-Forwarded-For` is believed; empty:
    /// the tracker records each peer's own address.
    pub trusted_proxies: Vec<String>,
    /// Amazon SES events through SNS at `POST /hooks/ses`: the SNS topic ARNs taken. Empty:
    /// the hook is off (404).
    pub hook_ses_topics: Vec<String>,
    /// For tests only: signing-certificate and subscription URL prefixes allowed besides
    /// `https://sns.<region>.amazonaws.com/`, on a loopback host.
    pub hook_ses_cert_url_prefixes: Vec<String>,
    /// Postmark's webhook at `POST /hooks/postmark`: the basic-authentication user (absent:
    /// off) and its password from an environment variable or an owner-only file.
    pub hook_postmark_user: Option<String>,
    pub hook_postmark_password_env: Option<String>,
    pub hook_postmark_password_file: Option<PathBuf>,
    /// Mailgun's webhook at `POST /hooks/mailgun`: its HTTP webhook signing key from an
    /// environment variable or an owner-only file (neither: off).
    pub hook_mailgun_key_env: Option<String>,
    pub hook_mailgun_key_file: Option<PathBuf>,
    /// SendGrid's signed event webhook at `POST /hooks/sendgrid`: its verification key
    /// (base64, as SendGrid shows it; a public key, not a secret). Absent: off.
    pub hook_sendgrid_public_key: Option<String>,
    /// A directory of address-range files (`apple_mpp.txt`, `google.txt`,
    /// `microsoft_eop.txt`, `yahoo.txt`, `security_gateways.txt`) replacing the built-in ones.
    pub ranges_dir: Option<PathBuf>,
    /// Key overrides: action name -> key, e.g. `resend = "r"`.
    pub keys: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    // `error`, not `source`: the reason is said once in the message, not again as its cause.
    #[error("cannot read the config file {path}: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    #[error("invalid config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A partial config as found in a user's file: every key optional.
fn merge(base: toml::Table, over: toml::Table) -> toml::Table {
    let mut out = base;
    for (k, v) in over {
        match (out.remove(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => {
                out.insert(k, toml::Value::Table(merge(b, o)));
            }
            (_, v) => {
                out.insert(k, v);
            }
        }
    }
    out
}

impl Default for Config {
    fn default() -> Self {
        Self::parse(DEFAULT_CONFIG, Path::new("<embedded defaults>"))
            .unwrap_or_else(|e| unreachable!("the embedded default config is valid: {e}"))
    }
}

impl Config {
    /// Parses a config text over the embedded defaults. Errors name the file, the line and
    /// the field (toml's own messages carry line, column and key).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        // toml quotes the offending line: never with a password typed into it.
        let invalid =
            |message: String| ConfigError::Invalid { path: path.to_owned(), message: redact_secrets(&message) };
        let defaults: toml::Table = toml::from_str(DEFAULT_CONFIG).map_err(|e| invalid(e.to_string()))?;
        // Parse the user's text on its own first, so line numbers in errors are theirs.
        let user: toml::Table = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let merged = merge(defaults, user.clone());
        match Config::deserialize(merged) {
            Ok(c) => Ok(c),
            Err(e) => {
                // Re-run on the user's text with a typed view to get a line number for the
                // offending field where the user wrote it.
                let located = toml::from_str::<UserView>(text).err().map_or_else(|| e.to_string(), |e| e.to_string());
                Err(invalid(located))
            }
        }
        .and_then(Config::validate_with(path))
    }

    fn validate_with(path: &Path) -> impl Fn(Config) -> Result<Config, ConfigError> + '_ {
        move |c| {
            let invalid = |message: String| ConfigError::Invalid { path: path.to_owned(), message };
            for (name, value) in [("reply_to", &c.reply_to), ("sender", &c.sender)] {
                crate::domain::normalize_email(value).map_err(|e| invalid(format!("field `{name}`: {e}")))?;
            }
            if c.venue_name.trim().is_empty() {
                return Err(invalid("field `venue_name` is empty".into()));
            }
            Clock::named(c.time_zone.as_deref()).map_err(|e| invalid(format!("field `time_zone`: {e}")))?;
            crate::tracker::ranges::trusted_proxies(&c.trusted_proxies)
                .map_err(|e| invalid(format!("field `trusted_proxies`: {e}")))?;
            if let Some(url) = &c.bounce_mailbox {
                crate::bounce::mailbox_url::MailboxUrl::parse(url)
                    .map_err(|e| invalid(format!("field `bounce_mailbox`: {e}")))?;
            }
            if let Some(url) = &c.reply_mailbox {
                crate::bounce::mailbox_url::MailboxUrl::parse(url)
                    .map_err(|e| invalid(format!("field `reply_mailbox`: {e}")))?;
            }
            if c.bounce_processed_folder.trim().is_empty() {
                return Err(invalid("field `bounce_processed_folder` is empty".into()));
            }
            for prefix in &c.hook_ses_cert_url_prefixes {
                crate::tracker::hooks::sns::check_test_prefix(prefix)
                    .map_err(|e| invalid(format!("field `hook_ses_cert_url_prefixes`: {e}")))?;
            }
            if let Some(key) = &c.hook_sendgrid_public_key {
                crate::tracker::hooks::verify::sendgrid_key(key)
                    .map_err(|e| invalid(format!("field `hook_sendgrid_public_key`: {e}")))?;
            }
            if c.hook_postmark_user.is_some()
                && c.hook_postmark_password_env.is_none()
                && c.hook_postmark_password_file.is_none()
            {
                return Err(invalid(
                    "field `hook_postmark_user`: set hook_postmark_password_env or hook_postmark_password_file".into(),
                ));
            }
            if let Some(url) = &c.database_url {
                let location = crate::store::Location::parse(url);
                if !location.is_postgres() {
                    return Err(invalid("field `database_url`: not a postgres:// URL".into()));
                }
                if url::Url::parse(url).is_ok_and(|u| u.password().is_some()) {
                    return Err(invalid(format!(
                        "field `database_url`: no password in the config; put it in {} or in an owner-only file named by {}",
                        crate::store::PASSWORD_ENV,
                        crate::store::PASSWORD_FILE_ENV
                    )));
                }
            }
            if c.max_party_size == 0 {
                return Err(invalid("field `max_party_size` must be at least 1".into()));
            }
            Ok(c)
        }
    }

    /// Loads `path`. A missing file is fine when it is only the default location
    /// (`required == false`): the defaults apply.
    pub fn load(path: &Path, required: bool) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Self::default()),
            Err(error) => Err(ConfigError::Read { path: path.to_owned(), error }),
        }
    }

    /// The journey's numbers, as this venue set them.
    pub fn policy(&self) -> Policy {
        Policy {
            reminder_hours: self.reminder_hours,
            thank_you_after_hours: self.thank_you_after_hours,
            resend_cooldown_seconds: self.resend_cooldown_seconds,
            max_party_size: self.max_party_size,
        }
    }

    /// The venue's clock (checked when the file was read, so a bad name never gets here).
    pub fn clock(&self) -> Clock {
        Clock::named(self.time_zone.as_deref()).unwrap_or(Clock::Local)
    }

    /// The domain part of the sender address.
    pub fn sender_domain(&self) -> &str {
        self.sender.rsplit_once('@').map_or("guestmail.localhost", |(_, d)| d)
    }
}

/// `message` with every secret it may quote replaced by `***`: the password of a URL's
/// userinfo (`smtp://user:***@host`), and the value of a key whose name speaks of a password
/// or secret (`smtp_password = ***`). Config errors quote the user's line; they go to a
/// terminal and to logs, where a password must never appear.
pub fn redact_secrets(message: &str) -> String {
    message.split_inclusive('\n').map(redact_line).collect()
}

fn redact_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    // A key naming a secret: everything after its `=` goes.
    if let Some((key, _)) = line.split_once('=') {
        let k = key.to_ascii_lowercase();
        if ["password", "passwd", "secret", "token"].iter().any(|w| k.contains(w))
            && !k.contains("_env")
            && !k.contains("_file")
        {
            out.push_str(key);
            out.push_str("= ***");
            if line.ends_with('\n') {
                out.push('\n');
            }
            return out;
        }
    }
    let mut rest = line;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority: up to the path, a blank, a quote or the end.
        let end = tail.find(|c: char| c == '/' || c == '"' || c == '\'' || c.is_whitespace()).unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                if let Some((user, _password)) = userinfo.split_once(':') {
                    out.push_str(user);
                    out.push_str(":***@");
                } else {
                    out.push_str(userinfo);
                    out.push('@');
                }
                out.push_str(host);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The same fields, all optional, to locate errors in a user's file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct UserView {
    venue_name: Option<String>,
    reply_to: Option<String>,
    sender: Option<String>,
    language: Option<Language>,
    venue_phone: Option<String>,
    venue_address: Option<String>,
    database_url: Option<String>,
    smtp_url: Option<String>,
    smtp_password_env: Option<String>,
    smtp_password_file: Option<PathBuf>,
    smtp_timeout_seconds: Option<u32>,
    verp: Option<bool>,
    bounce_domain: Option<String>,
    tracking_base_url: Option<String>,
    tracking_listen: Option<String>,
    bounce_maildir: Option<PathBuf>,
    bounce_max_bytes: Option<u64>,
    bounce_mailbox: Option<String>,
    bounce_mailbox_password_env: Option<String>,
    bounce_mailbox_password_file: Option<PathBuf>,
    bounce_processed_folder: Option<String>,
    mailbox_ca_file: Option<PathBuf>,
    reply_mailbox: Option<String>,
    reply_mailbox_password_env: Option<String>,
    reply_mailbox_password_file: Option<PathBuf>,
    reminder_hours: Option<u32>,
    thank_you_after_hours: Option<u32>,
    resend_cooldown_seconds: Option<u32>,
    max_party_size: Option<u32>,
    time_zone: Option<String>,
    venue: Option<String>,
    block_after: Option<u32>,
    open_retention_days: Option<u32>,
    open_dedup_seconds: Option<u32>,
    open_hits_kept: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    hook_ses_topics: Option<Vec<String>>,
    hook_ses_cert_url_prefixes: Option<Vec<String>>,
    hook_postmark_user: Option<String>,
    hook_postmark_password_env: Option<String>,
    hook_postmark_password_file: Option<PathBuf>,
    hook_mailgun_key_env: Option<String>,
    hook_mailgun_key_file: Option<PathBuf>,
    hook_sendgrid_public_key: Option<String>,
    ranges_dir: Option<PathBuf>,
    keys: Option<BTreeMap<String, String>>,
}

/// Where guestmail keeps its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The SQLite database, or a `postgres://` URL (see [`crate::store::Location`]).
    pub db: PathBuf,
    /// The config file, and whether the user named it (then it must exist).
    pub config: PathBuf,
    pub config_required: bool,
    /// The local Maildir outbox used when no SMTP server is configured.
    pub outbox: PathBuf,
    /// Where the log file goes (never the terminal the TUI owns).
    pub log_dir: PathBuf,
}

impl Paths {
    /// The database as it may be shown and logged: the file, or the URL without its password.
    pub fn db_shown(&self) -> String {
        crate::store::Location::from(&self.db).to_string()
    }

    /// Resolves the paths: explicit flags (or `GUESTMAIL_DB`, which clap reads into `db`)
    /// first, then the platform's data and config directories. The outbox and the log live
    /// beside the database.
    pub fn resolve(db: Option<PathBuf>, config: Option<PathBuf>) -> Self {
        let dirs = directories::ProjectDirs::from("org", "guestmail", "guestmail");
        let data_dir = dirs.as_ref().map_or_else(|| PathBuf::from(".guestmail"), |d| d.data_dir().to_owned());
        let config_required = config.is_some();
        let config = config.unwrap_or_else(|| {
            dirs.as_ref().map_or_else(|| PathBuf::from("guestmail.toml"), |d| d.config_dir().join("config.toml"))
        });
        let db = db.unwrap_or_else(|| data_dir.join("guestmail.db"));
        // A PostgreSQL store has no directory of its own: the outbox and log use the data dir.
        let beside = if crate::store::Location::from(&db).is_postgres() {
            data_dir.clone()
        } else {
            db.parent().map_or_else(|| PathBuf::from("."), Path::to_owned)
        };
        let beside = if beside.as_os_str().is_empty() { PathBuf::from(".") } else { beside };
        Paths { outbox: beside.join("outbox"), log_dir: beside.join("log"), db, config, config_required }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_without_a_file() {
        let c = Config::load(Path::new("/nonexistent/guestmail.toml"), false).expect("defaults");
        assert_eq!(c.block_after, 12);
        assert_eq!(c.bounce_max_bytes, 10_485_760);
        assert_eq!(c.reminder_hours, 24);
        assert_eq!(c.smtp_url, None);
        assert_eq!(c.tracking_listen, "127.0.0.1:8025");
        assert_eq!(c.policy(), Policy::default(), "the embedded defaults are the journey's");
        assert_eq!(c.clock(), Clock::Local);
    }

    #[test]
    fn a_named_file_must_exist() {
        let err = Config::load(Path::new("/nonexistent/guestmail.toml"), true).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/guestmail.toml"), "{err}");
        // As the command line prints it (the error and its cause): the cause once.
        let shown = format!("{:#}", anyhow::Error::from(err));
        assert_eq!(shown.matches("os error 2").count(), 1, "{shown}");
    }

    #[test]
    fn a_user_file_overrides_fields_and_keys() {
        let c = Config::parse(
            "venue_name = \"Chez Nous\"\nlanguage = \"fr\"\n[keys]\nresend = \"R\"\n",
            Path::new("c.toml"),
        )
        .expect("valid");
        assert_eq!(c.venue_name, "Chez Nous");
        assert_eq!(c.language, Language::Fr);
        assert_eq!(c.keys.get("resend").map(String::as_str), Some("R"));
        assert_eq!(c.block_after, 12, "untouched fields keep their default");
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_field() {
        let err =
            Config::parse("venue_name = \"X\"\nblock_aftr = 3\n", Path::new("/etc/gm.toml")).unwrap_err().to_string();
        assert!(err.contains("/etc/gm.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("block_aftr"), "{err}");
        let err = Config::parse("block_after = \"many\"\n", Path::new("gm.toml")).unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("block_after"), "{err}");
        let err = Config::parse("language = \"de\"\n", Path::new("gm.toml")).unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("de"), "{err}");
        let err = Config::parse("reply_to = \"not-an-address\"\n", Path::new("gm.toml")).unwrap_err().to_string();
        assert!(err.contains("reply_to"), "{err}");
        let err = Config::parse("time_zone = \"Europe/Bruxelles\"\n", Path::new("gm.toml")).unwrap_err().to_string();
        assert!(err.contains("time_zone") && err.contains("Europe/Bruxelles"), "{err}");
        let c = Config::parse("time_zone = \"Europe/Brussels\"\nthank_you_after_hours = 5\n", Path::new("gm.toml"))
            .expect("valid");
        assert_eq!(c.clock(), Clock::Zone(chrono_tz::Tz::Europe__Brussels));
        assert_eq!(c.policy().thank_you_after_hours, 5);
    }

    #[test]
    fn config_errors_never_echo_a_password() {
        let path = Path::new("gm.toml");
        for text in [
            "venue_name = \"X\"\nsmtp_url = \"smtp://user:hunter2@host\n",
            "smtp_url = \"smtps://user:hunter2@mail.example.org:465/\"\nblock_after = \"x\"\nsmtp_url2 = 1\n",
            "smtp_url = smtp://user:hunter2@host\n",
            "smtp_password = \"hunter2\"\n",
        ] {
            let err = Config::parse(text, path).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("gm.toml") && err.contains("line"), "still says where: {err}");
        }
        let err = Config::parse("venue_name = \"X\"\nsmtp_url = \"smtp://user:hunter2@host\n", path).unwrap_err();
        assert!(err.to_string().contains("smtp://user:***@host"), "{err}");
        assert_eq!(redact_secrets("smtp://mail.example.org:587"), "smtp://mail.example.org:587", "a port is no secret");
        assert_eq!(redact_secrets("smtp_password_file = \"/etc/pw\""), "smtp_password_file = \"/etc/pw\"");
    }

    #[test]
    fn hook_keys_are_checked_with_their_name() {
        let path = Path::new("gm.toml");
        let err = Config::parse("hook_sendgrid_public_key = \"AAAA\"\n", path).unwrap_err().to_string();
        assert!(err.contains("hook_sendgrid_public_key"), "{err}");
        let err =
            Config::parse("hook_ses_cert_url_prefixes = [\"http://evil.example/\"]\n", path).unwrap_err().to_string();
        assert!(err.contains("hook_ses_cert_url_prefixes") && err.contains("loopback"), "{err}");
        let err = Config::parse("hook_postmark_user = \"pm\"\n", path).unwrap_err().to_string();
        assert!(err.contains("hook_postmark_password_env"), "{err}");
        let c = Config::parse("hook_ses_topics = [\"arn:aws:sns:eu-west-1:1:t\"]\n", path).expect("valid");
        assert_eq!(c.hook_ses_topics.len(), 1);
        assert!(Config::default().hook_ses_topics.is_empty(), "off by default");
    }

    #[test]
    fn paths_follow_the_flags_and_sit_beside_the_database() {
        let p = Paths::resolve(Some(PathBuf::from("/tmp/x/g.db")), None);
        assert_eq!(p.db, PathBuf::from("/tmp/x/g.db"));
        assert_eq!(p.outbox, PathBuf::from("/tmp/x/outbox"));
        assert!(!p.config_required);
        let p = Paths::resolve(None, Some(PathBuf::from("c.toml")));
        assert!(p.config_required);
        assert!(p.db.ends_with("guestmail.db"));
    }
}
