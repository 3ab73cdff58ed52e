//! Plain-language explanations of a bounce for the host stand, with the next step to take,
//! in the staff's language (English or French).

use super::classify::reason;
use super::reason::Reason;
use crate::domain::BounceClass;

/// What happened and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub explanation: &'static str,
    pub next_step: &'static str,
}

/// Explains one error: its class, status code and diagnostic, in `lang` (`fr`, else English).
pub fn explain(class: BounceClass, status: Option<&str>, diagnostic: &str, lang: &str) -> Explanation {
    let fr = lang.eq_ignore_ascii_case("fr");
    let (en, fr_text) = texts(class, status, diagnostic);
    let (explanation, next_step) = if fr { fr_text } else { en };
    Explanation { explanation, next_step }
}

type Pair = (&'static str, &'static str);

fn texts(class: BounceClass, status: Option<&str>, diagnostic: &str) -> (Pair, Pair) {
    match class {
        BounceClass::Complaint => (
            ("The guest marked our email as spam", "do not email again; call the guest"),
            ("Le client a signalé notre email comme spam", "ne plus lui écrire ; appeler le client"),
        ),
        BounceClass::Delayed => (
            ("Delivery is delayed; the mail server keeps trying", "nothing to do yet"),
            ("La livraison est retardée ; le serveur réessaie", "rien à faire pour l'instant"),
        ),
        BounceClass::Delivered => {
            (("The email was delivered", "nothing to do"), ("L'email a été remis", "rien à faire"))
        }
        BounceClass::AutoReply => (
            ("An automatic reply (the guest may be away)", "nothing to do"),
            ("Une réponse automatique (le client est peut-être absent)", "rien à faire"),
        ),
        BounceClass::Hard | BounceClass::Soft => by_reason(reason(status, diagnostic), class),
    }
}

fn by_reason(reason: Reason, class: BounceClass) -> (Pair, Pair) {
    match reason {
        Reason::UserUnknown => (
            ("The mailbox does not exist", "check the address with the guest"),
            ("La boîte mail n'existe pas", "vérifier l'adresse avec le client"),
        ),
        Reason::HostUnknown | Reason::NotAccept => (
            ("The email domain does not exist or accepts no mail", "check the address with the guest"),
            ("Le domaine de l'adresse n'existe pas ou ne reçoit pas d'email", "vérifier l'adresse avec le client"),
        ),
        Reason::HasMoved => (
            ("The guest's address has changed", "ask the guest for the new address"),
            ("L'adresse du client a changé", "demander la nouvelle adresse au client"),
        ),
        Reason::MailboxFull => {
            (("Mailbox full", "try again later or call"), ("Boîte mail pleine", "réessayer plus tard ou appeler"))
        }
        Reason::Spam => (
            ("Rejected as spam by the guest's provider", "call the guest"),
            ("Refusé comme spam par le fournisseur du client", "appeler le client"),
        ),
        Reason::Blocked | Reason::Policy => (
            ("The guest's provider refused our mail server", "call the guest; tell the manager if it repeats"),
            (
                "Le fournisseur du client a refusé notre serveur",
                "appeler le client ; prévenir le responsable si cela se répète",
            ),
        ),
        Reason::TooBig => (
            ("The email was too large for the guest's mailbox", "call the guest"),
            ("L'email était trop gros pour la boîte du client", "appeler le client"),
        ),
        Reason::Suspended => (
            ("The guest's mailbox is disabled", "call the guest for another address"),
            ("La boîte mail du client est désactivée", "appeler le client pour une autre adresse"),
        ),
        Reason::Expired => (
            ("The guest's mail server could not be reached for days", "try again later or call"),
            ("Le serveur du client est resté injoignable", "réessayer plus tard ou appeler"),
        ),
        Reason::Filtered => (
            ("The guest's mailbox filter refused our email", "call the guest and ask them to allow our address"),
            (
                "Le filtre de la boîte du client a refusé notre email",
                "appeler le client pour qu'il autorise notre adresse",
            ),
        ),
        Reason::Temporary => (
            ("The guest's mail server failed temporarily", "try again later or call"),
            ("Le serveur du client a eu une panne temporaire", "réessayer plus tard ou appeler"),
        ),
        Reason::Other if class == BounceClass::Hard => (
            ("The address was refused for good", "check the address with the guest"),
            ("L'adresse a été refusée définitivement", "vérifier l'adresse avec le client"),
        ),
        Reason::Other => (
            ("The email could not be delivered", "try again later or call"),
            ("L'email n'a pas pu être remis", "réessayer plus tard ou appeler"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_the_common_cases_in_both_languages() {
        let e = explain(BounceClass::Hard, Some("5.1.1"), "550 5.1.1 User unknown", "en");
        assert_eq!((e.explanation, e.next_step), ("The mailbox does not exist", "check the address with the guest"));
        let e = explain(BounceClass::Soft, Some("5.2.2"), "552 Mailbox full", "fr");
        assert_eq!(e.explanation, "Boîte mail pleine");
        let e = explain(BounceClass::Soft, Some("5.7.1"), "554 message rejected as spam", "en");
        assert_eq!(e.next_step, "call the guest");
    }
}
