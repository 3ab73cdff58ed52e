//! What the screen and `guestmail serve` say about the venue's mailboxes (issue 13): the
//! IMAP bounce and reply mailboxes' troubles and their coming back, and the replies. In English, French and Dutch; one `match` per text on the
//! language, so a missing translation is a compile error.

use crate::bounce::imap::{Role, Status};
use crate::domain::Language;

/// Which mailbox, as a sentence names it.
fn mailbox_name(lang: Language, role: Role) -> &'static str {
    match (lang, role) {
        (Language::En, Role::Bounces) => "the bounce mailbox",
        (Language::En, Role::Replies) => "the reply mailbox",
        (Language::Fr, Role::Bounces) => "la boîte des retours",
        (Language::Fr, Role::Replies) => "la boîte des réponses",
        (Language::Nl, Role::Bounces) => "de bouncemailbox",
        (Language::Nl, Role::Replies) => "de antwoordmailbox",
    }
}

/// The status line's words for a mailbox watcher's trouble (after "Bounces are not taken
/// in: " or "Guests' replies are not read: "): what happened, what to check, when it tries
/// again, then the server's own words (last: the line may be cut on a narrow terminal).
/// `None` when it is watching.
pub fn mailbox_trouble(lang: Language, role: Role, status: &Status) -> Option<String> {
    let (name, key) = (mailbox_name(lang, role), role.key());
    Some(match (status, lang) {
        (Status::Watching { .. }, _) => return None,
        (Status::Refused { why, retry }, Language::En) => format!(
            "{name} refused our login: check {key} and its password; trying again in {} s ({why})",
            retry.as_secs()
        ),
        (Status::Refused { why, retry }, Language::Fr) => format!(
            "{name} a refusé la connexion : vérifier {key} et son mot de passe ; nouvel essai dans {} s ({why})",
            retry.as_secs()
        ),
        (Status::Refused { why, retry }, Language::Nl) => format!(
            "{name} weigerde onze login: controleer {key} en het wachtwoord; nieuwe poging over {} s ({why})",
            retry.as_secs()
        ),
        (Status::Lost { why, retry }, Language::En) => format!(
            "lost the connection to {name}: reconnecting in {} s; if it lasts, check the server in {key} and the network ({why})",
            retry.as_secs()
        ),
        (Status::Lost { why, retry }, Language::Fr) => format!(
            "connexion à {name} perdue : reconnexion dans {} s ; si cela dure, vérifier le serveur de {key} et le réseau ({why})",
            retry.as_secs()
        ),
        (Status::Lost { why, retry }, Language::Nl) => format!(
            "verbinding met {name} verloren: opnieuw verbinden over {} s; als dit aanhoudt, controleer de server in {key} en het netwerk ({why})",
            retry.as_secs()
        ),
    })
}

/// The brief news once a mailbox that was in trouble is watched again.
pub fn mailbox_back(lang: Language, role: Role) -> &'static str {
    match (lang, role) {
        (Language::En, Role::Bounces) => "Bounce mailbox connected again",
        (Language::En, Role::Replies) => "Reply mailbox connected again",
        (Language::Fr, Role::Bounces) => "Boîte des retours à nouveau connectée",
        (Language::Fr, Role::Replies) => "Boîte des réponses à nouveau connectée",
        (Language::Nl, Role::Bounces) => "Bouncemailbox weer verbonden",
        (Language::Nl, Role::Replies) => "Antwoordmailbox weer verbonden",
    }
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
    fn troubles_are_said_in_each_language_for_each_mailbox_and_watching_is_silent() {
        let refused = Status::Refused { why: "NO [AUTHENTICATIONFAILED]".into(), retry: Duration::from_mins(1) };
        let lost = Status::Lost { why: "reset".into(), retry: Duration::from_secs(5) };
        let cases: [(Language, Role, &str, &str, &str); 6] = [
            (
                Language::En,
                Role::Bounces,
                "the bounce mailbox refused our login: check bounce_mailbox and its password; trying again in 60 s (NO [AUTHENTICATIONFAILED])",
                "lost the connection to the bounce mailbox: reconnecting in 5 s; if it lasts, check the server in bounce_mailbox and the network (reset)",
                "Bounce mailbox connected again",
            ),
            (
                Language::En,
                Role::Replies,
                "the reply mailbox refused our login: check reply_mailbox and its password; trying again in 60 s (NO [AUTHENTICATIONFAILED])",
                "lost the connection to the reply mailbox: reconnecting in 5 s; if it lasts, check the server in reply_mailbox and the network (reset)",
                "Reply mailbox connected again",
            ),
            (
                Language::Fr,
                Role::Bounces,
                "la boîte des retours a refusé la connexion : vérifier bounce_mailbox et son mot de passe ; nouvel essai dans 60 s (NO [AUTHENTICATIONFAILED])",
                "connexion à la boîte des retours perdue : reconnexion dans 5 s ; si cela dure, vérifier le serveur de bounce_mailbox et le réseau (reset)",
                "Boîte des retours à nouveau connectée",
            ),
            (
                Language::Fr,
                Role::Replies,
                "la boîte des réponses a refusé la connexion : vérifier reply_mailbox et son mot de passe ; nouvel essai dans 60 s (NO [AUTHENTICATIONFAILED])",
                "connexion à la boîte des réponses perdue : reconnexion dans 5 s ; si cela dure, vérifier le serveur de reply_mailbox et le réseau (reset)",
                "Boîte des réponses à nouveau connectée",
            ),
            (
                Language::Nl,
                Role::Bounces,
                "de bouncemailbox weigerde onze login: controleer bounce_mailbox en het wachtwoord; nieuwe poging over 60 s (NO [AUTHENTICATIONFAILED])",
                "verbinding met de bouncemailbox verloren: opnieuw verbinden over 5 s; als dit aanhoudt, controleer de server in bounce_mailbox en het netwerk (reset)",
                "Bouncemailbox weer verbonden",
            ),
            (
                Language::Nl,
                Role::Replies,
                "de antwoordmailbox weigerde onze login: controleer reply_mailbox en het wachtwoord; nieuwe poging over 60 s (NO [AUTHENTICATIONFAILED])",
                "verbinding met de antwoordmailbox verloren: opnieuw verbinden over 5 s; als dit aanhoudt, controleer de server in reply_mailbox en het netwerk (reset)",
                "Antwoordmailbox weer verbonden",
            ),
        ];
        for (lang, role, refused_says, lost_says, back) in cases {
            assert_eq!(mailbox_trouble(lang, role, &refused).as_deref(), Some(refused_says), "{lang:?} {role:?}");
            assert_eq!(mailbox_trouble(lang, role, &lost).as_deref(), Some(lost_says), "{lang:?} {role:?}");
            assert_eq!(mailbox_trouble(lang, role, &Status::Watching { idle: true }), None);
            assert_eq!(mailbox_back(lang, role), back);
        }
    }
}
