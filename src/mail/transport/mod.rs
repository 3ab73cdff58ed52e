//! Where composed emails go: an SMTP server (`smtp_url`), or, with none configured, the local
//! Maildir outbox beside the database so the demo works offline and the .eml files can be
//! opened.

mod maildir;
mod settings;
mod smtp;

use std::path::Path;

pub use maildir::{MaildirSender, remove_guest_emails};
pub use settings::{Security, SmtpSettings, TransportError, read_password_file};
pub use smtp::SmtpSender;

use super::compose::Composed;
use crate::failure::Stage;

/// Why an attempt did not deliver, as the outbox needs to tell: what the server said and
/// when, or that it said nothing. Whose fault that is, [`crate::failure::classify`] says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The server answered `code text` (4xx or 5xx) at `stage`; `text` begins with the
    /// enhanced status when the server gives one.
    #[error("refused at {stage:?}: {code} {text}")]
    Refused { stage: Stage, code: u16, text: String },
    /// No answer at `stage`: the connection failed, was lost, or a wait ran out.
    #[error("no answer at {stage:?}: {error}")]
    NoReply { stage: Stage, timed_out: bool, error: String },
    /// A local failure to try again later (the Maildir outbox: a full disk).
    #[error("temporary failure: {0}")]
    Transient(String),
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
