//! What the journey's answers say to staff: refusals, questions before sending again, the
//! emails held while an address was blocked, and why an email was withdrawn. In English,
//! French and Dutch; one `match` per text on the language, so a missing translation is a
//! compile error.

use chrono::NaiveDateTime;

use crate::domain::{EmailKind, Language, ReservationStatus};
use crate::journey::{Ask, Refusal, Withdrawal};

/// The journey's texts in one language: `strings.journey()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JourneyText(pub Language);

fn status(lang: Language, s: ReservationStatus) -> &'static str {
    use ReservationStatus::{Cancelled, Completed, Confirmed, NoShow, Pending};
    match (lang, s) {
        (Language::En, Pending) => "pending",
        (Language::En, Confirmed) => "confirmed",
        (Language::En, Completed) => "completed",
        (Language::En, Cancelled) => "cancelled",
        (Language::En, NoShow) => "no-show",
        (Language::Fr, Pending) => "en attente",
        (Language::Fr, Confirmed) => "confirmée",
        (Language::Fr, Completed) => "terminée",
        (Language::Fr, Cancelled) => "annulée",
        (Language::Fr, NoShow) => "absent",
        (Language::Nl, Pending) => "in afwachting",
        (Language::Nl, Confirmed) => "bevestigd",
        (Language::Nl, Completed) => "afgerond",
        (Language::Nl, Cancelled) => "geannuleerd",
        (Language::Nl, NoShow) => "niet komen opdagen",
    }
}

