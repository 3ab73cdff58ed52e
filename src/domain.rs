//! Plain domain types: no I/O, no SQL, no terminal. Everything else imports from here.
//!
//! The rules that matter to staff live here so they can be unit-tested on their own:
//! which reservation status may follow which, and how the messages of one kind turn into
//! the marker shown on the host-stand screen. Which email a change sends, and when, is the
//! journey's (`crate::journey`).

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};

/// A value that did not parse into one of the domain's enums.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}'")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub value: String,
}

/// Declares a string-backed enum with `as_str`, `ALL`, `Display` and `FromStr`, so the
/// spelling used in SQLite, the CLI and the config is written once.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(|_| {
                    let allowed: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    serde::de::Error::custom(format!("unknown {} '{text}', expected one of: {}", $what, allowed.join(", ")))
                })
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseEnumError { what: $what, value: s.to_owned() }),
                }
            }
        }
    };
}

string_enum!(
    /// Where a reservation stands.
    ReservationStatus, "reservation status" {
        Pending => "pending",
        Confirmed => "confirmed",
        Completed => "completed",
        Cancelled => "cancelled",
        NoShow => "no-show",
    }
);

string_enum!(
    /// Which email of the reservation journey a message is.
    EmailKind, "email kind" {
        Pending => "pending",
        Confirmed => "confirmed",
        Reminder => "reminder",
        Cancelled => "cancelled",
        Completed => "completed",
        Manual => "manual",
    }
);

string_enum!(
    /// Where one email stands in the outbox.
    MessageState, "message state" {
        Queued => "queued",
        Sending => "sending",
        Sent => "sent",
        Deferred => "deferred",
        Failed => "failed",
        Bounced => "bounced",
        Suppressed => "suppressed",
        Uncertain => "uncertain",
        Withdrawn => "withdrawn",
    }
);

string_enum!(
    /// What happened to a message (or an address), as kept in the append-only event log.
    EventKind, "event kind" {
        Queued => "queued",
        Sent => "sent",
        Deferred => "deferred",
        Failed => "failed",
        Bounced => "bounced",
        Opened => "opened",
        Complaint => "complaint",
        CounterReset => "counter-reset",
        Resend => "resend",
        Suppressed => "suppressed",
        Uncertain => "uncertain",
        StatusChanged => "status-changed",
        ConfirmedByPhone => "confirmed-by-phone",
        AddressChanged => "address-changed",
        Forgotten => "forgotten",
        Withdrawn => "withdrawn",
        // The guest's mail server accepted the email, as the sending provider reports it.
        Delivered => "delivered",
    }
);

string_enum!(
    /// The languages guests and staff can have.
    Language, "language" {
        En => "en",
        Fr => "fr",
        Nl => "nl",
    }
);

string_enum!(
    /// What a bounce (or a message that looks like one) says about the address.
    BounceClass, "bounce class" {
        Hard => "hard",
        Soft => "soft",
        Complaint => "complaint",
        Delayed => "delayed",
        Delivered => "delivered",
        AutoReply => "autoreply",
    }
);

impl BounceClass {
    /// Whether a message of this class counts one error on the address (the brief: every
    /// error message counts, whether temporary or permanent).
    pub const fn counts_as_error(self) -> bool {
        matches!(self, Self::Hard | Self::Soft | Self::Complaint)
    }
}

/// A status change that the rules do not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} reservation cannot become {to}")]
pub struct TransitionError {
    pub from: ReservationStatus,
    pub to: ReservationStatus,
}

impl ReservationStatus {
    /// The statuses this one may move to. Completed and cancelled are final; a no-show can
    /// still be completed (the guest arrived late and the host corrects the mark).
    pub const fn next(self) -> &'static [ReservationStatus] {
        use ReservationStatus::{Cancelled, Completed, Confirmed, NoShow, Pending};
        match self {
            Pending => &[Confirmed, Cancelled],
            Confirmed => &[Completed, Cancelled, NoShow],
            NoShow => &[Completed],
            Completed | Cancelled => &[],
        }
    }

    pub fn can_become(self, to: ReservationStatus) -> bool {
        self.next().contains(&to)
    }

    /// Checks a status change against the rules.
    pub fn transition(self, to: ReservationStatus) -> Result<ReservationStatus, TransitionError> {
        if self.can_become(to) { Ok(to) } else { Err(TransitionError { from: self, to }) }
    }
}

impl EmailKind {
    /// The three kinds that have a marker on the reservation list, in display order.
    pub const MARKED: [EmailKind; 3] = [EmailKind::Pending, EmailKind::Confirmed, EmailKind::Completed];
}

impl MessageState {
    /// States the outbox worker may still pick up on its own.
    pub const fn is_pending_delivery(self) -> bool {
        matches!(self, Self::Queued | Self::Deferred)
    }

