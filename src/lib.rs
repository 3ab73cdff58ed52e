//! guestmail as a library, so the binary, the integration tests and the benchmarks share it.
//! The architecture map is the top comment of `src/main.rs`.

pub mod bounce;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod import;
pub mod mail;
pub mod store;
pub mod tracker;
