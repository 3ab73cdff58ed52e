//! Dates, times and party sizes written the way each language writes them in a sentence:
//! "samedi 28 novembre 2026 à 19h30", "Saturday 28 November 2026 at 7:30 pm",
//! "zaterdag 28 november 2026 om 19:30". The names come from [`crate::locale`].

use chrono::{Datelike as _, NaiveDateTime, Timelike as _};

use crate::domain::Language;

/// The date and time of a reservation as a phrase in `lang`.
pub fn date_time(at: NaiveDateTime, lang: Language) -> String {
    let weekday = crate::locale::weekday(&at, lang);
    let month = crate::locale::month(&at, lang);
    let (day, year, hour, minute) = (at.day(), at.year(), at.hour(), at.minute());
    match lang {
        Language::En => {
            let (h12, suffix) = match hour {
                0 => (12, "am"),
                1..=11 => (hour, "am"),
                12 => (12, "pm"),
                _ => (hour - 12, "pm"),
            };
            format!("{weekday} {day} {month} {year} at {h12}:{minute:02} {suffix}")
        }
        Language::Fr => {
            let day = if day == 1 { "1er".to_owned() } else { day.to_string() };
            format!("{weekday} {day} {month} {year} à {hour}h{minute:02}")
        }
        Language::Nl => format!("{weekday} {day} {month} {year} om {hour}:{minute:02}"),
    }
}

/// "4 guests", "1 personne", "2 personen".
pub fn party(size: u32, lang: Language) -> String {
    let word = match (lang, size) {
        (Language::En, 1) => "guest",
        (Language::En, _) => "guests",
        (Language::Fr, 0 | 1) => "personne",
        (Language::Fr, _) => "personnes",
        (Language::Nl, 1) => "persoon",
        (Language::Nl, _) => "personen",
    };
    format!("{size} {word}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid")
    }

    #[test]
    fn each_language_writes_the_date_its_own_way() {
        let t = at("2026-11-28 19:30");
        assert_eq!(date_time(t, Language::Fr), "samedi 28 novembre 2026 à 19h30");
        assert_eq!(date_time(t, Language::En), "Saturday 28 November 2026 at 7:30 pm");
        assert_eq!(date_time(t, Language::Nl), "zaterdag 28 november 2026 om 19:30");
    }

    #[test]
    fn midday_midnight_and_the_first_of_the_month() {
        assert_eq!(date_time(at("2026-08-01 12:05"), Language::En), "Saturday 1 August 2026 at 12:05 pm");
        assert_eq!(date_time(at("2026-08-01 00:00"), Language::En), "Saturday 1 August 2026 at 12:00 am");
        assert_eq!(date_time(at("2026-08-01 12:05"), Language::Fr), "samedi 1er août 2026 à 12h05");
    }

    #[test]
    fn party_sizes_agree_in_number() {
        assert_eq!(party(1, Language::En), "1 guest");
        assert_eq!(party(4, Language::Fr), "4 personnes");
        assert_eq!(party(2, Language::Nl), "2 personen");
        assert_eq!(party(1, Language::Nl), "1 persoon");
    }
}
