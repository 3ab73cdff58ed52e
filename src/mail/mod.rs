//! Email: composing from templates, the outbox worker, and the transports (SMTP, Maildir).

pub mod compose;
pub mod locale;
pub mod templates;
pub mod transport;
