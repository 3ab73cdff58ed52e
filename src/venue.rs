//! Venues, as rules without I/O: what a new venue must satisfy, which venue a command works
//! on, and the sender address to suggest. The store (src/store/venues.rs) reads and writes
//! venues; the texts of the refusals are in src/strings/venues.rs.
//!
//! One sender per venue: mail programs remember the first display name they saw for a sender
//! address, so venues sharing a From would show guests the wrong restaurant's name. A second
//! venue with a sender already in use (compared without case) is refused, with a suggestion
//! of one address per venue on the group's sending domain.

use crate::domain::{AddressError, Language, normalize_email};

/// A venue as stored. An empty `sender` (or `reply_to`) means the config's: only the
/// implicit venue of a single-venue store has one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Venue {
    pub id: i64,
    pub name: String,
    pub sender: String,
    pub reply_to: String,
    pub phone: String,
    pub address: String,
    pub language: Language,
    pub time_zone: String,
}

/// The id of the venue every store has: the rows from before venues existed.
pub const IMPLICIT_VENUE: i64 = 1;

/// A venue to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVenue {
    pub name: String,
    pub sender: String,
    pub reply_to: String,
    pub phone: String,
    pub address: String,
    pub language: Language,
    pub time_zone: String,
}

/// Why a new venue is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VenueRefusal {
    #[error("the venue's name is empty")]
    EmptyName,
    #[error("the venue's name {0} is taken")]
    NameTaken(String),
    #[error("the sender address is not valid: {0}")]
    BadSender(AddressError),
    #[error("the reply-to address is not valid: {0}")]
    BadReplyTo(AddressError),
    /// The sender is already the From of `venue`; `suggestion` is one of this venue's own.
    #[error("the sender {sender} is already used by the venue {venue} (suggestion: {suggestion})")]
    SenderTaken { sender: String, venue: String, suggestion: String },
    /// The time zone is none the zone database knows (the venue's journey runs on its clock).
    #[error("the time zone {0} is not known")]
    UnknownTimeZone(String),
}

/// Checks `new` against the venues already there (`existing`: name and effective sender,
/// the implicit venue's empty sender replaced by the config's). Returns the venue with its
/// addresses normalized.
pub fn check_new(new: &NewVenue, existing: &[(String, String)]) -> Result<NewVenue, VenueRefusal> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(VenueRefusal::EmptyName);
    }
    if existing.iter().any(|(n, _)| n.trim().to_lowercase() == name.to_lowercase()) {
        return Err(VenueRefusal::NameTaken(name.to_owned()));
    }
    let sender = normalize_email(&new.sender).map_err(VenueRefusal::BadSender)?;
    let reply_to = match new.reply_to.trim() {
        "" => String::new(),
        r => normalize_email(r).map_err(VenueRefusal::BadReplyTo)?,
    };
    if let Some((venue, _)) = existing.iter().find(|(_, s)| s.trim().eq_ignore_ascii_case(&sender)) {
        let suggestion = suggested_sender(name, sender.rsplit_once('@').map_or("", |(_, d)| d));
        return Err(VenueRefusal::SenderTaken { sender, venue: venue.clone(), suggestion });
    }
    let time_zone = new.time_zone.trim().to_owned();
    if crate::clock::Clock::named(Some(&time_zone)).is_err() {
        return Err(VenueRefusal::UnknownTimeZone(time_zone));
    }
    Ok(NewVenue { name: name.to_owned(), sender, reply_to, time_zone, ..new.clone() })
}

/// One sender per venue on the group's sending domain: the name's letters and digits,
/// lower case, accents dropped, words joined by `-` (`Le Bistro d'Anna` ->
/// `le-bistro-d-anna@mail.group.example`).
pub fn suggested_sender(name: &str, domain: &str) -> String {
    let mut local = String::new();
    for c in name.chars().map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            local.push(c.to_ascii_lowercase());
        } else if !local.is_empty() && !local.ends_with('-') {
            local.push('-');
        }
    }
    let local = local.trim_end_matches('-');
    let local = if local.is_empty() { "venue" } else { local };
    format!("{local}@{domain}")
}

/// The common Latin accented letters as their base letter (names in en, fr and nl).
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Î' | 'Ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ô' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Û' | 'Ü' => 'u',
        'ÿ' => 'y',
        c => c,
    }
}

/// Why no venue could be chosen for a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VenueChoiceError {
    /// `--venue` names no venue; `known` lists the venues' names.
    #[error("no venue named {wanted} (venues: {})", known.join(", "))]
    Unknown { wanted: String, known: Vec<String> },
    /// Several venues and no `--venue`.
    #[error("this database holds several venues: choose one with --venue ({})", known.join(", "))]
    Ambiguous { known: Vec<String> },
}

