//! The line that says sending is paused: the venue's own setup or server refused us, what
//! the server said, and what to check. In English, French and Dutch, one `match` per
//! language, so a missing translation is a compile error. Shown by the screen's status area
//! until solved, and printed by `guestmail send` (exit 4).

use crate::domain::Language;
use crate::failure::Reason;

/// What happened and what to check, for a venue `reason`.
fn words(lang: Language, reason: Reason) -> (&'static str, &'static str) {
    use Reason::{
        Authentication, Blocklisted, ConnectionLost, Content, Format, RateLimited, RelayDenied, SenderRefused,
        ServerBusy, Timeout, Tls, TooBig, Unreachable,
    };
    match lang {
        Language::En => match reason {
            Authentication => ("The mail server refused our login", "check smtp_url and the password file"),
            RelayDenied => {
                ("The mail server refuses to relay our emails", "check smtp_url, the login and the relay settings")
            }
            SenderRefused => {
                ("The mail server refuses our sender address", "check sender and the server's allowed senders")
            }
            Tls => {
                ("The secure connection to the mail server failed", "check smtp_url (smtp:// or smtps://) and the port")
            }
            TooBig | Format => ("The mail server refuses our emails as built", "tell whoever maintains guestmail"),
            Content => (
                "The mail server refuses our emails as spam",
                "check the email texts and the sender domain (SPF, DKIM)",
            ),
            RateLimited => ("The mail server asks us to slow down", "nothing to do: sending resumes by itself"),
            Blocklisted => ("Our server or domain is on a blocklist", "ask the mail provider to remove it"),
            Unreachable | ServerBusy => ("The mail server cannot be reached", "check smtp_url and the network"),
            Timeout => ("The mail server does not answer", "check the mail server; smtp_timeout_seconds sets the wait"),
            ConnectionLost => {
                ("The mail server closed the connection", "check the mail server; sending resumes by itself")
            }
            _ => ("The mail server refuses every guest the same way", "check the mail server's settings"),
        },
        Language::Fr => match reason {
            Authentication => {
                ("Le serveur mail a refusé notre identifiant", "vérifier smtp_url et le fichier du mot de passe")
            }
            RelayDenied => {
                ("Le serveur mail refuse de relayer nos emails", "vérifier smtp_url, l'identifiant et le relais")
            }
            SenderRefused => {
                ("Le serveur mail refuse notre adresse d'expéditeur", "vérifier sender et les expéditeurs autorisés")
            }
            Tls => (
                "La connexion sécurisée au serveur mail a échoué",
                "vérifier smtp_url (smtp:// ou smtps://) et le port",
            ),
            TooBig | Format => {
                ("Le serveur mail refuse nos emails tels qu'ils sont", "prévenir la maintenance de guestmail")
            }
            Content => (
                "Le serveur mail refuse nos emails comme spam",
                "vérifier les textes et le domaine d'envoi (SPF, DKIM)",
            ),
            RateLimited => ("Le serveur mail demande de ralentir", "rien à faire : l'envoi reprend tout seul"),
            Blocklisted => {
                ("Notre serveur ou domaine est sur une liste de blocage", "demander au fournisseur de le retirer")
            }
            Unreachable | ServerBusy => ("Le serveur mail est injoignable", "vérifier smtp_url et le réseau"),
            Timeout => ("Le serveur mail ne répond pas", "vérifier le serveur ; smtp_timeout_seconds règle l'attente"),
            ConnectionLost => {
                ("Le serveur mail a coupé la connexion", "vérifier le serveur ; l'envoi reprend tout seul")
            }
            _ => ("Le serveur mail refuse tous les clients de la même façon", "vérifier les réglages du serveur"),
        },
        Language::Nl => match reason {
            Authentication => ("De mailserver weigerde onze login", "controleer smtp_url en het wachtwoordbestand"),
            RelayDenied => {
                ("De mailserver weigert onze e-mails door te sturen", "controleer smtp_url, de login en de relay")
            }
            SenderRefused => {
                ("De mailserver weigert ons afzenderadres", "controleer sender en de toegestane afzenders")
            }
            Tls => (
                "De beveiligde verbinding met de mailserver mislukte",
                "controleer smtp_url (smtp:// of smtps://) en de poort",
            ),
            TooBig | Format => {
                ("De mailserver weigert onze e-mails zoals ze zijn", "verwittig wie guestmail onderhoudt")
            }
            Content => (
                "De mailserver weigert onze e-mails als spam",
                "controleer de teksten en het afzenderdomein (SPF, DKIM)",
            ),
            RateLimited => {
                ("De mailserver vraagt ons trager te versturen", "niets te doen: het versturen hervat vanzelf")
            }
            Blocklisted => {
                ("Onze server of ons domein staat op een blokkeerlijst", "vraag de provider het te verwijderen")
            }
            Unreachable | ServerBusy => ("De mailserver is onbereikbaar", "controleer smtp_url en het netwerk"),
            Timeout => {
                ("De mailserver antwoordt niet", "controleer de mailserver; smtp_timeout_seconds bepaalt de wachttijd")
            }
            ConnectionLost => {
                ("De mailserver verbrak de verbinding", "controleer de mailserver; het versturen hervat vanzelf")
            }
            _ => ("De mailserver weigert elke gast op dezelfde manier", "controleer de instellingen van de server"),
        },
    }
}

