//! The screen without a terminal, in one test binary: the App's state machine (keys ->
//! actions -> commands and outcomes), and every pane and popup drawn into a test backend
//! (insta snapshots in en, fr and nl under `snapshots/`).

#[path = "../support/mod.rs"]
mod support;

mod app_comm;
mod app_commands;
mod app_errors;
mod app_journey;
mod app_mailbox;
mod app_panes;
mod app_staff;
mod app_update;
mod history_snapshots;
mod opens_snapshots;
mod ui_bounce_snapshots;
mod ui_panes;
mod ui_replies;
mod ui_send_snapshots;
mod ui_snapshots;
