//! Nederlands, for the venues in Flanders and Brussels that work in Dutch.

use super::{BadgeWords, FieldWords, MarkerColumns, Strings};
use crate::domain::{AddressError, EmailKind, Language, MessageState};

pub static NL: Strings = Strings {
    language: Language::Nl,
    today: "vandaag",
    loading: "Laden…",
    col_time: "Uur",
    col_guest: "Gast",
    col_party: "Pers",
    col_status: "Status",
    col_phone: "Telefoon",
    col_markers: MarkerColumns { pending: "Aanv", confirmed: "Bev", completed: "Na" },
    empty_day: "Geen reserveringen op deze dag.",
    no_match: "Geen reservering past bij de filter.",
    filter_prompt: "Filter",
    too_small: "Terminal te klein: minstens 40×8",
    help_title: "Hulp",
    help_keys: "Toetsen",
    help_legend: "Tekens van de e-mails",
    help_markers_order: "Drie tekens per rij: de e-mails van aanvraag, bevestiging en na de maaltijd.",
    help_close: "Esc of ? sluit deze hulp",
    filter_keys: "tijdens het filteren: typ om te verfijnen, Backspace, Enter houdt, Esc wist",
    ctrl_c: "afsluiten",
    confirm_hint: "y ja · n/Esc nee",
    load_failed: "Kon de dag niet laden",
    not_opened_yet: "Nog niet geopend",
    last_opened: "Laatst geopend",
    help_phone: "telefonisch bevestigd (v, vanuit de opvolgingslijst)",
    help_reply: "de gast antwoordde (zie de geschiedenis)",
    help_more: "… de rest in een hoger venster",
    already_forgotten: "De persoonsgegevens van deze gast zijn al gewist",
    confirmed_by_phone: |name| format!("{name}: telefonisch bevestigd"),
    already_by_phone: |name| format!("{name} was al telefonisch bevestigd"),
    forget_question: |name, email| {
        format!(
            "De persoonsgegevens van {name} ({email}) wissen? Naam, adres, telefoon en de IP's van de openingen \
             verdwijnen voorgoed; alleen anonieme tellingen blijven."
        )
    },
    forgotten: |n| format!("Persoonsgegevens gewist; {n} e-mail(s) geanonimiseerd"),
    form_new_title: "Nieuwe reservering",
    form_email_title: "E-mailadres van de gast",
    form_labels: FieldWords {
        name: "Naam",
        email: "E-mail",
        phone: "Telefoon",
        party: "Pers.",
        date: "Datum",
        time: "Uur",
        language: "Taal",
    },
    form_examples: FieldWords {
        name: "Anna Peeters",
        email: "anna@example.org",
        phone: "+32 470 12 34 56",
        party: "2",
        date: "23/11/2026",
        time: "19:30",
        language: "nl, fr of en",
    },
    form_hint: "Tab / Shift-Tab: volgend / vorig veld    Enter: bewaren    Esc: annuleren",
    form_hint_one_field: "Enter: bewaren    Esc: annuleren",
    no_selection: "Geen reservering geselecteerd",
    tracking_off: "Opvolging van openingen staat uit (openingen worden niet bijgehouden)",
    blocked_badge: "GEBLOKKEERD",
    help_badges: BadgeWords {
        errors: "er kwamen foutmeldingen terug voor dit adres (! toont de laatste)",
        blocked: "meer fouten dan toegestaan: er wordt niets verstuurd tot Del de teller op nul zet",
    },
    no_errors: "Geen fout bekend voor dit adres",
    last_error_title: "Laatste fout",
    last_error_close: "Esc sluit    Del / D zet de teller op nul",
    reset_question: |email, n| {
        format!("De foutenteller van {email} ({n} fouten) op nul zetten? Er worden weer e-mails naar verstuurd.")
    },
    counter_reset: |to| format!("Foutenteller op nul gezet voor {to}: het adres is weer vrij"),
    sending_off: "Versturen staat uit",
    bounces_off: "Teruggekomen e-mails worden niet verwerkt",
    replies_off: "Antwoorden van gasten worden niet gelezen",
    command_failed: "Niet bewaard",
    address_error: |e| match e {
        AddressError::Empty => "het e-mailadres is leeg".to_owned(),
        AddressError::NoAt(a) => format!("„{a}” heeft geen @"),
        AddressError::NoLocalPart(a) => format!("„{a}” heeft niets voor de @"),
        AddressError::BadDomain(a) => format!("„{a}” heeft geen domein met een punt na de @"),
        AddressError::BadCharacter(a) => format!("„{a}” bevat een spatie of een stuurteken"),
        AddressError::TooLong(a) => format!("„{a}” is langer dan 254 tekens"),
    },
    transition: |from, to| format!("Een reservering „{from}” kan niet „{to}” worden"),
    cancel_question: |name, time| format!("De reservering van {name} om {time} annuleren?"),
    complete_question: |name, time| format!("{name} ({time}) als afgerond markeren?"),
    no_show_question: |name, time| format!("{name} ({time}) als no-show markeren?"),
    complete_early_question: |time| format!("De maaltijd is om {time}. Nu al als afgerond markeren?"),
    no_show_early_question: |time| format!("De reservering is om {time}. Nu al als no-show markeren?"),
    resend_to_new: |email| format!("Adres gewijzigd in {email}. De bevestiging daarheen opnieuw sturen?"),
    status_changed: |name, status, queued| {
        if queued { format!("{name}: {status}, e-mail in de wachtrij") } else { format!("{name}: {status}") }
    },
    created: |name, day| format!("Reservering toegevoegd voor {name} op {day}"),
    blocked: |n| match n {
        Some(n) => format!("Niet verstuurd: adres geblokkeerd na {n} fouten"),
        None => "Niet verstuurd: adres geblokkeerd".to_owned(),
    },
    email_changed: |email| format!("E-mailadres gewijzigd in {email}"),
    mail_report: |kind, state, to, detail| {
        let what = match kind {
            EmailKind::Pending => "Aanvraagmail",
            EmailKind::Confirmed => "Bevestiging",
            EmailKind::Reminder => "Herinnering",
            EmailKind::Cancelled => "Annulering",
            EmailKind::Completed => "Bedankmail",
            EmailKind::Manual => "E-mail",
        };
        match state {
            MessageState::Sent => format!("{what} verstuurd naar {to}"),
            MessageState::Deferred => format!("{what} naar {to} vertraagd, nieuwe poging later: {detail}"),
            MessageState::Suppressed => format!("{what} naar {to} niet verstuurd: adres geblokkeerd"),
            MessageState::Uncertain => format!("{what} naar {to} onderbroken: nakijken, dan opnieuw sturen"),
            _ => format!("{what} naar {to} geweigerd: {detail}"),
        }
    },
    opened_times: |n| if n == 1 { "Geopend (één keer)".to_owned() } else { format!("Geopend ({n} keer)") },
    counts: |r, c| {
        let rs = if r == 1 { "reservering" } else { "reserveringen" };
        let cs = if c == 1 { "couvert" } else { "couverts" };
        format!("{r} {rs} · {c} {cs}")
    },
    cancelled_count: |n| format!("{n} afgezegd"),
    no_show_count: |n| if n == 1 { "1 no-show".to_owned() } else { format!("{n} no-shows") },
    matches: |shown, total| format!("{shown} van {total}"),
};
