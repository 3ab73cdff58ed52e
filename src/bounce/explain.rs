//! Plain-language explanations of a bounce for the host stand, with the next step to take,
//! in the staff's language (English, French or Dutch).

use super::classify::reason;
use crate::diagnostic_words::Reason;
use crate::domain::BounceClass;

/// What happened and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub explanation: &'static str,
    pub next_step: &'static str,
}

/// Explains one error: its class, status code and diagnostic, in `lang` (`fr`, `nl`, else
/// English).
pub fn explain(class: BounceClass, status: Option<&str>, diagnostic: &str, lang: &str) -> Explanation {
    let [en, fr, nl] = texts(class, status, diagnostic);
    let (explanation, next_step) = match lang.to_ascii_lowercase().as_str() {
        "fr" => fr,
        "nl" => nl,
        _ => en,
    };
    Explanation { explanation, next_step }
}

type Pair = (&'static str, &'static str);

/// What happened and the next step, in English, French and Dutch.
fn texts(class: BounceClass, status: Option<&str>, diagnostic: &str) -> [Pair; 3] {
    match class {
        BounceClass::Complaint => [
            ("The guest marked our email as spam", "do not email again; call the guest"),
            ("Le client a signalé notre email comme spam", "ne plus lui écrire ; appeler le client"),
            ("De gast markeerde onze e-mail als spam", "niet meer mailen; de gast bellen"),
        ],
        BounceClass::Delayed => [
            ("Delivery is delayed; the mail server keeps trying", "nothing to do yet"),
            ("La livraison est retardée ; le serveur réessaie", "rien à faire pour l'instant"),
            ("De aflevering is vertraagd; de mailserver blijft proberen", "nog niets te doen"),
        ],
        BounceClass::Delivered => [
            ("The email was delivered", "nothing to do"),
            ("L'email a été remis", "rien à faire"),
            ("De e-mail werd afgeleverd", "niets te doen"),
        ],
        BounceClass::AutoReply => [
            ("An automatic reply (the guest may be away)", "nothing to do"),
            ("Une réponse automatique (le client est peut-être absent)", "rien à faire"),
            ("Een automatisch antwoord (de gast is misschien weg)", "niets te doen"),
        ],
        BounceClass::Hard | BounceClass::Soft => by_reason(reason(status, diagnostic), class),
    }
}

fn by_reason(reason: Reason, class: BounceClass) -> [Pair; 3] {
    match reason {
        Reason::UserUnknown => [
            ("The mailbox does not exist", "check the address with the guest"),
            ("La boîte mail n'existe pas", "vérifier l'adresse avec le client"),
            ("De mailbox bestaat niet", "het adres nakijken met de gast"),
        ],
        Reason::HostUnknown | Reason::NotAccept => [
            ("The email domain does not exist or accepts no mail", "check the address with the guest"),
            ("Le domaine de l'adresse n'existe pas ou ne reçoit pas d'email", "vérifier l'adresse avec le client"),
            ("Het domein van het adres bestaat niet of ontvangt geen mail", "het adres nakijken met de gast"),
        ],
        Reason::HasMoved => [
            ("The guest's address has changed", "ask the guest for the new address"),
            ("L'adresse du client a changé", "demander la nouvelle adresse au client"),
            ("Het adres van de gast is veranderd", "de gast om het nieuwe adres vragen"),
        ],
        Reason::MailboxFull => [
            ("Mailbox full", "try again later or call"),
            ("Boîte mail pleine", "réessayer plus tard ou appeler"),
            ("Mailbox vol", "later opnieuw proberen of bellen"),
        ],
        Reason::Spam => [
            ("Rejected as spam by the guest's provider", "call the guest"),
            ("Refusé comme spam par le fournisseur du client", "appeler le client"),
            ("Als spam geweigerd door de provider van de gast", "de gast bellen"),
        ],
        Reason::Blocked | Reason::Policy => [
            ("The guest's provider refused our mail server", "call the guest; tell the manager if it repeats"),
            (
                "Le fournisseur du client a refusé notre serveur",
                "appeler le client ; prévenir le responsable si cela se répète",
            ),
            (
                "De provider van de gast weigerde onze mailserver",
                "de gast bellen; de verantwoordelijke verwittigen als het zich herhaalt",
            ),
        ],
        Reason::TooBig => [
            ("The email was too large for the guest's mailbox", "call the guest"),
            ("L'email était trop gros pour la boîte du client", "appeler le client"),
            ("De e-mail was te groot voor de mailbox van de gast", "de gast bellen"),
        ],
        Reason::Suspended => [
            ("The guest's mailbox is disabled", "call the guest for another address"),
            ("La boîte mail du client est désactivée", "appeler le client pour une autre adresse"),
            ("De mailbox van de gast is uitgeschakeld", "de gast bellen voor een ander adres"),
        ],
        Reason::Expired => [
            ("The guest's mail server could not be reached for days", "try again later or call"),
            ("Le serveur du client est resté injoignable", "réessayer plus tard ou appeler"),
            ("De mailserver van de gast was dagenlang onbereikbaar", "later opnieuw proberen of bellen"),
        ],
        Reason::Filtered => [
            ("The guest's mailbox filter refused our email", "call the guest and ask them to allow our address"),
            (
                "Le filtre de la boîte du client a refusé notre email",
                "appeler le client pour qu'il autorise notre adresse",
            ),
            ("De mailfilter van de gast weigerde onze e-mail", "de gast bellen en vragen ons adres toe te laten"),
        ],
        Reason::Temporary => [
            ("The guest's mail server failed temporarily", "try again later or call"),
            ("Le serveur du client a eu une panne temporaire", "réessayer plus tard ou appeler"),
            ("De mailserver van de gast had een tijdelijke storing", "later opnieuw proberen of bellen"),
        ],
        Reason::Other if class == BounceClass::Hard => [
            ("The address was refused for good", "check the address with the guest"),
            ("L'adresse a été refusée définitivement", "vérifier l'adresse avec le client"),
            ("Het adres werd definitief geweigerd", "het adres nakijken met de gast"),
        ],
        Reason::Other => [
            ("The email could not be delivered", "try again later or call"),
            ("L'email n'a pas pu être remis", "réessayer plus tard ou appeler"),
            ("De e-mail kon niet afgeleverd worden", "later opnieuw proberen of bellen"),
        ],
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
        let e = explain(BounceClass::Hard, Some("5.1.1"), "550 5.1.1 User unknown", "nl");
        assert_eq!(e.explanation, "De mailbox bestaat niet");
    }
}
