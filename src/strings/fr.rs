//! Français, with the product brief's own words.

use super::{BadgeWords, FieldWords, MarkerColumns, Strings};
use crate::domain::{AddressError, EmailKind, Language, MessageState};

pub static FR: Strings = Strings {
    language: Language::Fr,
    today: "aujourd'hui",
    loading: "Chargement…",
    col_time: "Heure",
    col_guest: "Client",
    col_party: "Pers",
    col_status: "Statut",
    col_phone: "Téléphone",
    col_markers: MarkerColumns { pending: "Att.", confirmed: "Conf", completed: "Fin" },
    empty_day: "Aucune réservation ce jour-là.",
    no_match: "Aucune réservation ne correspond au filtre.",
    filter_prompt: "Filtre",
    too_small: "Terminal trop petit : au moins 40×8",
    help_title: "Aide",
    help_keys: "Touches",
    help_legend: "Repères des e-mails",
    help_markers_order: "Trois repères par ligne : e-mails d'attente, de confirmation et de fin.",
    help_close: "Échap ou ? ferme l'aide",
    filter_keys: "en filtrant : tapez pour affiner, Retour arrière, Entrée garde, Échap efface",
    ctrl_c: "quitter",
    confirm_hint: "o/y oui · n/Échap non",
    load_failed: "Impossible de charger la journée",
    not_opened_yet: "Pas encore ouvert",
    last_opened: "Dernière ouverture",
    help_phone: "confirmée par téléphone (v, depuis la liste de suivi)",
    help_reply: "le client a répondu (voir l'historique)",
    help_more: "… la suite dans un terminal plus haut",
    already_forgotten: "Les données personnelles de ce client sont déjà effacées",
    confirmed_by_phone: |name| format!("{name} : confirmée par téléphone"),
    already_by_phone: |name| format!("{name} était déjà confirmée par téléphone"),
    forget_question: |name, email| {
        format!(
            "Effacer les données personnelles {} ({email}) ? Le nom, l'adresse, le téléphone et les IP \
             de ses ouvertures sont supprimés pour de bon ; seuls des comptes anonymes restent.",
            of(name)
        )
    },
    forgotten: |n| format!("Données personnelles effacées ; {n} e-mail(s) anonymisé(s)"),
    form_new_title: "Nouvelle réservation",
    form_email_title: "Adresse e-mail du client",
    form_labels: FieldWords {
        name: "Nom",
        email: "E-mail",
        phone: "Téléphone",
        party: "Pers.",
        date: "Date",
        time: "Heure",
        language: "Langue",
    },
    form_examples: FieldWords {
        name: "Anna Peeters",
        email: "anna@example.org",
        phone: "+32 470 12 34 56",
        party: "2",
        date: "23/11/2026",
        time: "19:30",
        language: "fr, en ou nl",
    },
    form_hint: "Tab / Maj-Tab : champ suivant / précédent    Entrée : enregistrer    Échap : annuler",
    form_hint_one_field: "Entrée : enregistrer    Échap : annuler",
    no_selection: "Aucune réservation sélectionnée",
    tracking_off: "Suivi des ouvertures désactivé",
    blocked_badge: "BLOQUÉ",
    help_badges: BadgeWords {
        errors: "des messages d'erreur sont revenus pour cette adresse (! montre le dernier)",
        blocked: "trop d'erreurs : plus rien n'est envoyé avant une remise à zéro (Suppr)",
    },
    no_errors: "Aucune erreur enregistrée pour cette adresse",
    last_error_title: "Dernière erreur",
    last_error_close: "Échap ferme    Suppr / D remet le compteur à zéro",
    reset_question: |email, n| {
        format!(
            "Remettre à zéro le compteur d'erreurs de {email} ({n} erreurs) ? Les e-mails lui seront à nouveau envoyés."
        )
    },
    counter_reset: |to| format!("Compteur d'erreurs remis à zéro pour {to} : l'adresse est libre"),
    sending_off: "Envoi désactivé",
    bounces_off: "Les retours en erreur ne sont pas relevés",
    replies_off: "Les réponses des clients ne sont pas relevées",
    command_failed: "Non enregistré",
    address_error: |e| match e {
        AddressError::Empty => "l'adresse e-mail est vide".to_owned(),
        AddressError::NoAt(a) => format!("« {a} » n'a pas de @"),
        AddressError::NoLocalPart(a) => format!("« {a} » n'a rien avant le @"),
        AddressError::BadDomain(a) => format!("« {a} » n'a pas de domaine avec un point après le @"),
        AddressError::BadCharacter(a) => format!("« {a} » contient une espace ou un caractère de contrôle"),
        AddressError::TooLong(a) => format!("« {a} » dépasse 254 caractères"),
    },
    transition: |from, to| format!("Une réservation « {from} » ne peut pas devenir « {to} »"),
    cancel_question: |name, time| format!("Annuler la réservation {} à {time} ?", of(name)),
    complete_question: |name, time| format!("Réservation {} ({time}) terminée ?", of(name)),
    no_show_question: |name, time| format!("Passer la réservation {} ({time}) en « absent » ?", of(name)),
    complete_early_question: |time| format!("Le repas est à {time}. Le marquer terminé maintenant ?"),
    no_show_early_question: |time| format!("La réservation est à {time}. Marquer le client absent maintenant ?"),
    resend_to_new: |email| format!("Adresse changée en {email}. Lui renvoyer la confirmation ?"),
    status_changed: |name, status, queued| {
        if queued { format!("{name} : {status}, e-mail en file") } else { format!("{name} : {status}") }
    },
    created: |name, day| format!("Réservation ajoutée pour {name} le {day}"),
    blocked: |n| match n {
        Some(n) => format!("Non envoyé : adresse bloquée après {n} erreurs"),
        None => "Non envoyé : adresse bloquée".to_owned(),
    },
    email_changed: |email| format!("Adresse e-mail changée en {email}"),
    mail_report: |kind, state, to, detail| {
        // The participle agrees with the email's name: "Confirmation : envoyée".
        let (what, e) = match kind {
            EmailKind::Pending => ("E-mail d'attente", ""),
            EmailKind::Confirmed => ("Confirmation", "e"),
            EmailKind::Reminder => ("Rappel", ""),
            EmailKind::Cancelled => ("Annulation", "e"),
            EmailKind::Completed => ("Remerciement", ""),
            EmailKind::Manual => ("E-mail", ""),
        };
        match state {
            MessageState::Sent => format!("{what} : envoyé{e} à {to}"),
            MessageState::Deferred => format!("{what} pour {to} retardé{e}, nouvel essai plus tard : {detail}"),
            MessageState::Suppressed => format!("{what} pour {to} non envoyé{e} : adresse bloquée"),
            MessageState::Uncertain => format!("{what} pour {to} interrompu{e} : vérifier puis renvoyer"),
            _ => format!("{what} pour {to} refusé{e} : {detail}"),
        }
    },
    opened_times: |n| format!("Ouvert ({n} fois)"),
    counts: |r, c| {
        let rs = if r > 1 { "réservations" } else { "réservation" };
        let cs = if c > 1 { "couverts" } else { "couvert" };
        format!("{r} {rs} · {c} {cs}")
    },
    cancelled_count: |n| if n > 1 { format!("{n} annulées") } else { format!("{n} annulée") },
    no_show_count: |n| if n > 1 { format!("{n} absents") } else { format!("{n} absent") },
    matches: |shown, total| format!("{shown} sur {total}"),
};

/// "de Bram Peeters", "d'Amélie Martin": French elides "de" before a vowel.
fn of(name: &str) -> String {
    let vowel = name.chars().next().is_some_and(|c| "aeiouyàâäéèêëîïôöùûüAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ".contains(c));
    if vowel { format!("d'{name}") } else { format!("de {name}") }
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn de_is_elided_before_a_vowel() {
        for (name, said) in [
            ("Amélie Martin", "d'Amélie Martin"),
            ("Élodie Laurent", "d'Élodie Laurent"),
            ("Inès Dubois", "d'Inès Dubois"),
            ("Bram Peeters", "de Bram Peeters"),
            ("Hugo Moreau", "de Hugo Moreau"),
            ("", "de "),
        ] {
            assert_eq!(of(name), said);
        }
    }
}
