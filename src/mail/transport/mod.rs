//! Where composed emails go: an SMTP server (`smtp_url`), or, with none configured, the local
//! Maildir outbox beside the database so the demo works offline and the .eml files can be
//! opened.

mod maildir;
mod settings;
mod smtp;

use std::path::Path;

pub use maildir::{MaildirSender, remove_guest_emails};
pub use settings::{Security, SmtpSettings, TransportError};
pub use smtp::SmtpSender;

use super::compose::Composed;

/// Why an attempt did not deliver, in the three kinds the outbox needs to tell apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: a 4xx reply, a refused or lost connection, a timeout, a TLS or login
    /// failure (the server or the settings, not the guest's address).
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The server refused this recipient or this message for good (5xx at RCPT or after the
    /// data): counts as an error on the address.
    #[error("refused: {}", [reply_code.as_deref(), status.as_deref(), Some(text.as_str())].into_iter().flatten().collect::<Vec<_>>().join(" "))]
    Permanent { reply_code: Option<String>, status: Option<String>, text: String },
    /// The message cannot be sent as built (e.g. a non-ASCII address to a server without
    /// SMTPUTF8): failed, without blaming the address.
    #[error("cannot be sent: {0}")]
    Invalid(String),
}

/// The transport of one worker. Cloning an SMTP transport shares its connection pool.
#[derive(Debug, Clone)]
pub enum Transport {
    Smtp(SmtpSender),
    Maildir(MaildirSender),
}

impl Transport {
    /// The transport the config asks for: SMTP when `smtp_url` is set, else the Maildir
    /// outbox at `outbox`.
    pub fn from_config(config: &crate::config::Config, outbox: &Path) -> Result<Self, TransportError> {
        match &config.smtp_url {
            Some(url) => Ok(Self::Smtp(SmtpSender::new(SmtpSettings::from_config(url, config)?))),
            None => Ok(Self::Maildir(MaildirSender::new(outbox))),
        }
    }

    /// Sends one email; on success, the server's reply (or where the file went).
    pub fn send(&self, email: &Composed) -> Result<String, SendError> {
        match self {
            Self::Smtp(s) => s.send(&email.envelope, &email.bytes),
            Self::Maildir(m) => m.deliver(email),
        }
    }

    /// Closes idle connections politely (QUIT).
    pub fn close(&self) {
        if let Self::Smtp(s) = self {
            s.close_idle();
        }
    }

    /// A short description for logs and the `send` summary (never the password).
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp(s) => s.describe(),
            Self::Maildir(m) => format!("Maildir {}", m.root().display()),
        }
    }
}
