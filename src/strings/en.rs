//! English.

use super::{BadgeWords, FieldWords, MarkerColumns, Strings};
use crate::domain::{EmailKind, Language, MessageState};

pub static EN: Strings = Strings {
    language: Language::En,
    today: "today",
    loading: "Loading…",
    col_time: "Time",
    col_guest: "Guest",
    col_party: "Pers",
    col_status: "Status",
    col_phone: "Phone",
    col_markers: MarkerColumns { pending: "Pend", confirmed: "Conf", completed: "Done" },
    empty_day: "No reservations on this day.",
    no_match: "No reservation matches the filter.",
    filter_prompt: "Filter",
    too_small: "Terminal too small: make it at least 40×8",
    help_title: "Help",
    help_keys: "Keys",
    help_legend: "Email markers",
    help_markers_order: "Three markers per row: the pending, confirmed and completed emails.",
    help_close: "Esc or ? closes this help",
    filter_keys: "while filtering: type to narrow, Backspace, Enter keeps, Esc clears",
    ctrl_c: "quit",
    confirm_hint: "y yes · n/Esc no",
    load_failed: "Could not load the day",
    not_opened_yet: "Not opened yet",
    last_opened: "Last opened",
    help_phone: "confirmed by phone (v, from the follow-up list)",
    help_reply: "the guest replied (the history shows it)",
    help_more: "… more in a taller terminal",
    already_forgotten: "This guest's personal data is already erased",
    confirmed_by_phone: |name| format!("{name}: confirmed by phone"),
    already_by_phone: |name| format!("{name} was already confirmed by phone"),
    forget_question: |name, email| {
        format!(
            "Erase the personal data of {name} ({email})? Name, address, phone and the IPs of their opens \
             are removed for good; only anonymous counts stay."
        )
    },
    forgotten: |n| format!("Personal data erased; {n} email(s) anonymised"),
    form_new_title: "New reservation",
    form_email_title: "Guest's email address",
    form_labels: FieldWords {
        name: "Name",
        email: "Email",
        phone: "Phone",
        party: "Party",
        date: "Date",
        time: "Time",
        language: "Language",
    },
    form_examples: FieldWords {
        name: "Anna Peeters",
        email: "anna@example.org",
        phone: "+32 470 12 34 56",
        party: "2",
        date: "2026-11-23",
        time: "19:30",
        language: "en, fr or nl",
    },
    form_hint: "Tab / Shift-Tab: next / previous field    Enter: save    Esc: cancel",
    form_hint_one_field: "Enter: save    Esc: cancel",
    no_selection: "No reservation selected",
    tracking_off: "Tracking is off (opens are not recorded)",
    blocked_badge: "BLOCKED",
    help_badges: BadgeWords {
        errors: "error messages came back for this address (! shows the last)",
        blocked: "more than the allowed errors: nothing is sent until Del resets it",
    },
    no_errors: "No error recorded for this address",
    last_error_title: "Last error",
    last_error_close: "Esc closes    Del / D resets the counter",
    reset_question: |email, n| {
        format!("Reset the error counter of {email} ({n} errors)? Emails will be sent to it again.")
    },
    counter_reset: |to| format!("Error counter reset for {to}: the address is free again"),
    sending_off: "Sending is off",
    bounces_off: "Bounces are not taken in",
    replies_off: "Guests' replies are not read",
    command_failed: "Not saved",
    address_error: |e| e.to_string(),
    transition: |from, to| format!("A {from} reservation cannot become {to}"),
    cancel_question: |name, time| format!("Cancel the reservation of {name} at {time}?"),
    complete_question: |name, time| format!("Mark {name} ({time}) completed?"),
    no_show_question: |name, time| format!("Mark {name} ({time}) as a no-show?"),
    complete_early_question: |time| format!("The meal is at {time}. Mark it completed now?"),
    no_show_early_question: |time| format!("The reservation is at {time}. Mark it a no-show now?"),
    resend_to_new: |email| format!("Address changed to {email}. Resend the confirmation to it?"),
    status_changed: |name, status, queued| {
        if queued { format!("{name}: {status}, email queued") } else { format!("{name}: {status}") }
    },
    created: |name, day| format!("Reservation added for {name} on {day}"),
    blocked: |n| match n {
        Some(n) => format!("Not sent: address blocked after {n} errors"),
        None => "Not sent: address blocked".to_owned(),
    },
    email_changed: |email| format!("Email address changed to {email}"),
    mail_report: |kind, state, to, detail| {
        let what = match kind {
            EmailKind::Pending => "Request email",
            EmailKind::Confirmed => "Confirmation",
            EmailKind::Reminder => "Reminder",
            EmailKind::Cancelled => "Cancellation",
            EmailKind::Completed => "Thank-you email",
            EmailKind::Manual => "Email",
        };
        match state {
            MessageState::Sent => format!("{what} sent to {to}"),
            MessageState::Deferred => format!("{what} to {to} delayed, will retry: {detail}"),
            MessageState::Suppressed => format!("{what} to {to} not sent: address blocked"),
            MessageState::Uncertain => format!("{what} to {to} interrupted: check, then resend"),
            _ => format!("{what} to {to} refused: {detail}"),
        }
    },
    opened_times: |n| if n == 1 { "Opened (once)".to_owned() } else { format!("Opened ({n} times)") },
    counts: |r, c| {
        let rs = if r == 1 { "reservation" } else { "reservations" };
        let cs = if c == 1 { "cover" } else { "covers" };
        format!("{r} {rs} · {c} {cs}")
    },
    cancelled_count: |n| format!("{n} cancelled"),
    no_show_count: |n| if n == 1 { "1 no-show".to_owned() } else { format!("{n} no-shows") },
    matches: |shown, total| format!("{shown} of {total}"),
};
