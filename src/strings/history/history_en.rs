//! English texts of the history panes.

use super::HistoryStrings;

pub static EN: HistoryStrings = HistoryStrings {
    language: crate::domain::Language::En,
    history_title: "History",
    comm_title: "Communication history",
    followup_title: "Follow-up",
    address: "Address",
    blocked: "blocked",
    not_blocked: "not blocked",
    last_error: "Last error",
    forgotten: "(personal data erased)",
    no_emails: "No email sent to this guest yet.",
    not_opened_yet: "Not opened yet",
    log_title: "What happened to this email",
    by_person: "by a person",
    by_machine: "by a machine",
    open: "opened",
    bounce_report: "bounce report",
    ip_erased: "client erased",
    no_match: "No email matches the filter.",
    more: "more below…",
    followup_empty: "Nobody to call: every confirmation was opened or confirmed by phone.",
    followup_advice: "Call to confirm, check the address, ask them to look in their spam folder, resend.",
    health_none: "Delivery (30 days): nothing sent yet",
    colon: ": ",
    opened_times: |n| if n == 1 { "Opened (once)".to_owned() } else { format!("Opened ({n} times)") },
    opened_machine: |n, m| {
        let times = if n == 1 { "once".to_owned() } else { format!("{n} times") };
        format!("Opened {times}, {m} by a machine")
    },
    opened_via: |n, via| {
        if n == 1 { format!("Opened (via {via})") } else { format!("Opened ({n} times, via {via})") }
    },
    machine_only: |m| format!("Not opened yet (fetched {m}× by a machine only)"),
    last_opened: |at| format!("Last opened: {at}"),
    accepted_at: |at| format!("accepted by the guest's server at {at}"),
    next_try: |at| format!("next try {at}"),
    due: |at| format!("due {at}"),
    replied: |n| if n == 1 { "Replied".into() } else { format!("Replied {n} times") },
    resend_of: |when, kind| match kind {
        Some(kind) => format!("resend of the email of {when} ({kind})"),
        None => format!("resend of the email of {when}"),
    },
    errors: |n| if n == 1 { "1 error".to_owned() } else { format!("{n} errors") },
    health: |d, o| format!("Delivery (30 days): {d} delivered · {o} opened by a person"),
    below_target: |t| format!("below the {t} target"),
    health_short: |d, o| format!("30 days: {d} delivered · {o} opened"),
    below_short: |d, t| format!("⚠ delivery {d} < {t}"),
    decimal_comma: false,
};
