//! Texts named by an enum: one `match` on (language, variant) per text, so a new variant or
//! a language without its words is a compile error, and reordering a list never changes what
//! the screen says. English, French and Dutch.
//!
//! One arm per (language, variant) even where two languages share a word: the match reads as
//! the table of translations it is.
#![allow(clippy::match_same_arms)]

use crate::action::Action;
use crate::domain::{EmailKind, EventKind, Language, Marker, MessageState, ReservationStatus};
use crate::store::FollowUpReason;

/// What a form field (or a typed date) expects; the address and the journey's refusals have
/// their own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    Required,
    Phone,
    Party,
    Date,
    Time,
    Language,
}

/// The words of the key-hint lines (the list's and the panes').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    Move,
    Day,
    Today,
    Filter,
    Status,
    Resend,
    FollowUp,
    History,
    New,
    AllEmails,
    Email,
    LastError,
    Reset,
    Help,
    Quit,
    Close,
    Search,
    Kind,
    State,
    Dates,
    Erase,
    FixAddress,
    ByPhone,
    /// While typing the list's filter: Enter keeps it.
    KeepFilter,
    /// While typing the list's filter: Esc clears it.
    ClearFilter,
    /// While typing a date of the communication history's filter: Esc drops what was typed.
    CancelTyping,
}

/// The column heads of the panes (guest history, communication history, follow-up list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// When the email left (or was queued, when it has not left yet), in a guest's history.
    Sent,
    /// When, in the communication history.
    When,
    Guest,
    Address,
    Kind,
    Reservation,
    State,
    Opens,
    /// The reservation's time, in the follow-up list.
    Time,
    Party,
    Status,
    Phone,
    /// Why the follow-up list says to call.
    WhyCall,
}

/// A column head of a pane.
pub fn column(lang: Language, c: Column) -> &'static str {
    match (lang, c) {
        (Language::En, Column::Sent) => "Sent",
        (Language::En, Column::When) => "When",
        (Language::En, Column::Guest) => "Guest",
        (Language::En, Column::Address) => "Address",
        (Language::En, Column::Kind) => "Kind",
        (Language::En, Column::Reservation) => "Reservation",
        (Language::En, Column::State) => "State",
        (Language::En, Column::Opens) => "Opens",
        (Language::En, Column::Time) => "Time",
        (Language::En, Column::Party) => "Pers",
        (Language::En, Column::Status) => "Status",
        (Language::En, Column::Phone) => "Phone",
        (Language::En, Column::WhyCall) => "Why call",
        (Language::Fr, Column::Sent) => "Envoi",
        (Language::Fr, Column::When) => "Quand",
        (Language::Fr, Column::Guest) => "Client",
        (Language::Fr, Column::Address) => "Adresse",
        (Language::Fr, Column::Kind) => "Type",
        (Language::Fr, Column::Reservation) => "Réservation",
        (Language::Fr, Column::State) => "État",
        (Language::Fr, Column::Opens) => "Ouvertures",
        (Language::Fr, Column::Time) => "Heure",
        (Language::Fr, Column::Party) => "Pers",
        (Language::Fr, Column::Status) => "Statut",
        (Language::Fr, Column::Phone) => "Téléphone",
        (Language::Fr, Column::WhyCall) => "Pourquoi appeler",
        (Language::Nl, Column::Sent) => "Verstuurd",
        (Language::Nl, Column::When) => "Wanneer",
        (Language::Nl, Column::Guest) => "Gast",
        (Language::Nl, Column::Address) => "Adres",
        (Language::Nl, Column::Kind) => "Soort",
        (Language::Nl, Column::Reservation) => "Reservering",
        (Language::Nl, Column::State) => "Toestand",
        (Language::Nl, Column::Opens) => "Openingen",
        (Language::Nl, Column::Time) => "Uur",
        (Language::Nl, Column::Party) => "Pers",
        (Language::Nl, Column::Status) => "Status",
        (Language::Nl, Column::Phone) => "Telefoon",
        (Language::Nl, Column::WhyCall) => "Waarom bellen",
    }
}

/// The labels of the communication history's filter line (`All`: no filter on that field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterLabel {
    Kind,
    State,
    From,
    To,
    Search,
    All,
}

/// A label of the communication history's filter line.
pub fn filter_label(lang: Language, f: FilterLabel) -> &'static str {
    match (lang, f) {
        (Language::En, FilterLabel::Kind) => "Kind",
        (Language::En, FilterLabel::State) => "State",
        (Language::En, FilterLabel::From) => "From",
        (Language::En, FilterLabel::To) => "To",
        (Language::En, FilterLabel::Search) => "Search",
        (Language::En, FilterLabel::All) => "all",
        (Language::Fr, FilterLabel::Kind) => "Type",
        (Language::Fr, FilterLabel::State) => "État",
        (Language::Fr, FilterLabel::From) => "Du",
        (Language::Fr, FilterLabel::To) => "Au",
        (Language::Fr, FilterLabel::Search) => "Recherche",
        (Language::Fr, FilterLabel::All) => "tous",
        (Language::Nl, FilterLabel::Kind) => "Soort",
        (Language::Nl, FilterLabel::State) => "Toestand",
        (Language::Nl, FilterLabel::From) => "Van",
        (Language::Nl, FilterLabel::To) => "Tot",
        (Language::Nl, FilterLabel::Search) => "Zoeken",
        (Language::Nl, FilterLabel::All) => "alle",
    }
}