    /// States in which the email did not reach the guest and will not on its own.
    pub const fn is_undelivered(self) -> bool {
        matches!(self, Self::Failed | Self::Bounced | Self::Suppressed | Self::Uncertain)
    }
}

/// The marker shown for one email kind of one reservation. Each has its own glyph so colour
/// is never the only signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Marker {
    /// Not sent yet: no glyph.
    #[default]
    None,
    /// Queued, being sent or waiting for a retry: dim `○`.
    Queued,
    /// Sent, not opened by a person yet: red `●`.
    Sent,
    /// Opened by a person: green `●`.
    Opened,
    /// Fetched only by a machine (mail-privacy proxy, link scanner): `◐`.
    MachineOpened,
    /// Bounced, failed or refused (blocked address): red `✗`.
    Failed,
    /// The sending was interrupted; staff must check and resend: `?`.
    Uncertain,
}

impl Marker {
    pub const fn glyph(self) -> &'static str {
        match self {
            Self::None => " ",
            Self::Queued => "○",
            Self::Sent | Self::Opened => "●",
            Self::MachineOpened => "◐",
            Self::Failed => "✗",
            Self::Uncertain => "?",
        }
    }

    pub const ALL: [Marker; 7] = [
        Marker::Opened,
        Marker::MachineOpened,
        Marker::Sent,
        Marker::Queued,
        Marker::Failed,
        Marker::Uncertain,
        Marker::None,
    ];
}

/// What the marker needs to know of the latest message of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageSummary {
    pub state: MessageState,
    pub human_opens: u32,
    pub machine_opens: u32,
}

impl MessageSummary {
    /// The marker for this message. A person's open proves delivery, so it wins over
    /// whatever state a later bounce report left; a machine fetch proves nothing.
    pub const fn marker(&self) -> Marker {
        if self.human_opens > 0 {
            return Marker::Opened;
        }
        match self.state {
            MessageState::Queued | MessageState::Sending | MessageState::Deferred => Marker::Queued,
            MessageState::Sent if self.machine_opens > 0 => Marker::MachineOpened,
            MessageState::Sent => Marker::Sent,
            MessageState::Failed | MessageState::Bounced | MessageState::Suppressed => Marker::Failed,
            MessageState::Uncertain => Marker::Uncertain,
            // Never sent, and never will be: nothing to show.
            MessageState::Withdrawn => Marker::None,
        }
    }
}

/// The marker of one kind, given that kind's messages in any order as `(id, summary)`:
/// the latest message (highest id) decides; no message means no marker.
pub fn marker_of<I>(messages: I) -> Marker
where
    I: IntoIterator<Item = (i64, MessageSummary)>,
{
    messages.into_iter().max_by_key(|(id, _)| *id).map_or(Marker::None, |(_, m)| m.marker())
}

/// A guest as staff know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
}

/// The health of one email address: how many error messages came back for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressHealth {
    pub error_count: u32,
    pub blocked: bool,
    pub last_error: Option<String>,
}

/// One row of the day's reservation list, with everything the screen draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationRow {
    pub id: i64,
    pub starts_at: NaiveDateTime,
    pub party_size: u32,
    pub status: ReservationStatus,
    pub notes: String,
    pub confirmed_by_phone: bool,
    pub guest: Guest,
    pub address: AddressHealth,
    /// Markers for [`EmailKind::MARKED`], in that order.
    pub markers: [Marker; 3],
    /// The guest answered one of its emails (not an automatic reply): the list's `↩`.
    pub replied: bool,
}

/// A reservation to create (from the form, the CSV import or the demo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReservation {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
    pub starts_at: NaiveDateTime,
    pub party_size: u32,
    pub status: ReservationStatus,
    pub notes: String,
}

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("the email address is empty")]
    Empty,
    #[error("'{0}' has no @")]
    NoAt(String),
    #[error("'{0}' has nothing before the @")]
    NoLocalPart(String),
    #[error("'{0}' has no domain with a dot after the @")]
    BadDomain(String),
    #[error("'{0}' contains a space or a control character")]
    BadCharacter(String),
    #[error("'{0}' is longer than 254 characters")]
    TooLong(String),
}

