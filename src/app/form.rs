//! The state of the small forms: a new reservation (seven fields) and the guest's email
//! address (one field). Each field is checked when the user leaves it and all of them on
//! Enter, so a mistake is named next to its field, never after a round trip to the store.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::{AddressError, Language, NewReservation, ReservationStatus, normalize_email};
use crate::journey::{Policy, Refusal};
use crate::strings::FieldWords;

/// One input of a form; [`Field::words`] picks its label or example from `Strings`.
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

    /// This field's text among one text per field (its label, its example).
    pub fn words(self, words: &FieldWords) -> &'static str {
        match self {
            Field::Name => words.name,
            Field::Email => words.email,
            Field::Phone => words.phone,
            Field::Party => words.party,
            Field::Date => words.date,
            Field::Time => words.time,
            Field::Language => words.language,
        }
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
    /// The journey refuses it (a past date or time, a party larger than the venue takes).
    Refused(Refusal),
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
    /// The venue's rules: the party-size limit, and no reservation in the past.
    pub policy: Policy,
}

/// A form that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filled {
    Reservation(NewReservation),
    Email { reservation_id: i64, guest_id: i64, email: String },
}

impl Form {
    /// A blank reservation for `day` in the venue's language, checked against `policy`.
    pub fn new_reservation(day: NaiveDate, language: Language, policy: Policy) -> Self {
        let text = |f: Field| match f {
            Field::Party => "2".to_owned(),
            Field::Date => day.format("%Y-%m-%d").to_string(),
            Field::Language => language.as_str().to_owned(),
            _ => String::new(),
        };
        let mut form = Self::with(FormKind::NewReservation, Field::ALL.iter().map(|&f| (f, text(f))).collect());
        form.policy = policy;
        form
    }

    /// The guest's current address, ready to correct.
    pub fn edit_email(reservation_id: i64, guest_id: i64, current: &str) -> Self {
        Self::with(FormKind::EditEmail { reservation_id, guest_id }, vec![(Field::Email, current.to_owned())])
    }

    fn with(kind: FormKind, fields: Vec<(Field, String)>) -> Self {
        let errors = vec![None; fields.len()];
        Form { kind, fields, errors, focus: 0, policy: Policy::default() }
    }

    pub fn input(&mut self, c: char) {
        if let Some((field, text)) = self.fields.get_mut(self.focus) {
            // A name stops at the one cap every entry point applies (a paste gone wrong).
            if *field == Field::Name && text.chars().count() >= crate::domain::MAX_GUEST_NAME_CHARS {
                return;
            }
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

    /// Where `field` is in this form, if it has one.
    pub fn position(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|(f, _)| *f == field)
    }

    /// Enter: checks every field, then asks the journey whether such a reservation makes
    /// sense at `now` (the venue's wall clock); on success returns what to save, else
    /// focuses the first field in error.
    pub fn submit(&mut self, now: NaiveDateTime) -> Option<Filled> {
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
                let party: u32 = text(Field::Party).trim().parse().ok()?;
                let starts_at = NaiveDateTime::new(date, time);
                if let Err(refusal) = self.policy.create(ReservationStatus::Pending, starts_at, party, now) {
                    let field = match refusal {
                        Refusal::PartySize { .. } => Field::Party,
                        _ if date < now.date() => Field::Date,
                        _ => Field::Time,
                    };
                    self.focus = self.position(field).unwrap_or(self.focus);
                    self.errors[self.focus] = Some(FieldError::Refused(refusal));
                    return None;
                }
                Some(Filled::Reservation(NewReservation {
                    name: text(Field::Name).trim().to_owned(),
                    email: normalize_email(text(Field::Email)).ok()?,
                    phone: text(Field::Phone).trim().to_owned(),
                    language: text(Field::Language).parse().ok()?,
                    starts_at,
                    party_size: party,
                    status: ReservationStatus::Pending,
                    notes: String::new(),
                }))
            }
        }
    }

    fn check(&mut self, i: usize) {
        if let Some((field, text)) = self.fields.get(i) {
            self.errors[i] = validate(*field, text, &self.policy).err();
        }
    }
}