/// The labels of the last-error popup's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorLabel {
    Address,
    Errors,
    Received,
    Code,
    ServerSaid,
    Meaning,
    NextStep,
}

impl ErrorLabel {
    /// In the order the popup shows them.
    pub const ALL: [ErrorLabel; 7] = [
        ErrorLabel::Address,
        ErrorLabel::Errors,
        ErrorLabel::Received,
        ErrorLabel::Code,
        ErrorLabel::ServerSaid,
        ErrorLabel::Meaning,
        ErrorLabel::NextStep,
    ];
}

/// A label of the last-error popup.
pub fn error_label(lang: Language, l: ErrorLabel) -> &'static str {
    match (lang, l) {
        (Language::En, ErrorLabel::Address) => "Address",
        (Language::En, ErrorLabel::Errors) => "Errors",
        (Language::En, ErrorLabel::Received) => "Received",
        (Language::En, ErrorLabel::Code) => "Code",
        (Language::En, ErrorLabel::ServerSaid) => "Server said",
        (Language::En, ErrorLabel::Meaning) => "Meaning",
        (Language::En, ErrorLabel::NextStep) => "Next step",
        (Language::Fr, ErrorLabel::Address) => "Adresse",
        (Language::Fr, ErrorLabel::Errors) => "Erreurs",
        (Language::Fr, ErrorLabel::Received) => "Reçue le",
        (Language::Fr, ErrorLabel::Code) => "Code",
        (Language::Fr, ErrorLabel::ServerSaid) => "Le serveur dit",
        (Language::Fr, ErrorLabel::Meaning) => "Ce que ça veut dire",
        (Language::Fr, ErrorLabel::NextStep) => "Que faire",
        (Language::Nl, ErrorLabel::Address) => "Adres",
        (Language::Nl, ErrorLabel::Errors) => "Fouten",
        (Language::Nl, ErrorLabel::Received) => "Ontvangen",
        (Language::Nl, ErrorLabel::Code) => "Code",
        (Language::Nl, ErrorLabel::ServerSaid) => "De server zei",
        (Language::Nl, ErrorLabel::Meaning) => "Wat het betekent",
        (Language::Nl, ErrorLabel::NextStep) => "Wat nu",
    }
}

/// The keys whose label differs between keyboards of different languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyName {
    Enter,
    Esc,
    Delete,
    Backspace,
    Space,
    Tab,
}

impl KeyName {
    /// The key of an English label (as [`crate::keymap::Key`] prints it), if it is named.
    pub fn of_label(label: &str) -> Option<KeyName> {
        match label {
            "Enter" => Some(KeyName::Enter),
            "Esc" => Some(KeyName::Esc),
            "Del" => Some(KeyName::Delete),
            "Backspace" => Some(KeyName::Backspace),
            "Space" => Some(KeyName::Space),
            "Tab" => Some(KeyName::Tab),
            _ => None,
        }
    }
}

