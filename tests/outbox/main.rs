//! The outbox against a real SMTP server on loopback, in one test binary: what arrives,
//! resends, and what a restart finds after a crash.

#[path = "../support/mod.rs"]
mod support;

mod recovery;
mod resend;
mod smtp_delivery;
