//! Every string a user reads on the screen, in English and French (Dutch falls back to
//! English until someone translates it). The French uses the product brief's own words.

use chrono::{Datelike as _, NaiveDate};

use crate::action::Action;
use crate::domain::{Language, Marker, ReservationStatus};

/// One language's texts. Plain fields so a missing translation is a compile error.
#[derive(Debug)]
pub struct Strings {
    pub weekdays: [&'static str; 7],
    pub months: [&'static str; 12],
    pub today: &'static str,
    pub loading: &'static str,
    pub col_time: &'static str,
    pub col_guest: &'static str,
    pub col_party: &'static str,
    pub col_status: &'static str,
    pub col_phone: &'static str,
    /// Column heads of the pending, confirmed and completed email markers.
    pub col_markers: [&'static str; 3],
    pub empty_day: &'static str,
    pub no_match: &'static str,
    pub filter_prompt: &'static str,
    pub too_small: &'static str,
    pub help_title: &'static str,
    pub help_keys: &'static str,
    pub help_legend: &'static str,
    pub help_markers_order: &'static str,
    pub help_close: &'static str,
    pub filter_keys: &'static str,
    pub ctrl_c: &'static str,
    pub confirm_hint: &'static str,
    pub load_failed: &'static str,
    pub not_opened_yet: &'static str,
    pub last_opened: &'static str,
    /// Footer hint words for: move, day, today, filter, help, quit.
    pub hints: [&'static str; 6],
    /// Footer legend words for: opened, sent, queued, failed.
    pub legend_short: [&'static str; 4],
    opened_times: fn(u32) -> String,
    counts: fn(usize, u32) -> String,
    matches: fn(usize, usize) -> String,
    statuses: [&'static str; 5],
    markers: [&'static str; 7],
    actions: [&'static str; 12],
}

pub static EN: Strings = Strings {
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    today: "today",
    loading: "Loading…",
    col_time: "Time",
    col_guest: "Guest",
    col_party: "Pers",
    col_status: "Status",
    col_phone: "Phone",
    col_markers: ["Pend", "Conf", "Done"],
    empty_day: "No reservations on this day.",
    no_match: "No reservation matches the filter.",
    filter_prompt: "Filter",
    too_small: "Terminal too small: make it at least 40×8",
    help_title: "Help",
    help_keys: "Keys",
    help_legend: "Email markers",
    help_markers_order: "Three markers per row: the pending, confirmed and completed emails.",
    help_close: "Esc or ? closes this help",
    filter_keys: "while filtering: type to narrow, Backspace, Enter keeps, Esc clears",
    ctrl_c: "quit",
    confirm_hint: "y / Enter: yes    n / Esc: no",
    load_failed: "Could not load the day",
    not_opened_yet: "Not opened yet",
    last_opened: "Last opened",
    hints: ["move", "day", "today", "filter", "help", "quit"],
    legend_short: ["opened", "sent", "queued", "failed"],
    opened_times: |n| if n == 1 { "Opened (once)".to_owned() } else { format!("Opened ({n} times)") },
    counts: |r, c| {
        let rs = if r == 1 { "reservation" } else { "reservations" };
        let cs = if c == 1 { "cover" } else { "covers" };
        format!("{r} {rs} · {c} {cs}")
    },
    matches: |shown, total| format!("{shown} of {total}"),
    statuses: ["pending", "confirmed", "completed", "cancelled", "no-show"],
    markers: [
        "opened",
        "fetched by a machine only (privacy proxy)",
        "sent, not opened yet",
        "queued or being sent",
        "bounced or failed",
        "uncertain: check, then resend",
        "not sent yet",
    ],
    actions: [
        "previous reservation",
        "next reservation",
        "page up",
        "page down",
        "first reservation",
        "last reservation",
        "previous day",
        "next day",
        "back to today",
        "filter by name, email or phone",
        "this help",
        "quit",
    ],
};

pub static FR: Strings = Strings {
    weekdays: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    today: "aujourd'hui",
    loading: "Chargement…",
    col_time: "Heure",
    col_guest: "Client",
    col_party: "Pers",
    col_status: "Statut",
    col_phone: "Téléphone",
    col_markers: ["Att.", "Conf", "Fin"],
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
    confirm_hint: "o / y / Entrée : oui    n / Échap : non",
    load_failed: "Impossible de charger la journée",
    not_opened_yet: "Pas encore ouvert",
    last_opened: "Dernière ouverture",
    hints: ["déplacer", "jour", "aujourd'hui", "filtrer", "aide", "quitter"],
    legend_short: ["ouvert", "envoyé", "en file", "échec"],
    opened_times: |n| format!("Ouvert ({n} fois)"),
    counts: |r, c| {
        let rs = if r > 1 { "réservations" } else { "réservation" };
        let cs = if c > 1 { "couverts" } else { "couvert" };
        format!("{r} {rs} · {c} {cs}")
    },
    matches: |shown, total| format!("{shown} sur {total}"),
    statuses: ["en attente", "confirmée", "terminée", "annulée", "absent"],
    markers: [
        "Ouvert",
        "lu par une machine seulement (proxy)",
        "Pas encore ouvert",
        "en file ou en cours d'envoi",
        "rejeté ou en échec",
        "incertain : vérifier puis renvoyer",
        "pas encore envoyé",
    ],
    actions: [
        "réservation précédente",
        "réservation suivante",
        "page précédente",
        "page suivante",
        "première réservation",
        "dernière réservation",
        "jour précédent",
        "jour suivant",
        "retour à aujourd'hui",
        "filtrer par nom, e-mail ou téléphone",
        "cette aide",
        "quitter",
    ],
};

impl Strings {
    /// The texts of a language; Dutch falls back to English for now.
    pub fn of(lang: Language) -> &'static Strings {
        match lang {
            Language::Fr => &FR,
            Language::En | Language::Nl => &EN,
        }
    }

    /// "Monday 23 November 2026" / "lundi 23 novembre 2026".
    pub fn date(&self, d: NaiveDate) -> String {
        let wd = self.weekdays[d.weekday().num_days_from_monday() as usize];
        let month = self.months[d.month0() as usize];
        format!("{wd} {} {month} {}", d.day(), d.year())
    }

    /// "12 reservations · 40 covers".
    pub fn counts(&self, reservations: usize, covers: u32) -> String {
        (self.counts)(reservations, covers)
    }

    /// "3 of 12" for a filter.
    pub fn matches(&self, shown: usize, total: usize) -> String {
        (self.matches)(shown, total)
    }

    /// "Opened (3 times)" / "Ouvert (3 fois)", for the detail and history panes.
    pub fn opened_times(&self, n: u32) -> String {
        (self.opened_times)(n)
    }

    pub fn status(&self, s: ReservationStatus) -> &'static str {
        let i = ReservationStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
        self.statuses[i]
    }

    /// What a marker means, for the legend.
    pub fn marker(&self, m: Marker) -> &'static str {
        let i = Marker::ALL.iter().position(|x| *x == m).unwrap_or(0);
        self.markers[i]
    }

    /// What a bindable action does, for the help.
    pub fn action(&self, a: &Action) -> &'static str {
        Action::BINDABLE.iter().position(|x| x == a).map_or("", |i| self.actions[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(EN.date(d), "Monday 23 November 2026");
        assert_eq!(FR.date(d), "lundi 23 novembre 2026");
    }

    #[test]
    fn french_uses_the_brief_words() {
        assert_eq!(FR.marker(Marker::Sent), "Pas encore ouvert");
        assert_eq!(FR.opened_times(3), "Ouvert (3 fois)");
        assert_eq!(FR.last_opened, "Dernière ouverture");
        assert_eq!(FR.counts(2, 7), "2 réservations · 7 couverts");
        assert_eq!(EN.counts(1, 1), "1 reservation · 1 cover");
        assert_eq!(FR.status(ReservationStatus::NoShow), "absent");
        assert_eq!(EN.action(&Action::Quit), "quit");
        assert!(std::ptr::eq(Strings::of(Language::Nl), &raw const EN));
    }
}
