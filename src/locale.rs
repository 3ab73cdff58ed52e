//! Weekday and month names in the three languages guestmail speaks, shared by the screen
//! ("lundi 23 novembre 2026") and the emails ("samedi 28 novembre 2026 à 19h30"). Three
//! languages with fixed names do not justify a locale database.

use chrono::Datelike;

use crate::domain::Language;

const WEEKDAYS: [[&str; 7]; 3] = [
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
];

const MONTHS: [[&str; 12]; 3] = [
    [
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
    [
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
    [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
];

pub(crate) const fn index(lang: Language) -> usize {
    match lang {
        Language::En => 0,
        Language::Fr => 1,
        Language::Nl => 2,
    }
}

/// The weekday's name: "Monday", "lundi", "maandag".
pub fn weekday(d: &impl Datelike, lang: Language) -> &'static str {
    WEEKDAYS[index(lang)][d.weekday().num_days_from_monday() as usize]
}

/// The month's name: "November", "novembre", "november".
pub fn month(d: &impl Datelike, lang: Language) -> &'static str {
    MONTHS[index(lang)][d.month0() as usize]
}

/// A day written out: "Monday 23 November 2026", "lundi 23 novembre 2026".
pub fn long_date(d: &impl Datelike, lang: Language) -> String {
    format!("{} {} {} {}", weekday(d, lang), d.day(), month(d, lang), d.year())
}