/// "Sending paused" in each language, before the line.
fn paused_word(lang: Language) -> &'static str {
    match lang {
        Language::En => "Sending paused",
        Language::Fr => "Envoi en pause",
        Language::Nl => "Versturen gepauzeerd",
    }
}

/// The server's code and enhanced status at the head of `detail`, if it starts with them:
/// `535 5.7.8` of `535 5.7.8 Error: authentication failed`.
fn codes(detail: &str) -> Option<String> {
    let mut words = detail.split_whitespace();
    let code = words.next().filter(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()))?;
    match words.next().filter(|w| crate::failure::enhanced_status(w).is_some()) {
        Some(status) => Some(format!("{code} {status}")),
        None => Some(code.to_owned()),
    }
}

/// The line, e.g. `The mail server refused our login (535 5.7.8): check smtp_url and the
/// password file`.
pub fn line(lang: Language, reason: Reason, detail: &str) -> String {
    let (what, check) = words(lang, reason);
    match codes(detail) {
        Some(c) => format!("{what} ({c}): {check}"),
        None => format!("{what}: {check}"),
    }
}

/// The screen's status line: "Sending paused: " and [`line`].
pub fn status(lang: Language, reason: Reason, detail: &str) -> String {
    format!("{}: {}", paused_word(lang), line(lang, reason, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_problem_the_codes_and_what_to_check() {
        #[rustfmt::skip]
        let cases = [
            (Language::En, Reason::Authentication, "535 5.7.8 Error: authentication failed",
             "The mail server refused our login (535 5.7.8): check smtp_url and the password file"),
            (Language::Fr, Reason::RelayDenied, "554 5.7.1 <a@b.c>: Relay access denied",
             "Le serveur mail refuse de relayer nos emails (554 5.7.1): vérifier smtp_url, l'identifiant et le relais"),
            (Language::Nl, Reason::Timeout, "timed out waiting for the greeting",
             "De mailserver antwoordt niet: controleer de mailserver; smtp_timeout_seconds bepaalt de wachttijd"),
            (Language::En, Reason::TooBig, "552 Message size exceeds maximum permitted",
             "The mail server refuses our emails as built (552): tell whoever maintains guestmail"),
        ];
        for (lang, reason, detail, want) in cases {
            assert_eq!(line(lang, reason, detail), want);
        }
        assert!(status(Language::Fr, Reason::Timeout, "").starts_with("Envoi en pause: "));
    }

    #[test]
    fn every_venue_reason_has_its_own_words_in_every_language() {
        for lang in [Language::En, Language::Fr, Language::Nl] {
            for r in crate::failure::REASONS {
                assert!(!line(lang, r, "").is_empty());
            }
        }
    }
}
