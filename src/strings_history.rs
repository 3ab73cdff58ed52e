//! The texts of the history panes (guest history, communication history, follow-up list,
//! delivery health) in English and French, kept apart from `strings.rs` until the panes are
//! wired into the app, then folded into it. The French uses the brief's own words: "Pas
//! encore ouvert", "Ouvert (X fois)", "Dernière ouverture : …".

use crate::domain::{EmailKind, EventKind, Language, MessageState};

/// One language's texts for the history panes.
#[derive(Debug)]
pub struct HistoryStrings {
    pub history_title: &'static str,
    pub comm_title: &'static str,
    pub followup_title: &'static str,
    pub address: &'static str,
    pub blocked: &'static str,
    pub not_blocked: &'static str,
    pub last_error: &'static str,
    pub forgotten: &'static str,
    pub no_emails: &'static str,
    pub not_opened_yet: &'static str,
    pub log_title: &'static str,
    pub by_person: &'static str,
    pub by_machine: &'static str,
    pub open: &'static str,
    pub bounce_report: &'static str,
    pub ip_erased: &'static str,
    /// Column heads: when, guest, address, kind, reservation, state, opens.
    pub cols: [&'static str; 7],
    /// Filter labels: kind, state, from, to, text, "all".
    pub filter: [&'static str; 6],
    pub no_match: &'static str,
    pub more: &'static str,
    /// Follow-up column heads: time, guest, party, phone, reason.
    pub followup_cols: [&'static str; 5],
    pub followup_empty: &'static str,
    pub followup_advice: &'static str,
    /// Hint words for r, e, v, Enter, Esc.
    pub followup_hints: [&'static str; 5],
    pub kinds: [&'static str; 6],
    pub states: [&'static str; 8],
    pub events: [&'static str; 15],
    /// Follow-up reasons: no confirmation, not sent yet, deferred, not opened, proxy only,
    /// bounced, failed, suppressed, uncertain.
    pub reasons: [&'static str; 9],
    pub health_none: &'static str,
    /// ": " in English, " : " in French.
    pub colon: &'static str,
    opened_times: fn(u32) -> String,
    opened_machine: fn(u32, u32) -> String,
    machine_only: fn(u32) -> String,
    last_opened: fn(&str) -> String,
    next_try: fn(&str) -> String,
    resend_of: fn(i64) -> String,
    errors: fn(u32) -> String,
    health: fn(&str, &str) -> String,
    below_target: fn(&str) -> String,
    decimal_comma: bool,
}

pub static EN: HistoryStrings = HistoryStrings {
    history_title: "History",
    comm_title: "Communication history",
    followup_title: "Follow-up",
    address: "Address",
    blocked: "blocked",
    not_blocked: "not blocked",
    last_error: "Last error",
    forgotten: "(personal data erased)",
    no_emails: "No email sent to this guest yet.",
    not_opened_yet: "Not opened yet",
    log_title: "What happened to this email",
    by_person: "by a person",
    by_machine: "by a machine",
    open: "opened",
    bounce_report: "bounce report",
    ip_erased: "client erased",
    cols: ["When", "Guest", "Address", "Kind", "Reservation", "State", "Opens"],
    filter: ["Kind", "State", "From", "To", "Search", "all"],
    no_match: "No email matches the filter.",
    more: "more below…",
    followup_cols: ["Time", "Guest", "Pers", "Phone", "Why call"],
    followup_empty: "Nobody to call: every confirmation was opened or confirmed by phone.",
    followup_advice: "Call to confirm, check the address, ask them to look in their spam folder, resend.",
    followup_hints: ["resend", "fix address", "confirmed by phone", "history", "close"],
    kinds: ["pending", "confirmation", "reminder", "cancellation", "after the meal", "manual"],
    states: ["queued", "sending", "sent", "deferred", "failed", "bounced", "not sent (blocked)", "uncertain"],
    events: [
        "queued",
        "sent",
        "deferred",
        "failed",
        "bounced",
        "opened",
        "complaint",
        "error counter reset",
        "resend",
        "suppressed (address blocked)",
        "uncertain",
        "status changed",
        "confirmed by phone",
        "address changed",
        "personal data erased",
    ],
    reasons: [
        "No confirmation email",
        "Not sent yet",
        "Deferred",
        "Not opened yet",
        "Only a mail-privacy proxy fetched it",
        "Bounced",
        "Failed",
        "Not sent: address blocked",
        "Uncertain: check, then resend",
    ],
    health_none: "Delivery (30 days): nothing sent yet",
    colon: ": ",
    opened_times: |n| if n == 1 { "Opened (once)".to_owned() } else { format!("Opened ({n} times)") },
    opened_machine: |n, m| {
        let times = if n == 1 { "once".to_owned() } else { format!("{n} times") };
        format!("Opened {times}, {m} by a mail-privacy proxy")
    },
    machine_only: |m| format!("Not opened yet (fetched {m}× by a mail-privacy proxy)"),
    last_opened: |at| format!("Last opened: {at}"),
    next_try: |at| format!("next try {at}"),
    resend_of: |id| format!("resend of #{id}"),
    errors: |n| if n == 1 { "1 error".to_owned() } else { format!("{n} errors") },
    health: |d, o| format!("Delivery (30 days): {d} delivered · {o} opened by a person"),
    below_target: |t| format!("below the {t} target"),
    decimal_comma: false,
};

pub static FR: HistoryStrings = HistoryStrings {
    history_title: "Historique",
    comm_title: "Historique de communication",
    followup_title: "Suivi",
    address: "Adresse",
    blocked: "bloquée",
    not_blocked: "non bloquée",
    last_error: "Dernière erreur",
    forgotten: "(données personnelles effacées)",
    no_emails: "Aucun e-mail envoyé à ce client.",
    not_opened_yet: "Pas encore ouvert",
    log_title: "Ce qui est arrivé à cet e-mail",
    by_person: "par une personne",
    by_machine: "par une machine",
    open: "ouvert",
    bounce_report: "rapport de rejet",
    ip_erased: "client effacé",
    cols: ["Quand", "Client", "Adresse", "Type", "Réservation", "État", "Ouvertures"],
    filter: ["Type", "État", "Du", "Au", "Recherche", "tous"],
    no_match: "Aucun e-mail ne correspond au filtre.",
    more: "suite plus bas…",
    followup_cols: ["Heure", "Client", "Pers", "Téléphone", "Pourquoi appeler"],
    followup_empty: "Personne à appeler : chaque confirmation a été ouverte ou confirmée par téléphone.",
    followup_advice: "Appeler pour confirmer, vérifier l'adresse, demander de regarder les spams, renvoyer.",
    followup_hints: ["renvoyer", "corriger l'adresse", "confirmé par téléphone", "historique", "fermer"],
    kinds: ["attente", "confirmation", "rappel", "annulation", "après le repas", "manuel"],
    states: [
        "en file",
        "en cours d'envoi",
        "envoyé",
        "différé",
        "échec",
        "rejeté",
        "non envoyé (bloquée)",
        "incertain",
    ],
    events: [
        "mis en file",
        "envoyé",
        "différé",
        "échec",
        "rejeté",
        "ouvert",
        "plainte",
        "compteur d'erreurs remis à zéro",
        "renvoi",
        "non envoyé (adresse bloquée)",
        "incertain",
        "statut modifié",
        "confirmé par téléphone",
        "adresse modifiée",
        "données personnelles effacées",
    ],
    reasons: [
        "Aucun e-mail de confirmation",
        "Pas encore envoyé",
        "Différé",
        "Pas encore ouvert",
        "Lu seulement par un proxy de confidentialité",
        "Rejeté",
        "Échec",
        "Non envoyé : adresse bloquée",
        "Incertain : vérifier puis renvoyer",
    ],
    health_none: "Délivrabilité (30 jours) : rien d'envoyé",
    colon: " : ",
    opened_times: |n| format!("Ouvert ({n} fois)"),
    opened_machine: |n, m| format!("Ouvert {n} fois, dont {m} par un proxy de confidentialité"),
    machine_only: |m| format!("Pas encore ouvert (lu {m}× par un proxy de confidentialité)"),
    last_opened: |at| format!("Dernière ouverture : {at}"),
    next_try: |at| format!("nouvel essai {at}"),
    resend_of: |id| format!("renvoi de n°{id}"),
    errors: |n| if n > 1 { format!("{n} erreurs") } else { format!("{n} erreur") },
    health: |d, o| format!("Délivrabilité (30 jours) : {d} délivrés · {o} ouverts par une personne"),
    below_target: |t| format!("sous l'objectif de {t}"),
    decimal_comma: true,
};

impl HistoryStrings {
    /// Dutch falls back to English, as in `strings.rs`.
    pub fn of(lang: Language) -> &'static HistoryStrings {
        match lang {
            Language::Fr => &FR,
            Language::En | Language::Nl => &EN,
        }
    }

    /// The opens of one email: "Not opened yet", "Opened (3 times)", "Opened 3 times, 1 by a
    /// mail-privacy proxy", or the proxy-only case. `machine` fetches never count as opened.
    pub fn opens(&self, human: u32, machine: u32) -> String {
        match (human, machine) {
            (0, 0) => self.not_opened_yet.to_owned(),
            (0, m) => (self.machine_only)(m),
            (h, 0) => (self.opened_times)(h),
            (h, m) => (self.opened_machine)(h + m, m),
        }
    }

    pub fn last_opened(&self, at: &str) -> String {
        (self.last_opened)(at)
    }

    pub fn next_try(&self, at: &str) -> String {
        (self.next_try)(at)
    }

    pub fn resend_of(&self, id: i64) -> String {
        (self.resend_of)(id)
    }

    pub fn errors(&self, n: u32) -> String {
        (self.errors)(n)
    }

    pub fn kind(&self, k: EmailKind) -> &'static str {
        self.kinds[EmailKind::ALL.iter().position(|x| *x == k).unwrap_or(0)]
    }

    pub fn state(&self, s: MessageState) -> &'static str {
        self.states[MessageState::ALL.iter().position(|x| *x == s).unwrap_or(0)]
    }

    pub fn event(&self, e: EventKind) -> &'static str {
        self.events[EventKind::ALL.iter().position(|x| *x == e).unwrap_or(0)]
    }

    /// "97.4%" / "97,4 %".
    pub fn percent(&self, share: f64) -> String {
        let text = format!("{:.1}", share * 100.0);
        if self.decimal_comma { format!("{} %", text.replace('.', ",")) } else { format!("{text}%") }
    }

    pub fn health(&self, delivered: f64, opened: f64) -> String {
        (self.health)(&self.percent(delivered), &self.percent(opened))
    }

    pub fn below_target(&self, target: f64) -> String {
        (self.below_target)(&self.percent(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_uses_the_brief_words_and_every_table_is_complete() {
        assert_eq!(FR.opens(0, 0), "Pas encore ouvert");
        assert_eq!(FR.opens(3, 0), "Ouvert (3 fois)");
        assert_eq!(FR.last_opened("23/11/2026 19:02"), "Dernière ouverture : 23/11/2026 19:02");
        assert_eq!(EN.opens(2, 1), "Opened 3 times, 1 by a mail-privacy proxy");
        assert_eq!(EN.opens(1, 0), "Opened (once)");
        assert_eq!(FR.percent(0.974), "97,4 %");
        assert_eq!(EN.percent(0.98), "98.0%");
        assert_eq!(EN.event(EventKind::Forgotten), "personal data erased");
        assert_eq!(EN.events.len(), EventKind::ALL.len());
        assert_eq!(EN.states.len(), MessageState::ALL.len());
        assert_eq!(FR.kind(EmailKind::Completed), "après le repas");
    }
}