/// Validates and normalises an email address as staff type it: trimmed, domain lower-cased.
/// Strict enough to catch the typos that matter (missing @, missing dot, spaces, line breaks
/// that could inject a header); lettre checks the full syntax again when sending.
pub fn normalize_email(input: &str) -> Result<String, AddressError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AddressError::Empty);
    }
    if s.len() > 254 {
        return Err(AddressError::TooLong(s.to_owned()));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')) {
        return Err(AddressError::BadCharacter(s.to_owned()));
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Err(AddressError::NoAt(s.to_owned()));
    };
    if local.is_empty() || local.contains('@') {
        return Err(AddressError::NoLocalPart(s.to_owned()));
    }
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if !domain_ok {
        return Err(AddressError::BadDomain(s.to_owned()));
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// The longest guest name accepted, in characters, wherever a name enters (the form, the
/// command line, the import): a longer one is a paste gone wrong, and it would only make
/// the email's headers and the screen's rows unwieldy.
pub const MAX_GUEST_NAME_CHARS: usize = 200;

/// Why a guest's name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the guest's name is empty")]
    Empty,
    #[error("the guest's name has {0} characters; at most 200 are accepted")]
    TooLong(usize),
}

/// The one rule for a guest's name as it enters: trimmed, not empty, at most
/// [`MAX_GUEST_NAME_CHARS`] characters.
pub fn check_guest_name(input: &str) -> Result<&str, NameError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    match name.chars().count() {
        n if n > MAX_GUEST_NAME_CHARS => Err(NameError::TooLong(n)),
        _ => Ok(name),
    }
}

/// `anna@example.org` -> `a…@example.org`: enough for staff to recognise the guest on a
/// screen the guests at the stand can also read, and all a log line may carry.
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