/// Checks one field's text (the party size against the venue's limit).
pub fn validate(field: Field, text: &str, policy: &Policy) -> Result<(), FieldError> {
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
            Ok(n) => policy.check_party(n).map_err(FieldError::Refused),
            Err(_) => Err(FieldError::Party),
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

    fn validate_default(field: Field, text: &str) -> Result<(), FieldError> {
        validate(field, text, &Policy::default())
    }

    #[test]
    fn the_journey_refuses_a_past_time_and_a_party_too_large_next_to_their_field() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let now = day.and_hms_opt(18, 0, 0).unwrap_or_default();
        let mut form = Form::new_reservation(day, Language::En, Policy::default());
        let set = |form: &mut Form, field: Field, text: &str| {
            let at = form.position(field).unwrap_or_default();
            form.fields[at].1 = text.to_owned();
        };
        for (field, text) in [(Field::Name, "Anna"), (Field::Email, "anna@example.org"), (Field::Time, "12:30")] {
            set(&mut form, field, text);
        }
        assert_eq!(form.submit(now), None);
        assert_eq!(Some(form.focus), form.position(Field::Time));
        assert!(matches!(form.errors[form.focus], Some(FieldError::Refused(Refusal::Past { .. }))));
        set(&mut form, Field::Date, "2020-01-01");
        set(&mut form, Field::Time, "20:00");
        assert_eq!(form.submit(now), None);
        assert_eq!(Some(form.focus), form.position(Field::Date), "a past day is the date's fault");
        set(&mut form, Field::Date, "2026-12-01");
        set(&mut form, Field::Party, "100");
        assert_eq!(form.submit(now), None);
        assert_eq!(Some(form.focus), form.position(Field::Party));
        assert!(matches!(form.errors[form.focus], Some(FieldError::Refused(Refusal::PartySize { max: 99, .. }))));
        set(&mut form, Field::Party, "4");
        assert!(matches!(form.submit(now), Some(Filled::Reservation(_))));
        let venue = Policy { max_party_size: 120, ..Policy::default() };
        assert_eq!(validate(Field::Party, "100", &venue), Ok(()));
    }

    #[test]
    fn the_name_field_stops_at_200_characters() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let mut form = Form::new_reservation(day, Language::En, Policy::default());
        form.focus = form.position(Field::Name).unwrap_or_default();
        for _ in 0..250 {
            form.input('é');
        }
        assert_eq!(form.fields[form.focus].1.chars().count(), 200);
    }

    #[test]
    fn each_field_names_its_own_mistake() {
        assert_eq!(validate_default(Field::Name, "  "), Err(FieldError::Required));
        assert!(matches!(
            validate_default(Field::Email, "anna.example.org"),
            Err(FieldError::Address(AddressError::NoAt(_)))
        ));
        assert_eq!(validate_default(Field::Email, ""), Err(FieldError::Address(AddressError::Empty)));
        assert_eq!(validate_default(Field::Phone, ""), Ok(()));
        assert_eq!(validate_default(Field::Phone, "+32 470 12 34 56"), Ok(()));
        assert_eq!(validate_default(Field::Phone, "call me"), Err(FieldError::Phone));
        assert!(matches!(validate_default(Field::Party, "0"), Err(FieldError::Refused(Refusal::PartySize { .. }))));
        assert_eq!(validate_default(Field::Party, "two"), Err(FieldError::Party));
        assert_eq!(validate_default(Field::Party, "12"), Ok(()));
        assert_eq!(validate_default(Field::Date, "23/11/2026"), Ok(()));
        assert_eq!(validate_default(Field::Date, "31/02/2026"), Err(FieldError::Date));
        assert_eq!(validate_default(Field::Time, "19h30"), Ok(()));
        assert_eq!(validate_default(Field::Time, "25:00"), Err(FieldError::Time));
        assert_eq!(validate_default(Field::Language, "de"), Err(FieldError::Language));
    }
}
