//! The state of the small forms: a new reservation (seven fields) and the guest's email
//! address (one field). Each field is checked when the user leaves it and all of them on
//! Enter, so a mistake is named next to its field, never after a round trip to the store.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::{AddressError, Language, NewReservation, ReservationStatus, normalize_email};

/// One input of a form; its position in [`Field::ALL`] indexes the labels in `Strings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Email,
    Phone,
    Party,
    Date,
    Time,
    Language,
}

impl Field {
    pub const ALL: [Field; 7] =
        [Field::Name, Field::Email, Field::Phone, Field::Party, Field::Date, Field::Time, Field::Language];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// Why a field's text was refused; `Strings` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Required,
    Address(AddressError),
    Phone,
    Party,
    Date,
    Time,
    Language,
}

/// What the form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    NewReservation,
    EditEmail { reservation_id: i64, guest_id: i64 },
}

/// A form being filled in: fields with their text and error, and the focused one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<(Field, String)>,
    pub errors: Vec<Option<FieldError>>,
    pub focus: usize,
}

/// A form that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filled {
    Reservation(NewReservation),
    Email { reservation_id: i64, guest_id: i64, email: String },
}

impl Form {
    /// A blank reservation for `day` in the venue's language.
    pub fn new_reservation(day: NaiveDate, language: Language) -> Self {
        let text = |f: Field| match f {
            Field::Party => "2".to_owned(),
            Field::Date => day.format("%Y-%m-%d").to_string(),
            Field::Language => language.as_str().to_owned(),
            _ => String::new(),
        };
        Self::with(FormKind::NewReservation, Field::ALL.iter().map(|&f| (f, text(f))).collect())
    }

    /// The guest's current address, ready to correct.
    pub fn edit_email(reservation_id: i64, guest_id: i64, current: &str) -> Self {
        Self::with(FormKind::EditEmail { reservation_id, guest_id }, vec![(Field::Email, current.to_owned())])
    }

    fn with(kind: FormKind, fields: Vec<(Field, String)>) -> Self {
        let errors = vec![None; fields.len()];
        Form { kind, fields, errors, focus: 0 }
    }

    pub fn input(&mut self, c: char) {
        if let Some((_, text)) = self.fields.get_mut(self.focus) {
            text.push(c);
        }
    }

    pub fn backspace(&mut self) {
        if let Some((_, text)) = self.fields.get_mut(self.focus) {
            text.pop();
        }
    }

    /// Tab: checks the field being left, then moves on (wrapping).
    pub fn next(&mut self) {
        self.check(self.focus);
        self.focus = (self.focus + 1) % self.fields.len();
    }

    /// Shift-Tab.
    pub fn previous(&mut self) {
        self.check(self.focus);
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }

    /// Enter: checks every field; on success returns what to save, else focuses the first
    /// field in error.
    pub fn submit(&mut self) -> Option<Filled> {
        for i in 0..self.fields.len() {
            self.check(i);
        }
        if let Some(first) = self.errors.iter().position(Option::is_some) {
            self.focus = first;
            return None;
        }
        let text = |f: Field| self.fields.iter().find(|(g, _)| *g == f).map_or("", |(_, t)| t.as_str());
        match self.kind {
            FormKind::EditEmail { reservation_id, guest_id } => {
                let email = normalize_email(text(Field::Email)).ok()?;
                Some(Filled::Email { reservation_id, guest_id, email })
            }
            FormKind::NewReservation => {
                let date = parse_date(text(Field::Date))?;
                let time = parse_time(text(Field::Time))?;
                Some(Filled::Reservation(NewReservation {
                    name: text(Field::Name).trim().to_owned(),
                    email: normalize_email(text(Field::Email)).ok()?,
                    phone: text(Field::Phone).trim().to_owned(),
                    language: text(Field::Language).parse().ok()?,
                    starts_at: NaiveDateTime::new(date, time),
                    party_size: text(Field::Party).trim().parse().ok()?,
                    status: ReservationStatus::Pending,
                    notes: String::new(),
                }))
            }
        }
    }

    fn check(&mut self, i: usize) {
        if let Some((field, text)) = self.fields.get(i) {
            self.errors[i] = validate(*field, text).err();
        }
    }
}

/// Checks one field's text.
pub fn validate(field: Field, text: &str) -> Result<(), FieldError> {
    let t = text.trim();
    let required = !matches!(field, Field::Phone);
    if required && t.is_empty() && field != Field::Email {
        return Err(FieldError::Required);
    }
    match field {
        Field::Name => Ok(()),
        Field::Email => normalize_email(t).map(drop).map_err(FieldError::Address),
        Field::Phone => {
            let allowed = t.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
            let digits = t.chars().filter(char::is_ascii_digit).count();
            if t.is_empty() || (allowed && digits >= 6) { Ok(()) } else { Err(FieldError::Phone) }
        }
        Field::Party => match t.parse::<u32>() {
            Ok(1..=99) => Ok(()),
            _ => Err(FieldError::Party),
        },
        Field::Date => parse_date(t).map(drop).ok_or(FieldError::Date),
        Field::Time => parse_time(t).map(drop).ok_or(FieldError::Time),
        Field::Language => t.parse::<Language>().map(drop).map_err(|_| FieldError::Language),
    }
}

/// `2026-11-23` or `23/11/2026`.
pub(super) fn parse_date(t: &str) -> Option<NaiveDate> {
    let t = t.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y")).ok()
}

/// `19:30` (also `19h30`, as French staff write it).
fn parse_time(t: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(&t.trim().replace(['h', 'H'], ":"), "%H:%M").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_names_its_own_mistake() {
        assert_eq!(validate(Field::Name, "  "), Err(FieldError::Required));
        assert!(matches!(validate(Field::Email, "anna.example.org"), Err(FieldError::Address(AddressError::NoAt(_)))));
        assert_eq!(validate(Field::Email, ""), Err(FieldError::Address(AddressError::Empty)));
        assert_eq!(validate(Field::Phone, ""), Ok(()));
        assert_eq!(validate(Field::Phone, "+32 470 12 34 56"), Ok(()));
        assert_eq!(validate(Field::Phone, "call me"), Err(FieldError::Phone));
        assert_eq!(validate(Field::Party, "0"), Err(FieldError::Party));
        assert_eq!(validate(Field::Party, "12"), Ok(()));
        assert_eq!(validate(Field::Date, "23/11/2026"), Ok(()));
        assert_eq!(validate(Field::Date, "31/02/2026"), Err(FieldError::Date));
        assert_eq!(validate(Field::Time, "19h30"), Ok(()));
        assert_eq!(validate(Field::Time, "25:00"), Err(FieldError::Time));
        assert_eq!(validate(Field::Language, "de"), Err(FieldError::Language));
    }
}
