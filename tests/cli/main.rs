//! The real binary's commands, in one test binary: set-up and help, the journey's
//! scriptable side (JSON, exit codes), CSV import, and `status`.

#[path = "../support/mod.rs"]
mod support;

mod basics;
mod import;
mod journey;
mod postgres;
mod status;
mod venues;