/// A keymap label (`↑/k`, `Enter`, `Ctrl-c`) with its named keys in the language's words.
pub fn key_label(lang: Language, label: &str) -> String {
    label
        .split('/')
        .map(|part| {
            let (prefix, name) = part.rsplit_once('-').map_or(("", part), |(p, n)| (p, n));
            match KeyName::of_label(name) {
                Some(k) if prefix.is_empty() => key(lang, k).to_owned(),
                Some(k) => format!("{prefix}-{}", key(lang, k)),
                None => part.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What a bindable action does, for the help ("" for the others, which keys never show).
#[allow(clippy::too_many_lines)]
pub fn action(lang: Language, a: &Action) -> &'static str {
    match (lang, a) {
        (Language::En, Action::SelectPrevious) => "previous reservation",
        (Language::En, Action::SelectNext) => "next reservation",
        (Language::En, Action::PageUp) => "page up",
        (Language::En, Action::PageDown) => "page down",
        (Language::En, Action::SelectFirst) => "first reservation",
        (Language::En, Action::SelectLast) => "last reservation",
        (Language::En, Action::PreviousDay) => "previous day",
        (Language::En, Action::NextDay) => "next day",
        (Language::En, Action::Today) => "back to today",
        (Language::En, Action::StartFilter) => "filter by name, email or phone",
        (Language::En, Action::Confirm) => "confirm the reservation",
        (Language::En, Action::Complete) => "mark the meal completed (asks)",
        (Language::En, Action::CancelReservation) => "cancel the reservation (asks first)",
        (Language::En, Action::NoShow) => "mark a no-show (asks)",
        (Language::En, Action::NewReservation) => "add a reservation",
        (Language::En, Action::Resend) => "resend the confirmation",
        (Language::En, Action::EditEmail) => "correct the guest's email address",
        (Language::En, Action::ShowLastError) => "the last error of the guest's address",
        (Language::En, Action::ResetCounter) => "reset the address's error counter (asks)",
        (Language::En, Action::OpenHistory) => "the guest's history: emails, logs, opens",
        (Language::En, Action::CommHistory) => "all emails sent (communication history)",
        (Language::En, Action::FollowUp) => "follow-up: guests to call before service",
        (Language::En, Action::ConfirmByPhone) => "mark the reservation confirmed by phone",
        (Language::En, Action::ForgetGuest) => "history: erase the guest's data (asks)",
        (Language::En, Action::FilterKind) => "all emails: filter on the next kind",
        (Language::En, Action::FilterState) => "all emails: filter on the next state",
        (Language::En, Action::FilterFrom) => "all emails: from this day (type, Enter)",
        (Language::En, Action::FilterTo) => "all emails: to this day (type, Enter)",
        (Language::En, Action::ToggleHelp) => "this help",
        (Language::En, Action::Quit) => "quit",
        (Language::Fr, Action::SelectPrevious) => "réservation précédente",
        (Language::Fr, Action::SelectNext) => "réservation suivante",
        (Language::Fr, Action::PageUp) => "page précédente",
        (Language::Fr, Action::PageDown) => "page suivante",
        (Language::Fr, Action::SelectFirst) => "première réservation",
        (Language::Fr, Action::SelectLast) => "dernière réservation",
        (Language::Fr, Action::PreviousDay) => "jour précédent",
        (Language::Fr, Action::NextDay) => "jour suivant",
        (Language::Fr, Action::Today) => "retour à aujourd'hui",
        (Language::Fr, Action::StartFilter) => "filtrer par nom, e-mail ou téléphone",
        (Language::Fr, Action::Confirm) => "confirmer la réservation",
        (Language::Fr, Action::Complete) => "marquer le repas terminé (demande)",
        (Language::Fr, Action::CancelReservation) => "annuler la réservation (demande d'abord)",
        (Language::Fr, Action::NoShow) => "marquer le client absent (demande)",
        (Language::Fr, Action::NewReservation) => "ajouter une réservation",
        (Language::Fr, Action::Resend) => "renvoyer la confirmation",
        (Language::Fr, Action::EditEmail) => "corriger l'adresse e-mail du client",
        (Language::Fr, Action::ShowLastError) => "dernière erreur de l'adresse",
        (Language::Fr, Action::ResetCounter) => "remettre le compteur à zéro (demande)",
        (Language::Fr, Action::OpenHistory) => "l'historique du client et ses e-mails",
        (Language::Fr, Action::CommHistory) => "historique de communication",
        (Language::Fr, Action::FollowUp) => "suivi : qui appeler avant le service",
        (Language::Fr, Action::ConfirmByPhone) => "marquer confirmée par téléphone",
        (Language::Fr, Action::ForgetGuest) => "historique : effacer ses données",
        (Language::Fr, Action::FilterKind) => "e-mails : type suivant",
        (Language::Fr, Action::FilterState) => "e-mails : état suivant",
        (Language::Fr, Action::FilterFrom) => "e-mails : depuis le (date, Entrée)",
        (Language::Fr, Action::FilterTo) => "e-mails : jusqu'au (date, Entrée)",
        (Language::Fr, Action::ToggleHelp) => "cette aide",
        (Language::Fr, Action::Quit) => "quitter",
        (Language::Nl, Action::SelectPrevious) => "vorige reservering",
        (Language::Nl, Action::SelectNext) => "volgende reservering",
        (Language::Nl, Action::PageUp) => "pagina omhoog",
        (Language::Nl, Action::PageDown) => "pagina omlaag",
        (Language::Nl, Action::SelectFirst) => "eerste reservering",
        (Language::Nl, Action::SelectLast) => "laatste reservering",
        (Language::Nl, Action::PreviousDay) => "vorige dag",
        (Language::Nl, Action::NextDay) => "volgende dag",
        (Language::Nl, Action::Today) => "terug naar vandaag",
        (Language::Nl, Action::StartFilter) => "filteren op naam, e-mail of telefoon",
        (Language::Nl, Action::Confirm) => "de reservering bevestigen",
        (Language::Nl, Action::Complete) => "de maaltijd afronden (vraagt eerst)",
        (Language::Nl, Action::CancelReservation) => "de reservering annuleren (vraagt eerst)",
        (Language::Nl, Action::NoShow) => "no-show markeren (vraagt eerst)",
        (Language::Nl, Action::NewReservation) => "een reservering toevoegen",
        (Language::Nl, Action::Resend) => "de bevestiging opnieuw sturen",
        (Language::Nl, Action::EditEmail) => "e-mailadres van de gast verbeteren",
        (Language::Nl, Action::ShowLastError) => "laatste fout van het adres",
        (Language::Nl, Action::ResetCounter) => "foutenteller op nul (vraagt eerst)",
        (Language::Nl, Action::OpenHistory) => "geschiedenis van de gast en e-mails",
        (Language::Nl, Action::CommHistory) => "communicatiegeschiedenis",
        (Language::Nl, Action::FollowUp) => "opvolging: wie bellen voor service",
        (Language::Nl, Action::ConfirmByPhone) => "telefonisch bevestigd markeren",
        (Language::Nl, Action::ForgetGuest) => "geschiedenis: gegevens wissen",
        (Language::Nl, Action::FilterKind) => "e-mails: volgende soort",
        (Language::Nl, Action::FilterState) => "e-mails: volgende toestand",
        (Language::Nl, Action::FilterFrom) => "e-mails: vanaf dag (datum, Enter)",
        (Language::Nl, Action::FilterTo) => "e-mails: tot dag (datum, Enter)",
        (Language::Nl, Action::ToggleHelp) => "deze hulp",
        (Language::Nl, Action::Quit) => "afsluiten",
        (
            _,
            Action::FilterInput(_)
            | Action::FilterBackspace
            | Action::FilterAccept
            | Action::Cancel
            | Action::ConfirmYes
            | Action::ConfirmNo
            | Action::Resize(..)
            | Action::DayLoaded(..)
            | Action::LoadFailed(_)
            | Action::Tick(_)
            | Action::FormInput(_)
            | Action::FormBackspace
            | Action::FormNext
            | Action::FormPrevious
            | Action::FormSubmit
            | Action::FormCancel
            | Action::Click(..)
            | Action::Scroll(_)
            | Action::Run(_)
            | Action::Done(_)
            | Action::Mail(_)
            | Action::ServiceOff(..)
            | Action::TrackingElsewhere
            | Action::Background(_)
            | Action::Mailbox(..),
        ) => "",
    }
}

/// A reservation's status, as the list and the prompts write it.
#[allow(clippy::too_many_lines)]
pub fn status(lang: Language, s: ReservationStatus) -> &'static str {
    match (lang, s) {
        (Language::En, ReservationStatus::Pending) => "pending",
        (Language::En, ReservationStatus::Confirmed) => "confirmed",
        (Language::En, ReservationStatus::Completed) => "completed",
        (Language::En, ReservationStatus::Cancelled) => "cancelled",
        (Language::En, ReservationStatus::NoShow) => "no-show",
        (Language::Fr, ReservationStatus::Pending) => "en attente",
        (Language::Fr, ReservationStatus::Confirmed) => "confirmée",
        (Language::Fr, ReservationStatus::Completed) => "terminée",
        (Language::Fr, ReservationStatus::Cancelled) => "annulée",
        (Language::Fr, ReservationStatus::NoShow) => "absent",
        (Language::Nl, ReservationStatus::Pending) => "aanvraag",
        (Language::Nl, ReservationStatus::Confirmed) => "bevestigd",
        (Language::Nl, ReservationStatus::Completed) => "afgerond",
        (Language::Nl, ReservationStatus::Cancelled) => "afgezegd",
        (Language::Nl, ReservationStatus::NoShow) => "no-show",
    }
}

/// What a marker means, for the help's legend.
#[allow(clippy::too_many_lines)]
pub fn marker(lang: Language, m: Marker) -> &'static str {
    match (lang, m) {
        (Language::En, Marker::Opened) => "opened",
        (Language::En, Marker::MachineOpened) => "magenta: a machine's fetch, not a reader",
        (Language::En, Marker::Sent) => "sent, not opened yet",
        (Language::En, Marker::Queued) => "queued or being sent",
        (Language::En, Marker::Failed) => "bounced or failed",
        (Language::En, Marker::Uncertain) => "uncertain: check, then resend",
        (Language::En, Marker::None) => "not sent yet",
        (Language::Fr, Marker::Opened) => "Ouvert",
        (Language::Fr, Marker::MachineOpened) => "magenta : une machine, pas un lecteur",
        (Language::Fr, Marker::Sent) => "Pas encore ouvert",
        (Language::Fr, Marker::Queued) => "en file ou en cours d'envoi",
        (Language::Fr, Marker::Failed) => "rejeté ou en échec",
        (Language::Fr, Marker::Uncertain) => "incertain : vérifier puis renvoyer",
        (Language::Fr, Marker::None) => "pas encore envoyé",
        (Language::Nl, Marker::Opened) => "geopend",
        (Language::Nl, Marker::MachineOpened) => "magenta: een machine, geen lezer",
        (Language::Nl, Marker::Sent) => "verstuurd, nog niet geopend",
        (Language::Nl, Marker::Queued) => "in de wachtrij of wordt verstuurd",
        (Language::Nl, Marker::Failed) => "teruggekomen of mislukt",
        (Language::Nl, Marker::Uncertain) => "onzeker: nakijken, dan opnieuw sturen",
        (Language::Nl, Marker::None) => "nog niet verstuurd",
    }
}

/// A marker in one word, for the footer's short legend.
#[allow(clippy::too_many_lines)]
pub fn legend(lang: Language, m: Marker) -> &'static str {
    match (lang, m) {
        (Language::En, Marker::Opened) => "opened",
        (Language::En, Marker::MachineOpened) => "machine",
        (Language::En, Marker::Sent) => "sent",
        (Language::En, Marker::Queued) => "queued",
        (Language::En, Marker::Failed) => "failed",
        (Language::En, Marker::Uncertain) => "uncertain",
        (Language::En, Marker::None) => "not sent",
        (Language::Fr, Marker::Opened) => "ouvert",
        (Language::Fr, Marker::MachineOpened) => "machine",
        (Language::Fr, Marker::Sent) => "envoyé",
        (Language::Fr, Marker::Queued) => "en file",
        (Language::Fr, Marker::Failed) => "échec",
        (Language::Fr, Marker::Uncertain) => "incertain",
        (Language::Fr, Marker::None) => "pas envoyé",
        (Language::Nl, Marker::Opened) => "geopend",
        (Language::Nl, Marker::MachineOpened) => "machine",
        (Language::Nl, Marker::Sent) => "verstuurd",
        (Language::Nl, Marker::Queued) => "wachtrij",
        (Language::Nl, Marker::Failed) => "mislukt",
        (Language::Nl, Marker::Uncertain) => "onzeker",
        (Language::Nl, Marker::None) => "niet verstuurd",
    }
}

