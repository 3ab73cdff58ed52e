//! Dutch texts of the history panes.

use super::HistoryStrings;

pub static NL: HistoryStrings = HistoryStrings {
    language: crate::domain::Language::Nl,
    history_title: "Geschiedenis",
    comm_title: "Communicatiegeschiedenis",
    followup_title: "Opvolging",
    address: "Adres",
    blocked: "geblokkeerd",
    not_blocked: "niet geblokkeerd",
    last_error: "Laatste fout",
    forgotten: "(persoonsgegevens gewist)",
    no_emails: "Nog geen e-mail naar deze gast verstuurd.",
    not_opened_yet: "Nog niet geopend",
    log_title: "Wat er met deze e-mail gebeurde",
    by_person: "door een persoon",
    by_machine: "door een machine",
    open: "geopend",
    bounce_report: "foutmelding",
    ip_erased: "client gewist",
    no_match: "Geen e-mail past bij de filter.",
    more: "meer hieronder…",
    followup_empty: "Niemand te bellen: elke bevestiging werd geopend of telefonisch bevestigd.",
    followup_advice: "Bel om te bevestigen, controleer het adres, vraag om in de spammap te kijken, stuur opnieuw.",
    health_none: "Aflevering (30 dagen): nog niets verstuurd",
    colon: ": ",
    opened_times: |n| if n == 1 { "Geopend (één keer)".to_owned() } else { format!("Geopend ({n} keer)") },
    opened_machine: |n, m| {
        let times = if n == 1 { "één keer".to_owned() } else { format!("{n} keer") };
        format!("Geopend {times}, {m} door een machine")
    },
    opened_via: |n, via| if n == 1 { format!("Geopend (via {via})") } else { format!("Geopend ({n} keer, via {via})") },
    machine_only: |m| format!("Nog niet geopend (alleen {m}× door een machine opgehaald)"),
    last_opened: |at| format!("Laatst geopend: {at}"),
    accepted_at: |at| format!("aanvaard door de server van de gast om {at}"),
    next_try: |at| format!("nieuwe poging {at}"),
    due: |at| format!("vertrekt op {at}"),
    replied: |n| if n == 1 { "Beantwoord".into() } else { format!("{n} keer beantwoord") },
    resend_of: |when, kind| match kind {
        Some(kind) => format!("herhaalt de e-mail van {when} ({kind})"),
        None => format!("herhaalt de e-mail van {when}"),
    },
    errors: |n| if n == 1 { "1 fout".to_owned() } else { format!("{n} fouten") },
    health: |d, o| format!("Aflevering (30 dagen): {d} afgeleverd · {o} geopend door een persoon"),
    below_target: |t| format!("onder het doel van {t}"),
    health_short: |d, o| format!("30 dagen: {d} afgeleverd · {o} geopend"),
    below_short: |d, t| format!("⚠ aflevering {d} < {t}"),
    decimal_comma: true,
};
