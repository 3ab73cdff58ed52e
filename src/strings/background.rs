//! What the screen and `guestmail status` say about the background services. In English,
//! French and Dutch; one `match` per text on the language, so a missing translation is a
//! compile error.

use crate::domain::Language;

/// The tracking port is held by another guestmail (a `guestmail serve` on this machine) that
/// answers like one: opens are recorded, just not by this screen.
pub fn tracking_elsewhere(lang: Language) -> &'static str {
    match lang {
        Language::En => "Opens are recorded by the guestmail serve running here",
        Language::Fr => "Les ouvertures sont enregistrées par le guestmail serve qui tourne ici",
        Language::Nl => "Openingen worden geregistreerd door de guestmail serve die hier draait",
    }
}

/// The outbox cannot work at all (damaged or read-only database, full disk): the status
/// line, until it works again.
pub fn outbox_trouble(lang: Language, why: &str) -> String {
    match lang {
        Language::En => {
            format!("Sending stopped: {why} — emails wait in the outbox; check the database file and the disk")
        }
        Language::Fr => {
            format!(
                "Envoi arrêté : {why} — les e-mails attendent dans la file ; vérifier le fichier de la base et le disque"
            )
        }
        Language::Nl => {
            format!(
                "Verzenden gestopt: {why} — de e-mails wachten in de verzendrij; controleer het databasebestand en de schijf"
            )
        }
    }
}

/// The status line of a service that is off: what is off, then why (French puts a space
/// before the colon).
pub fn service_off(lang: Language, what: &str, why: &str) -> String {
    match lang {
        Language::En | Language::Nl => format!("{what}: {why}"),
        Language::Fr => format!("{what} : {why}"),
    }
}

/// The first of `count` troubles, when the status line has room for one: "1 of 3: …".
pub fn one_of(lang: Language, count: usize, first: &str) -> String {
    match lang {
        Language::En => format!("1 of {count}: {first}"),
        Language::Fr => format!("1 sur {count} : {first}"),
        Language::Nl => format!("1 van {count}: {first}"),
    }
}

/// The header's short warning while emails cannot go out (the status line has the details).
pub fn stopped_short(lang: Language) -> &'static str {
    match lang {
        Language::En => "⚠ sending paused",
        Language::Fr => "⚠ envoi en pause",
        Language::Nl => "⚠ verzenden gepauzeerd",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_several_troubles_says_how_many() {
        assert_eq!(one_of(Language::En, 2, "Tracking is off: port in use"), "1 of 2: Tracking is off: port in use");
        assert_eq!(one_of(Language::Fr, 3, "x"), "1 sur 3 : x");
        assert_eq!(one_of(Language::Nl, 2, "x"), "1 van 2: x");
    }

    #[test]
    fn every_language_says_who_records_the_opens() {
        for lang in [Language::En, Language::Fr, Language::Nl] {
            assert!(tracking_elsewhere(lang).contains("guestmail serve"));
        }
    }
}