/// An email's kind, for the history panes.
#[allow(clippy::too_many_lines)]
pub fn email_kind(lang: Language, k: EmailKind) -> &'static str {
    match (lang, k) {
        (Language::En, EmailKind::Pending) => "pending",
        (Language::En, EmailKind::Confirmed) => "confirmation",
        (Language::En, EmailKind::Reminder) => "reminder",
        (Language::En, EmailKind::Cancelled) => "cancellation",
        (Language::En, EmailKind::Completed) => "after the meal",
        (Language::En, EmailKind::Manual) => "manual",
        (Language::Fr, EmailKind::Pending) => "attente",
        (Language::Fr, EmailKind::Confirmed) => "confirmation",
        (Language::Fr, EmailKind::Reminder) => "rappel",
        (Language::Fr, EmailKind::Cancelled) => "annulation",
        (Language::Fr, EmailKind::Completed) => "après le repas",
        (Language::Fr, EmailKind::Manual) => "manuel",
        (Language::Nl, EmailKind::Pending) => "aanvraag",
        (Language::Nl, EmailKind::Confirmed) => "bevestiging",
        (Language::Nl, EmailKind::Reminder) => "herinnering",
        (Language::Nl, EmailKind::Cancelled) => "annulering",
        (Language::Nl, EmailKind::Completed) => "na de maaltijd",
        (Language::Nl, EmailKind::Manual) => "handmatig",
    }
}

