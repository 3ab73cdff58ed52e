//! guestmail as a library, so the binary, the integration tests and the benchmarks share it.
//! The architecture map is the top comment of `src/main.rs`.

pub mod action;
pub mod app;
pub mod bounce;
pub mod cli;
pub mod clock;
pub mod config;
pub mod data;
pub mod demo;
pub mod diagnostic_words;
pub mod domain;
pub mod event;
pub mod failure;
pub mod import;
pub mod journey;
pub mod keymap;
pub mod locale;
pub mod lockfile;
pub mod mail;
pub mod panes;
pub mod provider_id;
pub mod replies;
pub mod store;
pub mod strings;
pub mod theme;
pub mod tls;
pub mod tracker;
pub mod tui;
pub mod ui;
pub mod venue;