fn hm(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

fn dmy_hm(t: NaiveDateTime) -> String {
    t.format("%d/%m/%Y %H:%M").to_string()
}

impl JourneyText {
    /// The email's name as the subject of a sentence: "Confirmation", "La confirmation".
    pub fn kind(self, kind: EmailKind) -> &'static str {
        use EmailKind::{Cancelled, Completed, Confirmed, Manual, Pending, Reminder};
        match (self.0, kind) {
            (Language::En, Pending) => "Request email",
            (Language::En, Confirmed) => "Confirmation",
            (Language::En, Reminder) => "Reminder",
            (Language::En, Cancelled) => "Cancellation",
            (Language::En, Completed) => "Thank-you email",
            (Language::En, Manual) => "Email",
            (Language::Fr, Pending) => "L'accusé de demande",
            (Language::Fr, Confirmed) => "La confirmation",
            (Language::Fr, Reminder) => "Le rappel",
            (Language::Fr, Cancelled) => "L'annulation",
            (Language::Fr, Completed) => "Le remerciement",
            (Language::Fr, Manual) => "L'e-mail",
            (Language::Nl, Pending) => "De aanvraagmail",
            (Language::Nl, Confirmed) => "De bevestiging",
            (Language::Nl, Reminder) => "De herinnering",
            (Language::Nl, Cancelled) => "De annulering",
            (Language::Nl, Completed) => "De bedankmail",
            (Language::Nl, Manual) => "De e-mail",
        }
    }

    /// Why the rules refuse an action.
    pub fn refusal(self, r: &Refusal) -> String {
        let lang = self.0;
        match (lang, r) {
            (_, Refusal::Transition(t)) => match lang {
                Language::En => format!("A {} reservation cannot become {}", status(lang, t.from), status(lang, t.to)),
                Language::Fr => {
                    format!("Une réservation {} ne peut pas devenir {}", status(lang, t.from), status(lang, t.to))
                }
                Language::Nl => {
                    format!("Een reservering die {} is kan niet {} worden", status(lang, t.from), status(lang, t.to))
                }
            },
            (Language::En, Refusal::NotYet { starts_at, .. }) => {
                format!("The meal is at {}: it has not happened yet", hm(*starts_at))
            }
            (Language::Fr, Refusal::NotYet { starts_at, .. }) => {
                format!("Le repas est à {} : il n'a pas encore eu lieu", hm(*starts_at))
            }
            (Language::Nl, Refusal::NotYet { starts_at, .. }) => {
                format!("De maaltijd is om {}: die heeft nog niet plaatsgevonden", hm(*starts_at))
            }
            (Language::En, Refusal::Past { starts_at }) => {
                format!("The reservation time ({}) has passed", dmy_hm(*starts_at))
            }
            (Language::Fr, Refusal::Past { starts_at }) => {
                format!("L'heure de la réservation ({}) est passée", dmy_hm(*starts_at))
            }
            (Language::Nl, Refusal::Past { starts_at }) => {
                format!("Het tijdstip van de reservering ({}) is voorbij", dmy_hm(*starts_at))
            }
            (Language::En, Refusal::FutureOutcome { status: s, starts_at }) => {
                format!("A reservation still to come ({}) cannot be {}", dmy_hm(*starts_at), status(lang, *s))
            }
            (Language::Fr, Refusal::FutureOutcome { status: s, starts_at }) => {
                format!("Une réservation à venir ({}) ne peut pas être {}", dmy_hm(*starts_at), status(lang, *s))
            }
            (Language::Nl, Refusal::FutureOutcome { status: s, starts_at }) => {
                format!("Een komende reservering ({}) kan niet {} zijn", dmy_hm(*starts_at), status(lang, *s))
            }
            (Language::En, Refusal::PartySize { max, .. }) => format!("The party size must be from 1 to {max}"),
            (Language::Fr, Refusal::PartySize { max, .. }) => format!("Le nombre de couverts doit aller de 1 à {max}"),
            (Language::Nl, Refusal::PartySize { max, .. }) => format!("Het aantal personen moet van 1 tot {max} zijn"),
            (Language::En, Refusal::WrongKind { kind, status: s }) => {
                format!("{} does not fit a {} reservation", self.kind(*kind), status(lang, *s))
            }
            (Language::Fr, Refusal::WrongKind { kind, status: s }) => {
                format!("{} ne convient pas à une réservation {}", self.kind(*kind), status(lang, *s))
            }
            (Language::Nl, Refusal::WrongKind { kind, status: s }) => {
                format!("{} past niet bij een reservering die {} is", self.kind(*kind), status(lang, *s))
            }
            (Language::En, Refusal::StillWaiting { kind }) => {
                format!("{} is still waiting in the outbox: it will go out on its own", self.kind(*kind))
            }
            (Language::Fr, Refusal::StillWaiting { kind }) => {
                format!("{} attend encore dans la file d'envoi : il partira de lui-même", self.kind(*kind))
            }
            (Language::Nl, Refusal::StillWaiting { kind }) => {
                format!("{} wacht nog in de verzendrij: die gaat vanzelf weg", self.kind(*kind))
            }
            (Language::En, Refusal::Blocked { kind }) => {
                format!("{} is already held: the address is blocked until its counter is reset", self.kind(*kind))
            }
            (Language::Fr, Refusal::Blocked { kind }) => format!(
                "{} est déjà retenu : l'adresse est bloquée jusqu'à la remise à zéro du compteur",
                self.kind(*kind)
            ),
            (Language::Nl, Refusal::Blocked { kind }) => format!(
                "{} wordt al vastgehouden: het adres is geblokkeerd tot de teller op nul staat",
                self.kind(*kind)
            ),
        }
    }

    /// The question before sending an email again; `to` is the masked address, `last` the
    /// last open, written for staff.
    pub fn ask(self, ask: &Ask, to: &str, last: Option<&str>) -> String {
        match (self.0, ask) {
            (Language::En, Ask::Cooldown { kind, seconds_ago }) => {
                format!("{} sent {seconds_ago} s ago to {to}. Send again?", self.kind(*kind))
            }
            (Language::Fr, Ask::Cooldown { kind, seconds_ago }) => {
                format!("{} a été envoyé il y a {seconds_ago} s à {to}. Renvoyer ?", self.kind(*kind))
            }
            (Language::Nl, Ask::Cooldown { kind, seconds_ago }) => {
                format!("{} is {seconds_ago} s geleden naar {to} verstuurd. Opnieuw versturen?", self.kind(*kind))
            }
            (Language::En, Ask::Uncertain { kind }) => format!(
                "Sending {} to {to} was interrupted: it may already have arrived. Send it again?",
                self.the(*kind)
            ),
            (Language::Fr, Ask::Uncertain { kind }) => {
                format!("Envoi interrompu ({}) à {to} : il est peut-être déjà arrivé. Renvoyer ?", self.the(*kind))
            }
            (Language::Nl, Ask::Uncertain { kind }) => format!(
                "Het versturen van {} naar {to} werd onderbroken: misschien is die al aangekomen. Opnieuw versturen?",
                self.the(*kind)
            ),
            (lang, Ask::Opened { kind, opens, .. }) => {
                let last = last.map(|l| match lang {
                    Language::En => format!(", last on {l}"),
                    Language::Fr => format!(", la dernière fois le {l}"),
                    Language::Nl => format!(", laatst op {l}"),
                });
                let last = last.unwrap_or_default();
                let the = self.the(*kind);
                match lang {
                    Language::En => {
                        let times = if *opens == 1 { "once".to_owned() } else { format!("{opens} times") };
                        format!("The guest already opened {the} ({times}{last}). Send it again?")
                    }
                    Language::Fr => format!("Le client a déjà ouvert {the} ({opens} fois{last}). Renvoyer ?"),
                    Language::Nl => format!("De gast heeft {the} al geopend ({opens} keer{last}). Opnieuw versturen?"),
                }
            }
        }
    }

    /// The email's name inside a sentence: "the confirmation", "la confirmation".
    fn the(self, kind: EmailKind) -> String {
        let name = self.kind(kind);
        match self.0 {
            Language::En => format!("the {}", name.to_lowercase()),
            Language::Fr | Language::Nl => {
                let mut chars = name.chars();
                chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
            }
        }
    }

    /// After a queued resend.
    pub fn resend_queued(self, kind: EmailKind, to: &str) -> String {
        match self.0 {
            Language::En => format!("{} queued for {to}", self.kind(kind)),
            Language::Fr => format!("{} est en file pour {to}", self.kind(kind)),
            Language::Nl => format!("{} staat klaar voor {to}", self.kind(kind)),
        }
    }

    /// A change came too late to withdraw an email that was being sent at that moment.
    pub fn in_flight(self, kind: EmailKind) -> String {
        match self.0 {
            Language::En => format!("{} was already being sent: it may still arrive", self.kind(kind)),
            Language::Fr => format!("{} partait déjà : il peut encore arriver", self.kind(kind)),
            Language::Nl => format!("{} werd al verstuurd: die kan nog aankomen", self.kind(kind)),
        }
    }

    /// After a counter reset, when emails were held while the address was blocked.
    pub fn held_question(self, n: usize) -> String {
        match (self.0, n) {
            (Language::En, 1) => "1 email was held while blocked. Send it now?".to_owned(),
            (Language::En, n) => format!("{n} emails were held while blocked. Send them now?"),
            (Language::Fr, 1) => "1 e-mail a été retenu pendant le blocage. L'envoyer maintenant ?".to_owned(),
            (Language::Fr, n) => format!("{n} e-mails ont été retenus pendant le blocage. Les envoyer maintenant ?"),
            (Language::Nl, 1) => "1 e-mail werd vastgehouden tijdens de blokkering. Nu versturen?".to_owned(),
            (Language::Nl, n) => format!("{n} e-mails werden vastgehouden tijdens de blokkering. Nu versturen?"),
        }
    }

    pub fn held_queued(self, n: usize) -> String {
        match self.0 {
            Language::En => format!("{n} held emails queued"),
            Language::Fr => format!("{n} e-mails retenus mis en file"),
            Language::Nl => format!("{n} vastgehouden e-mails klaargezet"),
        }
    }

    /// Why an email was withdrawn, as the history shows it.
    pub fn withdrawn(self, why: Withdrawal) -> String {
        let reason = match (self.0, why) {
            (Language::En, Withdrawal::Cancelled) => "reservation cancelled",
            (Language::En, Withdrawal::Confirmed) => "reservation confirmed",
            (Language::En, Withdrawal::NoShow) => "the guest did not come",
            (Language::En, Withdrawal::Completed) => "the meal is over",
            (Language::En, Withdrawal::TimePassed) => "the reservation time has passed",
            (Language::En, Withdrawal::ConfirmationFailed) => "the confirmation did not reach the guest",
            (Language::En, Withdrawal::AddressBlocked) => "the address is blocked",
            (Language::Fr, Withdrawal::Cancelled) => "réservation annulée",
            (Language::Fr, Withdrawal::Confirmed) => "réservation confirmée",
            (Language::Fr, Withdrawal::NoShow) => "le client n'est pas venu",
            (Language::Fr, Withdrawal::Completed) => "le repas est terminé",
            (Language::Fr, Withdrawal::TimePassed) => "l'heure de la réservation est passée",
            (Language::Fr, Withdrawal::ConfirmationFailed) => "la confirmation n'est pas arrivée",
            (Language::Fr, Withdrawal::AddressBlocked) => "adresse bloquée",
            (Language::Nl, Withdrawal::Cancelled) => "reservering geannuleerd",
            (Language::Nl, Withdrawal::Confirmed) => "reservering bevestigd",
            (Language::Nl, Withdrawal::NoShow) => "de gast is niet gekomen",
            (Language::Nl, Withdrawal::Completed) => "de maaltijd is voorbij",
            (Language::Nl, Withdrawal::TimePassed) => "het tijdstip van de reservering is voorbij",
            (Language::Nl, Withdrawal::ConfirmationFailed) => "de bevestiging is niet aangekomen",
            (Language::Nl, Withdrawal::AddressBlocked) => "adres geblokkeerd",
        };
        match self.0 {
            Language::En => format!("withdrawn: {reason}"),
            Language::Fr => format!("retiré : {reason}"),
            Language::Nl => format!("ingetrokken: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn the_cooldown_question_names_the_email_the_delay_and_the_masked_address() {
        let ask = Ask::Cooldown { kind: EmailKind::Confirmed, seconds_ago: 12 };
        assert_eq!(
            JourneyText(Language::En).ask(&ask, "a…@example.org", None),
            "Confirmation sent 12 s ago to a…@example.org. Send again?"
        );
        assert!(JourneyText(Language::Fr).ask(&ask, "a…@example.org", None).contains("il y a 12 s"));
    }

    #[test]
    fn every_refusal_and_reason_reads_in_every_language() {
        let at = NaiveDate::from_ymd_opt(2026, 12, 5).and_then(|d| d.and_hms_opt(20, 0, 0)).unwrap_or_default();
        for lang in Language::ALL {
            let t = JourneyText(*lang);
            let text = t.refusal(&Refusal::NotYet { to: ReservationStatus::Completed, starts_at: at });
            assert!(text.contains("20:00"), "{lang}: {text}");
            assert!(t.refusal(&Refusal::Past { starts_at: at }).contains("05/12/2026 20:00"));
            for w in Withdrawal::ALL {
                assert!(t.withdrawn(w).len() > 10, "{lang} {w:?}");
            }
            assert!(t.held_question(3).contains('3'));
        }
        assert_eq!(JourneyText(Language::En).held_question(3), "3 emails were held while blocked. Send them now?");
    }
}