/// An email's state, for the history panes.
#[allow(clippy::too_many_lines)]
pub fn message_state(lang: Language, s: MessageState) -> &'static str {
    match (lang, s) {
        (Language::En, MessageState::Queued) => "queued",
        (Language::En, MessageState::Sending) => "sending",
        (Language::En, MessageState::Sent) => "sent",
        (Language::En, MessageState::Deferred) => "deferred",
        (Language::En, MessageState::Failed) => "failed",
        (Language::En, MessageState::Bounced) => "bounced",
        (Language::En, MessageState::Suppressed) => "not sent (blocked)",
        (Language::En, MessageState::Uncertain) => "uncertain",
        (Language::En, MessageState::Withdrawn) => "withdrawn",
        (Language::Fr, MessageState::Queued) => "en file",
        (Language::Fr, MessageState::Sending) => "en cours d'envoi",
        (Language::Fr, MessageState::Sent) => "envoyé",
        (Language::Fr, MessageState::Deferred) => "différé",
        (Language::Fr, MessageState::Failed) => "échec",
        (Language::Fr, MessageState::Bounced) => "rejeté",
        (Language::Fr, MessageState::Suppressed) => "non envoyé (bloquée)",
        (Language::Fr, MessageState::Uncertain) => "incertain",
        (Language::Fr, MessageState::Withdrawn) => "retiré",
        (Language::Nl, MessageState::Queued) => "in de wachtrij",
        (Language::Nl, MessageState::Sending) => "wordt verstuurd",
        (Language::Nl, MessageState::Sent) => "verstuurd",
        (Language::Nl, MessageState::Deferred) => "uitgesteld",
        (Language::Nl, MessageState::Failed) => "mislukt",
        (Language::Nl, MessageState::Bounced) => "teruggekomen",
        (Language::Nl, MessageState::Suppressed) => "niet verstuurd (geblokkeerd)",
        (Language::Nl, MessageState::Uncertain) => "onzeker",
        (Language::Nl, MessageState::Withdrawn) => "ingetrokken",
    }
}