/// `text` with every occurrence of `email` (any ASCII case) masked as [`mask_email`] does,
/// for server replies and errors that quote the recipient before they reach a log.
pub fn mask_email_in(text: &str, email: &str) -> String {
    let email = email.trim();
    if email.len() < 3 {
        return text.to_owned();
    }
    let lower = text.to_ascii_lowercase();
    let needle = email.to_ascii_lowercase();
    let masked = mask_email(email);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(&needle) {
        out.push_str(&text[last..at]);
        out.push_str(&masked);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
    out
}

/// Masks every address-like word of a server's text (`<anna@example.org>:` ->
/// `<a…@example.org>:`), for logs of replies whose recipient is not known.
pub fn mask_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core =
            word.trim_matches(|c: char| matches!(c, '<' | '>' | ':' | ',' | ';' | '(' | ')' | '"' | '\'' | '[' | ']'));
        if core.contains('@') && !core.starts_with('@') {
            out.push_str(&word.replacen(core, &mask_email(core), 1));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// A reservation day as the screen shows it.
pub fn day_bounds(day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let start = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (start, start + chrono::Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_letter_of_the_local_part_shows() {
        assert_eq!(mask_email("anna.peeters@example.org"), "a…@example.org");
        assert_eq!(mask_email("é@x.be"), "é…@x.be");
        assert_eq!(mask_email("nonsense"), "…");
        assert_eq!(
            mask_email_in("550 5.1.1 <Anna.Peeters@example.org>: no such user", "anna.peeters@example.org"),
            "550 5.1.1 <a…@example.org>: no such user"
        );
    }

    #[test]
    fn a_name_is_trimmed_and_capped_at_200_characters() {
        assert_eq!(check_guest_name("  Anna  "), Ok("Anna"));
        assert_eq!(check_guest_name(" "), Err(NameError::Empty));
        assert_eq!(check_guest_name(&"é".repeat(200)).map(str::len), Ok(400), "characters, not bytes");
        assert_eq!(check_guest_name(&"a".repeat(201)), Err(NameError::TooLong(201)));
    }

    fn summary(state: MessageState, human: u32, machine: u32) -> MessageSummary {
        MessageSummary { state, human_opens: human, machine_opens: machine }
    }

    #[test]
    fn legal_transitions_follow_the_journey() {
        use ReservationStatus::*;
        assert!(Pending.can_become(Confirmed));
        assert!(Pending.can_become(Cancelled));
        assert!(Confirmed.can_become(Completed));
        assert!(Confirmed.can_become(NoShow));
        assert!(NoShow.can_become(Completed));
        assert_eq!(Confirmed.transition(Cancelled), Ok(Cancelled));
    }

    #[test]
    fn illegal_transitions_are_refused_with_both_statuses() {
        use ReservationStatus::*;
        assert!(!Pending.can_become(Completed), "a meal cannot end before it is confirmed");
        assert!(!Cancelled.can_become(Confirmed));
        assert!(!Completed.can_become(Cancelled));
        assert!(!Pending.can_become(Pending));
        let err = Completed.transition(Pending).unwrap_err();
        assert_eq!(err, TransitionError { from: Completed, to: Pending });
        assert_eq!(err.to_string(), "a completed reservation cannot become pending");
        for s in ReservationStatus::ALL {
            assert!(!s.can_become(*s), "{s} to itself is not a change");
        }
    }

    #[test]
    fn enums_round_trip_through_their_text() {
        for s in ReservationStatus::ALL {
            assert_eq!(s.as_str().parse::<ReservationStatus>(), Ok(*s));
        }
        for k in EmailKind::ALL {
            assert_eq!(k.as_str().parse::<EmailKind>(), Ok(*k));
        }
        for m in MessageState::ALL {
            assert_eq!(m.as_str().parse::<MessageState>(), Ok(*m));
        }
        assert_eq!(" FR ".parse::<Language>(), Ok(Language::Fr));
        assert!("de".parse::<Language>().is_err());
    }

    #[test]
    fn marker_follows_the_message_state() {
        assert_eq!(summary(MessageState::Queued, 0, 0).marker(), Marker::Queued);
        assert_eq!(summary(MessageState::Sending, 0, 0).marker(), Marker::Queued);
        assert_eq!(summary(MessageState::Deferred, 0, 0).marker(), Marker::Queued);
        assert_eq!(summary(MessageState::Sent, 0, 0).marker(), Marker::Sent);
        assert_eq!(summary(MessageState::Sent, 2, 0).marker(), Marker::Opened);
        assert_eq!(summary(MessageState::Sent, 0, 1).marker(), Marker::MachineOpened);
        assert_eq!(summary(MessageState::Sent, 1, 3).marker(), Marker::Opened);
        assert_eq!(summary(MessageState::Bounced, 0, 0).marker(), Marker::Failed);
        assert_eq!(summary(MessageState::Failed, 0, 0).marker(), Marker::Failed);
        assert_eq!(summary(MessageState::Suppressed, 0, 0).marker(), Marker::Failed);
        assert_eq!(summary(MessageState::Uncertain, 0, 0).marker(), Marker::Uncertain);
        // A person read it, so it arrived, whatever a late report claims.
        assert_eq!(summary(MessageState::Bounced, 1, 0).marker(), Marker::Opened);
    }

    #[test]
    fn the_latest_message_of_a_kind_decides() {
        assert_eq!(marker_of([]), Marker::None);
        let opened_then_resent = [(7, summary(MessageState::Sent, 1, 0)), (9, summary(MessageState::Queued, 0, 0))];
        assert_eq!(marker_of(opened_then_resent), Marker::Queued);
        let order_does_not_matter = [(9, summary(MessageState::Bounced, 0, 0)), (3, summary(MessageState::Sent, 4, 0))];
        assert_eq!(marker_of(order_does_not_matter), Marker::Failed);
    }

    #[test]
    fn glyphs_differ_in_shape_for_every_visible_state() {
        let visible = [Marker::Queued, Marker::Sent, Marker::MachineOpened, Marker::Failed, Marker::Uncertain];
        let glyphs: std::collections::HashSet<_> = visible.iter().map(|m| m.glyph()).collect();
        assert_eq!(glyphs.len(), visible.len());
        assert_eq!(Marker::None.glyph().trim(), "");
    }

    #[test]
    fn email_addresses_are_checked_and_normalised() {
        assert_eq!(normalize_email("  Anna.Peeters@Example.BE "), Ok("Anna.Peeters@example.be".into()));
        assert_eq!(normalize_email(""), Err(AddressError::Empty));
        assert!(matches!(normalize_email("anna.example.be"), Err(AddressError::NoAt(_))));
        assert!(matches!(normalize_email("@example.be"), Err(AddressError::NoLocalPart(_))));
        assert!(matches!(normalize_email("anna@example"), Err(AddressError::BadDomain(_))));
        assert!(matches!(normalize_email("anna@gmail..com"), Err(AddressError::BadDomain(_))));
        assert!(matches!(normalize_email("anna@ex ample.be"), Err(AddressError::BadCharacter(_))));
        assert!(matches!(normalize_email("anna@example.be\r\nBcc: x@evil.test"), Err(AddressError::BadCharacter(_))));
        assert!(matches!(normalize_email(&format!("{}@example.be", "a".repeat(250))), Err(AddressError::TooLong(_))));
    }

    #[test]
    fn addresses_in_a_server_reply_are_masked() {
        assert_eq!(
            mask_addresses("554 5.7.1 <anna@example.org>: Relay access denied"),
            "554 5.7.1 <a…@example.org>: Relay access denied"
        );
        assert_eq!(mask_addresses("535 5.7.8 authentication failed"), "535 5.7.8 authentication failed");
        assert_eq!(mask_addresses("to bo@x.be, from @host"), "to b…@x.be, from @host");
    }

    #[test]
    fn only_real_errors_count_on_an_address() {
        assert!(BounceClass::Hard.counts_as_error());
        assert!(BounceClass::Soft.counts_as_error());
        assert!(BounceClass::Complaint.counts_as_error());
        assert!(!BounceClass::Delayed.counts_as_error());
        assert!(!BounceClass::Delivered.counts_as_error());
        assert!(!BounceClass::AutoReply.counts_as_error());
    }
}