/// The venue a command works on: the one named (without case), or the only one there is.
pub fn choose(venues: &[(i64, String)], wanted: Option<&str>) -> Result<i64, VenueChoiceError> {
    let known = || venues.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>();
    match wanted.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => venues
            .iter()
            .find(|(_, n)| n.to_lowercase() == w.to_lowercase())
            .map(|(id, _)| *id)
            .ok_or_else(|| VenueChoiceError::Unknown { wanted: w.to_owned(), known: known() }),
        None => match venues {
            [] => Ok(IMPLICIT_VENUE),
            [(id, _)] => Ok(*id),
            _ => Err(VenueChoiceError::Ambiguous { known: known() }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venue(name: &str, sender: &str) -> NewVenue {
        NewVenue {
            name: name.into(),
            sender: sender.into(),
            reply_to: String::new(),
            phone: String::new(),
            address: String::new(),
            language: Language::En,
            time_zone: String::new(),
        }
    }

    fn existing() -> Vec<(String, String)> {
        vec![
            ("default".into(), "reservations@group.example".into()),
            ("Bistro".into(), "bistro@mail.group.example".into()),
        ]
    }

    #[test]
    fn new_venues_as_a_table() {
        let taken = |sender: &str, venue: &str, suggestion: &str| {
            Err(VenueRefusal::SenderTaken { sender: sender.into(), venue: venue.into(), suggestion: suggestion.into() })
        };
        let cases: Vec<(NewVenue, Result<&str, VenueRefusal>)> = vec![
            (venue("Brasserie", "brasserie@mail.group.example"), Ok("brasserie@mail.group.example")),
            (venue("Brasserie", " Brasserie@MAIL.group.example "), Ok("Brasserie@mail.group.example")),
            (
                venue("Brasserie", "BISTRO@mail.group.example"),
                taken("BISTRO@mail.group.example", "Bistro", "brasserie@mail.group.example"),
            ),
            (
                venue("Le Café d'Été", "Reservations@Group.Example"),
                taken("Reservations@group.example", "default", "le-cafe-d-ete@group.example"),
            ),
            (venue("  ", "x@group.example"), Err(VenueRefusal::EmptyName)),
            (venue("bistro", "other@group.example"), Err(VenueRefusal::NameTaken("bistro".into()))),
            (venue("Brasserie", "no-at-sign"), Err(VenueRefusal::BadSender(AddressError::NoAt("no-at-sign".into())))),
            (
                NewVenue { time_zone: " Europe/London ".into(), ..venue("Brasserie", "brasserie@mail.group.example") },
                Ok("brasserie@mail.group.example"),
            ),
            (
                NewVenue { time_zone: "Europe/Bruxelles".into(), ..venue("Brasserie", "brasserie@mail.group.example") },
                Err(VenueRefusal::UnknownTimeZone("Europe/Bruxelles".into())),
            ),
        ];
        for (new, expected) in cases {
            let got = check_new(&new, &existing()).map(|v| v.sender);
            assert_eq!(got, expected.map(str::to_owned), "{new:?}");
        }
    }

    #[test]
    fn suggested_senders_as_a_table() {
        let cases = [
            ("Bistro", "bistro@mail.group.example"),
            ("Le Bistro d'Anna", "le-bistro-d-anna@mail.group.example"),
            ("Café Noël", "cafe-noel@mail.group.example"),
            ("  !!  ", "venue@mail.group.example"),
        ];
        for (name, expected) in cases {
            assert_eq!(suggested_sender(name, "mail.group.example"), expected, "{name}");
        }
    }

    type Case<'a> = (&'a [(i64, String)], Option<&'a str>, Result<i64, VenueChoiceError>);

    #[test]
    fn choosing_a_venue_as_a_table() {
        let one = vec![(1, "default".to_owned())];
        let two = vec![(1, "default".to_owned()), (2, "Bistro".to_owned())];
        let names = vec!["default".to_owned(), "Bistro".to_owned()];
        let cases: Vec<Case<'_>> = vec![
            (&one, None, Ok(1)),
            (&[], None, Ok(IMPLICIT_VENUE)),
            (&one, Some("DEFAULT"), Ok(1)),
            (&two, Some("bistro"), Ok(2)),
            (&two, Some(" "), Err(VenueChoiceError::Ambiguous { known: names.clone() })),
            (&two, None, Err(VenueChoiceError::Ambiguous { known: names.clone() })),
            (&two, Some("Brasserie"), Err(VenueChoiceError::Unknown { wanted: "Brasserie".into(), known: names })),
        ];
        for (venues, wanted, expected) in cases {
            assert_eq!(choose(venues, wanted), expected, "{venues:?} {wanted:?}");
        }
    }
}
