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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_says_who_records_the_opens() {
        for lang in [Language::En, Language::Fr, Language::Nl] {
            assert!(tracking_elsewhere(lang).contains("guestmail serve"));
        }
    }
}