/// One line of an email's log.
#[allow(clippy::too_many_lines)]
pub fn event(lang: Language, e: EventKind) -> &'static str {
    match (lang, e) {
        (Language::En, EventKind::Queued) => "queued",
        (Language::En, EventKind::Sent) => "sent",
        (Language::En, EventKind::Deferred) => "deferred",
        (Language::En, EventKind::Failed) => "failed",
        (Language::En, EventKind::Bounced) => "bounced",
        (Language::En, EventKind::Opened) => "opened",
        (Language::En, EventKind::Complaint) => "complaint",
        (Language::En, EventKind::CounterReset) => "error counter reset",
        (Language::En, EventKind::Resend) => "resend",
        (Language::En, EventKind::Suppressed) => "suppressed (address blocked)",
        (Language::En, EventKind::Uncertain) => "uncertain",
        (Language::En, EventKind::StatusChanged) => "status changed",
        (Language::En, EventKind::ConfirmedByPhone) => "confirmed by phone",
        (Language::En, EventKind::AddressChanged) => "address changed",
        (Language::En, EventKind::Forgotten) => "personal data erased",
        (Language::En, EventKind::Withdrawn) => "withdrawn",
        (Language::En, EventKind::Delivered) => "accepted by the guest's server",
        (Language::Fr, EventKind::Queued) => "mis en file",
        (Language::Fr, EventKind::Sent) => "envoyé",
        (Language::Fr, EventKind::Deferred) => "différé",
        (Language::Fr, EventKind::Failed) => "échec",
        (Language::Fr, EventKind::Bounced) => "rejeté",
        (Language::Fr, EventKind::Opened) => "ouvert",
        (Language::Fr, EventKind::Complaint) => "plainte",
        (Language::Fr, EventKind::CounterReset) => "compteur d'erreurs remis à zéro",
        (Language::Fr, EventKind::Resend) => "renvoi",
        (Language::Fr, EventKind::Suppressed) => "non envoyé (adresse bloquée)",
        (Language::Fr, EventKind::Uncertain) => "incertain",
        (Language::Fr, EventKind::StatusChanged) => "statut modifié",
        (Language::Fr, EventKind::ConfirmedByPhone) => "confirmé par téléphone",
        (Language::Fr, EventKind::AddressChanged) => "adresse modifiée",
        (Language::Fr, EventKind::Forgotten) => "données personnelles effacées",
        (Language::Fr, EventKind::Withdrawn) => "retiré",
        (Language::Fr, EventKind::Delivered) => "accepté par le serveur du client",
        (Language::Nl, EventKind::Queued) => "in de wachtrij gezet",
        (Language::Nl, EventKind::Sent) => "verstuurd",
        (Language::Nl, EventKind::Deferred) => "uitgesteld",
        (Language::Nl, EventKind::Failed) => "mislukt",
        (Language::Nl, EventKind::Bounced) => "teruggekomen",
        (Language::Nl, EventKind::Opened) => "geopend",
        (Language::Nl, EventKind::Complaint) => "klacht",
        (Language::Nl, EventKind::CounterReset) => "foutenteller op nul gezet",
        (Language::Nl, EventKind::Resend) => "opnieuw verstuurd",
        (Language::Nl, EventKind::Suppressed) => "niet verstuurd (adres geblokkeerd)",
        (Language::Nl, EventKind::Uncertain) => "onzeker",
        (Language::Nl, EventKind::StatusChanged) => "status gewijzigd",
        (Language::Nl, EventKind::ConfirmedByPhone) => "telefonisch bevestigd",
        (Language::Nl, EventKind::AddressChanged) => "adres gewijzigd",
        (Language::Nl, EventKind::Forgotten) => "persoonsgegevens gewist",
        (Language::Nl, EventKind::Withdrawn) => "ingetrokken",
        (Language::Nl, EventKind::Delivered) => "aanvaard door de server van de gast",
    }
}

/// What a form field (or a typed date) expects, when what was typed does not fit.
#[allow(clippy::too_many_lines)]
pub fn field_problem(lang: Language, p: FieldProblem) -> &'static str {
    match (lang, p) {
        (Language::En, FieldProblem::Required) => "required",
        (Language::En, FieldProblem::Phone) => "digits, spaces and + - . ( ) only, at least 6 digits",
        (Language::En, FieldProblem::Party) => "a number from 1 to 99",
        (Language::En, FieldProblem::Date) => "a date like 2026-11-23 or 23/11/2026",
        (Language::En, FieldProblem::Time) => "a time like 19:30",
        (Language::En, FieldProblem::Language) => "en, fr or nl",
        (Language::Fr, FieldProblem::Required) => "obligatoire",
        (Language::Fr, FieldProblem::Phone) => "chiffres, espaces et + - . ( ) seulement, au moins 6 chiffres",
        (Language::Fr, FieldProblem::Party) => "un nombre de 1 à 99",
        (Language::Fr, FieldProblem::Date) => "une date comme 23/11/2026 ou 2026-11-23",
        (Language::Fr, FieldProblem::Time) => "une heure comme 19:30",
        (Language::Fr, FieldProblem::Language) => "fr, en ou nl",
        (Language::Nl, FieldProblem::Required) => "verplicht",
        (Language::Nl, FieldProblem::Phone) => "alleen cijfers, spaties en + - . ( ), minstens 6 cijfers",
        (Language::Nl, FieldProblem::Party) => "een getal van 1 tot 99",
        (Language::Nl, FieldProblem::Date) => "een datum zoals 23/11/2026 of 2026-11-23",
        (Language::Nl, FieldProblem::Time) => "een tijd zoals 19:30",
        (Language::Nl, FieldProblem::Language) => "nl, fr of en",
    }
}

