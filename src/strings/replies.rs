//! What the screen and `guestmail serve` say about the venue's mailboxes (issue 13): the
//! IMAP bounce mailbox's troubles. In English, French and Dutch; one `match` per text on the
//! language, so a missing translation is a compile error.

use crate::bounce::imap::Status;
use crate::domain::Language;

/// The status line's words for a mailbox watcher's trouble (after "Bounces are not taken
/// in: "); `None` when it is watching.
pub fn mailbox_trouble(lang: Language, status: &Status) -> Option<String> {
    let secs = |d: &std::time::Duration| d.as_secs();
    Some(match (status, lang) {
        (Status::Watching { .. }, _) => return None,
        (Status::Refused { why, retry }, Language::En) => {
            format!(
                "the bounce mailbox refused our login ({why}): check bounce_mailbox and its password; trying again in {} s",
                secs(retry)
            )
        }
        (Status::Refused { why, retry }, Language::Fr) => format!(
            "la boîte des rebonds a refusé la connexion ({why}) : vérifier bounce_mailbox et son mot de passe ; nouvel essai dans {} s",
            secs(retry)
        ),
        (Status::Refused { why, retry }, Language::Nl) => format!(
            "de bouncemailbox weigerde onze login ({why}): controleer bounce_mailbox en het wachtwoord; nieuwe poging over {} s",
            secs(retry)
        ),
        (Status::Lost { why, retry }, Language::En) => {
            format!("lost the bounce mailbox ({why}); reconnecting in {} s", secs(retry))
        }
        (Status::Lost { why, retry }, Language::Fr) => {
            format!("connexion à la boîte des rebonds perdue ({why}) ; reconnexion dans {} s", secs(retry))
        }
        (Status::Lost { why, retry }, Language::Nl) => {
            format!("verbinding met de bouncemailbox verloren ({why}); opnieuw verbinden over {} s", secs(retry))
        }
    })
}

/// A reply in an email's log, after its time: "Replied: We'll be 10 minutes late…".
pub fn reply_line(lang: Language, auto: bool, excerpt: &str) -> String {
    let what = match (lang, auto) {
        (Language::En, false) => "Replied",
        (Language::En, true) => "Automatic reply",
        (Language::Fr, false) => "Réponse",
        (Language::Fr, true) => "Réponse automatique",
        (Language::Nl, false) => "Antwoord",
        (Language::Nl, true) => "Automatisch antwoord",
    };
    let colon = if lang == Language::Fr { " : " } else { ": " };
    if excerpt.is_empty() { what.to_owned() } else { format!("{what}{colon}{excerpt}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reply_lines() {
        for (lang, auto, excerpt, line) in [
            (Language::En, false, "We'll be 10 minutes late", "Replied: We'll be 10 minutes late"),
            (Language::En, true, "Away", "Automatic reply: Away"),
            (Language::Fr, false, "Merci", "Réponse : Merci"),
            (Language::Nl, true, "", "Automatisch antwoord"),
        ] {
            assert_eq!(reply_line(lang, auto, excerpt), line);
        }
    }

    #[test]
    fn troubles_are_said_in_each_language_and_watching_is_silent() {
        let refused = Status::Refused { why: "NO [AUTHENTICATIONFAILED]".into(), retry: Duration::from_mins(1) };
        let lost = Status::Lost { why: "reset".into(), retry: Duration::from_secs(5) };
        for (lang, refused_says, lost_says) in [
            (Language::En, "check bounce_mailbox and its password; trying again in 60 s", "reconnecting in 5 s"),
            (Language::Fr, "vérifier bounce_mailbox", "reconnexion dans 5 s"),
            (Language::Nl, "controleer bounce_mailbox", "opnieuw verbinden over 5 s"),
        ] {
            assert!(mailbox_trouble(lang, &refused).is_some_and(|t| t.contains(refused_says)), "{lang:?}");
            assert!(mailbox_trouble(lang, &lost).is_some_and(|t| t.contains(lost_says)), "{lang:?}");
            assert_eq!(mailbox_trouble(lang, &Status::Watching { idle: true }), None);
        }
    }
}
