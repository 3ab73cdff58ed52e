//! The tracking endpoint over real HTTP on loopback, in one test binary: the HTTP side
//! (odd requests, limits, keep-alive) and the opens it records.

#[path = "../support/mod.rs"]
mod support;

mod http;
mod opens;