/// Why the follow-up list says to call (the detail, such as the next try, is added by the pane).
#[allow(clippy::too_many_lines)]
pub fn follow_up_reason(lang: Language, r: FollowUpReason) -> &'static str {
    match (lang, r) {
        (Language::En, FollowUpReason::NoConfirmation) => "No confirmation email",
        (Language::En, FollowUpReason::NotSentYet) => "Not sent yet",
        (Language::En, FollowUpReason::Deferred { .. }) => "Deferred",
        (Language::En, FollowUpReason::NotOpened { machine_opens: 0 }) => "Not opened yet",
        (Language::En, FollowUpReason::NotOpened { .. }) => "Only a machine fetched it (privacy proxy, scanner)",
        (Language::En, FollowUpReason::Bounced) => "Bounced",
        (Language::En, FollowUpReason::Failed) => "Failed",
        (Language::En, FollowUpReason::Suppressed) => "Not sent: address blocked",
        (Language::En, FollowUpReason::Uncertain) => "Uncertain: check, then resend",
        (Language::Fr, FollowUpReason::NoConfirmation) => "Aucun e-mail de confirmation",
        (Language::Fr, FollowUpReason::NotSentYet) => "Pas encore envoyé",
        (Language::Fr, FollowUpReason::Deferred { .. }) => "Différé",
        (Language::Fr, FollowUpReason::NotOpened { machine_opens: 0 }) => "Pas encore ouvert",
        (Language::Fr, FollowUpReason::NotOpened { .. }) => "Lu seulement par une machine (proxy, antivirus)",
        (Language::Fr, FollowUpReason::Bounced) => "Rejeté",
        (Language::Fr, FollowUpReason::Failed) => "Échec",
        (Language::Fr, FollowUpReason::Suppressed) => "Non envoyé : adresse bloquée",
        (Language::Fr, FollowUpReason::Uncertain) => "Incertain : vérifier puis renvoyer",
        (Language::Nl, FollowUpReason::NoConfirmation) => "Geen bevestigingsmail",
        (Language::Nl, FollowUpReason::NotSentYet) => "Nog niet verstuurd",
        (Language::Nl, FollowUpReason::Deferred { .. }) => "Uitgesteld",
        (Language::Nl, FollowUpReason::NotOpened { machine_opens: 0 }) => "Nog niet geopend",
        (Language::Nl, FollowUpReason::NotOpened { .. }) => "Alleen door een machine opgehaald (privacyproxy, scanner)",
        (Language::Nl, FollowUpReason::Bounced) => "Teruggekomen",
        (Language::Nl, FollowUpReason::Failed) => "Mislukt",
        (Language::Nl, FollowUpReason::Suppressed) => "Niet verstuurd: adres geblokkeerd",
        (Language::Nl, FollowUpReason::Uncertain) => "Onzeker: nakijken, dan opnieuw sturen",
    }
}

