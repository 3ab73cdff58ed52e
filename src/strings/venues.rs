//! What `guestmail venue`, `--venue` and `guestmail migrate-store` say when the venues'
//! rules (src/venue.rs) refuse: in English, French and Dutch, one `match` per text on the
//! language, so a missing translation is a compile error.

use crate::domain::Language;
use crate::venue::{VenueChoiceError, VenueRefusal};

/// Why a new venue was refused, and what to do instead.
pub fn refusal(lang: Language, r: &VenueRefusal) -> String {
    use VenueRefusal::{BadReplyTo, BadSender, EmptyName, NameTaken, SenderTaken, UnknownTimeZone};
    match (lang, r) {
        (Language::En, EmptyName) => "the venue needs a name (--name)".into(),
        (Language::Fr, EmptyName) => "le restaurant a besoin d'un nom (--name)".into(),
        (Language::Nl, EmptyName) => "het restaurant heeft een naam nodig (--name)".into(),
        (Language::En, NameTaken(n)) => format!("there is already a venue named {n}: choose another name"),
        (Language::Fr, NameTaken(n)) => format!("un restaurant s'appelle déjà {n} : choisir un autre nom"),
        (Language::Nl, NameTaken(n)) => format!("er is al een restaurant met de naam {n}: kies een andere naam"),
        (Language::En, BadSender(e)) => format!("the sender address is not valid: {e}"),
        (Language::Fr, BadSender(e)) => format!("l'adresse d'expéditeur n'est pas valide : {e}"),
        (Language::Nl, BadSender(e)) => format!("het afzenderadres is niet geldig: {e}"),
        (Language::En, BadReplyTo(e)) => format!("the reply-to address is not valid: {e}"),
        (Language::Fr, BadReplyTo(e)) => format!("l'adresse de réponse n'est pas valide : {e}"),
        (Language::Nl, BadReplyTo(e)) => format!("het antwoordadres is niet geldig: {e}"),
        (Language::En, UnknownTimeZone(z)) => {
            format!("the time zone {z} is not known: give its name in the zone database, e.g. Europe/Brussels")
        }
        (Language::Fr, UnknownTimeZone(z)) => {
            format!(
                "le fuseau horaire {z} est inconnu : donner son nom de la base des fuseaux, par exemple Europe/Brussels"
            )
        }
        (Language::Nl, UnknownTimeZone(z)) => {
            format!("de tijdzone {z} is onbekend: geef haar naam uit de tijdzonedatabank, bijvoorbeeld Europe/Brussels")
        }
        (Language::En, SenderTaken { sender, venue, suggestion }) => format!(
            "{sender} already sends for {venue}: give each venue its own sender on the group's sending \
             domain, e.g. {suggestion}. Mail programs remember the first display name they saw for a \
             sender address, so a shared From would show guests the wrong restaurant's name"
        ),
        (Language::Fr, SenderTaken { sender, venue, suggestion }) => format!(
            "{sender} envoie déjà pour {venue} : donner à chaque restaurant son propre expéditeur sur le \
             domaine d'envoi du groupe, par exemple {suggestion}. Les logiciels de messagerie retiennent \
             le premier nom affiché vu pour une adresse d'expéditeur : un From partagé montrerait aux \
             clients le nom d'un autre restaurant"
        ),
        (Language::Nl, SenderTaken { sender, venue, suggestion }) => format!(
            "{sender} verstuurt al voor {venue}: geef elk restaurant een eigen afzender op het \
             verzenddomein van de groep, bijvoorbeeld {suggestion}. Mailprogramma's onthouden de eerste \
             weergavenaam die ze bij een afzenderadres zagen, dus een gedeelde From zou gasten de naam \
             van het verkeerde restaurant tonen"
        ),
    }
}

/// Why no venue could be chosen, with the venues there are.
pub fn choice(lang: Language, e: &VenueChoiceError) -> String {
    match (lang, e) {
        (Language::En, VenueChoiceError::Unknown { wanted, known }) => {
            format!("no venue is named {wanted}; the venues are: {}", known.join(", "))
        }
        (Language::Fr, VenueChoiceError::Unknown { wanted, known }) => {
            format!("aucun restaurant ne s'appelle {wanted} ; les restaurants sont : {}", known.join(", "))
        }
        (Language::Nl, VenueChoiceError::Unknown { wanted, known }) => {
            format!("geen restaurant heet {wanted}; de restaurants zijn: {}", known.join(", "))
        }
        (Language::En, VenueChoiceError::Ambiguous { known }) => format!(
            "this database holds several venues: choose one with --venue NAME (or `venue` in the config): {}",
            known.join(", ")
        ),
        (Language::Fr, VenueChoiceError::Ambiguous { known }) => format!(
            "cette base contient plusieurs restaurants : en choisir un avec --venue NOM (ou `venue` dans la configuration) : {}",
            known.join(", ")
        ),
        (Language::Nl, VenueChoiceError::Ambiguous { known }) => format!(
            "deze database bevat meerdere restaurants: kies er een met --venue NAAM (of `venue` in de configuratie): {}",
            known.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_sender_refusal_says_why_and_suggests_in_every_language() {
        let r = VenueRefusal::SenderTaken {
            sender: "hello@group.example".into(),
            venue: "Bistro".into(),
            suggestion: "brasserie@mail.group.example".into(),
        };
        let why = [(Language::En, "display name"), (Language::Fr, "nom affiché"), (Language::Nl, "weergavenaam")];
        for (lang, word) in why {
            let text = refusal(lang, &r);
            assert!(text.contains("brasserie@mail.group.example") && text.contains("Bistro"), "{text}");
            assert!(text.contains(word), "{lang:?}: {text}");
        }
        let texts: Vec<String> = [Language::En, Language::Fr, Language::Nl].iter().map(|l| refusal(*l, &r)).collect();
        assert!(texts[0] != texts[1] && texts[1] != texts[2]);
    }
}
