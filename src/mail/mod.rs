//! Email: composing from templates, the outbox worker, and the transports (SMTP, Maildir).

pub mod compose;
pub mod liveness;
pub mod locale;
pub mod templates;
pub mod transport;
pub mod worker;

pub use worker::{FlushEvent, Report, Summary, Worker, WorkerError};