/// A word of the key-hint line.
#[allow(clippy::too_many_lines)]
pub fn hint(lang: Language, h: Hint) -> &'static str {
    match (lang, h) {
        (Language::En, Hint::Move) => "move",
        (Language::En, Hint::Day) => "day",
        (Language::En, Hint::Today) => "today",
        (Language::En, Hint::Filter) => "filter",
        (Language::En, Hint::Status) => "status",
        (Language::En, Hint::Resend) => "resend",
        (Language::En, Hint::FollowUp) => "follow-up",
        (Language::En, Hint::History) => "history",
        (Language::En, Hint::New) => "new",
        (Language::En, Hint::AllEmails) => "all emails",
        (Language::En, Hint::Email) => "email",
        (Language::En, Hint::LastError) => "last error",
        (Language::En, Hint::Reset) => "reset",
        (Language::En, Hint::Help) => "help",
        (Language::En, Hint::Quit) => "quit",
        (Language::En, Hint::Close) => "close",
        (Language::En, Hint::Search) => "search",
        (Language::En, Hint::Kind) => "kind",
        (Language::En, Hint::State) => "state",
        (Language::En, Hint::Dates) => "dates",
        (Language::En, Hint::Erase) => "erase personal data",
        (Language::En, Hint::FixAddress) => "fix address",
        (Language::En, Hint::ByPhone) => "confirmed by phone",
        (Language::En, Hint::KeepFilter) => "keep",
        (Language::En, Hint::ClearFilter) => "clear",
        (Language::En, Hint::CancelTyping) => "cancel",
        (Language::Fr, Hint::Move) => "déplacer",
        (Language::Fr, Hint::Day) => "jour",
        (Language::Fr, Hint::Today) => "aujourd'hui",
        (Language::Fr, Hint::Filter) => "filtrer",
        (Language::Fr, Hint::Status) => "statut",
        (Language::Fr, Hint::Resend) => "renvoyer",
        (Language::Fr, Hint::FollowUp) => "suivi",
        (Language::Fr, Hint::History) => "historique",
        (Language::Fr, Hint::New) => "nouvelle",
        (Language::Fr, Hint::AllEmails) => "tous les e-mails",
        (Language::Fr, Hint::Email) => "e-mail",
        (Language::Fr, Hint::LastError) => "dernière erreur",
        (Language::Fr, Hint::Reset) => "remise à zéro",
        (Language::Fr, Hint::Help) => "aide",
        (Language::Fr, Hint::Quit) => "quitter",
        (Language::Fr, Hint::Close) => "fermer",
        (Language::Fr, Hint::Search) => "recherche",
        (Language::Fr, Hint::Kind) => "type",
        (Language::Fr, Hint::State) => "état",
        (Language::Fr, Hint::Dates) => "dates",
        (Language::Fr, Hint::Erase) => "effacer les données personnelles",
        (Language::Fr, Hint::FixAddress) => "corriger l'adresse",
        (Language::Fr, Hint::ByPhone) => "confirmé par téléphone",
        (Language::Fr, Hint::KeepFilter) => "garder",
        (Language::Fr, Hint::ClearFilter) => "effacer",
        (Language::Fr, Hint::CancelTyping) => "annuler",
        (Language::Nl, Hint::Move) => "bewegen",
        (Language::Nl, Hint::Day) => "dag",
        (Language::Nl, Hint::Today) => "vandaag",
        (Language::Nl, Hint::Filter) => "filteren",
        (Language::Nl, Hint::Status) => "status",
        (Language::Nl, Hint::Resend) => "opnieuw sturen",
        (Language::Nl, Hint::FollowUp) => "opvolging",
        (Language::Nl, Hint::History) => "geschiedenis",
        (Language::Nl, Hint::New) => "nieuw",
        (Language::Nl, Hint::AllEmails) => "alle e-mails",
        (Language::Nl, Hint::Email) => "e-mail",
        (Language::Nl, Hint::LastError) => "laatste fout",
        (Language::Nl, Hint::Reset) => "op nul zetten",
        (Language::Nl, Hint::Help) => "hulp",
        (Language::Nl, Hint::Quit) => "afsluiten",
        (Language::Nl, Hint::Close) => "sluiten",
        (Language::Nl, Hint::Search) => "zoeken",
        (Language::Nl, Hint::Kind) => "soort",
        (Language::Nl, Hint::State) => "toestand",
        (Language::Nl, Hint::Dates) => "datums",
        (Language::Nl, Hint::Erase) => "persoonsgegevens wissen",
        (Language::Nl, Hint::FixAddress) => "adres verbeteren",
        (Language::Nl, Hint::ByPhone) => "telefonisch bevestigd",
        (Language::Nl, Hint::KeepFilter) => "behouden",
        (Language::Nl, Hint::ClearFilter) => "wissen",
        (Language::Nl, Hint::CancelTyping) => "annuleren",
    }
}

/// A named key as a keyboard of the language labels it.
#[allow(clippy::too_many_lines)]
pub fn key(lang: Language, k: KeyName) -> &'static str {
    match (lang, k) {
        (Language::En, KeyName::Enter) => "Enter",
        (Language::En, KeyName::Esc) => "Esc",
        (Language::En, KeyName::Delete) => "Del",
        (Language::En, KeyName::Backspace) => "Backspace",
        (Language::En, KeyName::Space) => "Space",
        (Language::En, KeyName::Tab) => "Tab",
        (Language::Fr, KeyName::Enter) => "Entrée",
        (Language::Fr, KeyName::Esc) => "Échap",
        (Language::Fr, KeyName::Delete) => "Suppr",
        (Language::Fr, KeyName::Backspace) => "Retour arrière",
        (Language::Fr, KeyName::Space) => "Espace",
        (Language::Fr, KeyName::Tab) => "Tab",
        (Language::Nl, KeyName::Enter) => "Enter",
        (Language::Nl, KeyName::Esc) => "Esc",
        (Language::Nl, KeyName::Delete) => "Del",
        (Language::Nl, KeyName::Backspace) => "Backspace",
        (Language::Nl, KeyName::Space) => "Spatie",
        (Language::Nl, KeyName::Tab) => "Tab",
    }
}
