//! What a mailbox watcher is given: the mailbox and its role, the password (read again from
//! its file before each login), the certificates to trust, and the waits between tries.

use std::path::PathBuf;
use std::time::Duration;

use crate::bounce::ingest::Limits;
use crate::bounce::mailbox_url::MailboxUrl;
use crate::config::Config;

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
    pub(super) fn wait(list: &[Duration], n: usize) -> Duration {
        list.get(n).or_else(|| list.last()).copied().unwrap_or(Duration::from_mins(1))
    }
}

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
    /// Where the password came from, when from a file: read again before each login, so a
    /// venue that fixes a refused password is heard without a restart.
    password_file: Option<PathBuf>,
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
    /// The password to log in with now: the file's current content when it came from a file
    /// (the value read at start if the file cannot be read now), else the value read at start.
    pub(super) fn current_password(&self) -> String {
        self.password_file
            .as_deref()
            .and_then(|path| crate::mail::transport::read_password_file(path).ok())
            .unwrap_or_else(|| self.password.clone())
    }

    /// When the password file was last changed, if there is one (the wait after a refused
    /// login ends early when it changes).
    pub(super) fn password_changed_at(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(self.password_file.as_deref()?).and_then(|m| m.modified()).ok()
    }

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
            crate::tls::roots(Some(ca)).map_err(|e| format!("mailbox_ca_file: {e}"))?;
        }
        Ok(Some(Self {
            role,
            url,
            password,
            password_file: if env.is_none() { file.map(std::path::Path::to_path_buf) } else { None },
            processed_folder: config.bounce_processed_folder.clone(),
            ca_file: config.mailbox_ca_file.clone(),
            limits: Limits::from(config),
            retry: Retry::default(),
        }))
    }
}
