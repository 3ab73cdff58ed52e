//! Demo data: a believable stretch of service around a given day, so the screen can be
//! tried with no set-up and benchmarked at a million reservations.
//!
//! About 40 reservations a day over a week by default (lunch and dinner), guests with French,
//! English and Dutch names and languages, and emails in every state: opened several times,
//! sent and unopened, machine-opened, bounced, queued, deferred, failed, suppressed, uncertain.
//! Some addresses carry errors and one is blocked. Deterministic for a given seed.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::{EmailKind, Language, MessageState, ReservationStatus};
use crate::store::{DemoMessage, DemoWriter, Result, Store};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    pub reservations: u64,
    /// The day the range is built around (normally today): three days after it, the rest
    /// before it.
    pub today: NaiveDate,
    pub seed: u64,
}

impl DemoOptions {
    /// The default demo: a week of about 40 reservations a day around `today`.
    pub fn week(today: NaiveDate) -> Self {
        Self { reservations: 280, today, seed: 7 }
    }
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub reservations: u64,
    pub guests: u64,
    pub messages: u64,
    pub days: u64,
}

/// The most reservations one day gets; larger demos spread over more days.
const MAX_PER_DAY: u64 = 400;

const FIRST_FR: &[&str] = &["Camille", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Théo", "Inès", "Jules", "Élodie"];
const LAST_FR: &[&str] = &["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fontaine", "Rousseau", "Mercier"];
const FIRST_NL: &[&str] = &["Lotte", "Bram", "Sanne", "Jeroen", "Fleur", "Pieter", "Anouk", "Wouter", "Eline"];
const LAST_NL: &[&str] = &["Peeters", "Janssens", "De Vries", "Van Damme", "Maes", "Claes", "Willems", "Jacobs"];
const FIRST_EN: &[&str] = &["Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Jack", "Grace", "Thomas"];
const LAST_EN: &[&str] = &["Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Hughes"];
const PROVIDERS: &[&str] = &["gmail.com", "outlook.com", "yahoo.fr", "telenet.be", "icloud.com", "proximus.be"];
const NOTES: &[&str] = &["", "", "", "", "window table", "birthday", "high chair", "vegetarian", "allergy: nuts"];
const LUNCH: &[(u32, u32)] = &[(12, 0), (12, 15), (12, 30), (12, 45), (13, 0), (13, 30)];
const DINNER: &[(u32, u32)] = &[(18, 30), (19, 0), (19, 15), (19, 30), (20, 0), (20, 30), (21, 0), (21, 30)];

/// The guests (by index) whose addresses get errors: the third is the blocked one.
const TROUBLED_TODAY: [usize; 3] = [5, 22, 3];

struct GuestRef {
    id: i64,
    email: String,
    blocked: bool,
}

/// Fills the store with demo data; all of it lands in one transaction.
pub fn fill(store: &mut Store, opts: &DemoOptions) -> Result<DemoSummary> {
    let days = opts.reservations.div_ceil(MAX_PER_DAY).max(7);
    let per_day = opts.reservations.div_ceil(days).max(1);
    // Three days ahead at most (the book is open a few days out); the rest is history.
    let first_day = opts.today - Duration::days(days.saturating_sub(4) as i64);
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    let domain = "guestmail.localhost".to_owned();
    let now = chrono::Local::now().naive_local();
    store.demo_bulk(|w| {
        // About one guest for every three reservations: regulars come back.
        let guest_count = (opts.reservations / 3).max(1).min(opts.reservations);
        let mut guests = Vec::with_capacity(guest_count as usize);
        for i in 0..guest_count {
            guests.push(new_guest(w, &mut rng, i)?);
        }
        mark_troubled_addresses(w, &mut guests)?;
        let mut summary = DemoSummary { guests: guest_count, days, ..DemoSummary::default() };
        let mut made = 0;
        'days: for d in 0..days {
            let day = first_day + Duration::days(d as i64);
            for slot in 0..per_day {
                if made == opts.reservations {
                    break 'days;
                }
                made += 1;
                let (h, m) = pick_time(&mut rng, slot);
                let starts = day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default());
                // Today opens with the guests whose addresses are in trouble, so a first look at
                // the demo shows the error badge and the blocked address without scrolling.
                let guest = match TROUBLED_TODAY.get(slot as usize) {
                    Some(&i) if day == opts.today && i < guests.len() => &guests[i],
                    _ => &guests[rng.usize(..guests.len())],
                };
                summary.messages += reservation(w, &mut rng, guest, starts, now, &domain)?;
            }
        }
        summary.reservations = made;
        Ok(summary)
    })
}

/// Fills the store only if it has no reservation yet (the `--demo` flag).
pub fn fill_if_empty(store: &mut Store, opts: &DemoOptions) -> Result<Option<DemoSummary>> {
    if store.reservation_count()? > 0 {
        return Ok(None);
    }
    fill(store, opts).map(Some)
}

fn new_guest(w: &DemoWriter<'_>, rng: &mut fastrand::Rng, i: u64) -> Result<GuestRef> {
    let (language, firsts, lasts, phone_prefix) = match rng.u8(..10) {
        0..=3 => (Language::Fr, FIRST_FR, LAST_FR, "+32 475"),
        4..=6 => (Language::Nl, FIRST_NL, LAST_NL, "+32 486"),
        7..=8 => (Language::En, FIRST_EN, LAST_EN, "+44 7700"),
        _ => (Language::Fr, FIRST_FR, LAST_FR, "+33 6 12"),
    };
    let first = firsts[rng.usize(..firsts.len())];
    let last = lasts[rng.usize(..lasts.len())];
    let name = format!("{first} {last}");
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' => 'e',
            'ô' => 'o',
            ' ' => '-',
            c => c,
        })
        .collect();
    let email = format!("{local}{i}@{}", PROVIDERS[rng.usize(..PROVIDERS.len())]);
    let phone = format!("{phone_prefix} {:02} {:02} {:02}", rng.u8(..100), rng.u8(..100), rng.u8(..100));
    let id = w.guest(&name, &email, &phone, language, 0)?;
    Ok(GuestRef { id, email, blocked: false })
}

/// A few addresses with errors, and one blocked past the threshold, as staff would meet them.
fn mark_troubled_addresses(w: &DemoWriter<'_>, guests: &mut [GuestRef]) -> Result<()> {
    let at = crate::store::now_ms() - 86_400_000;
    for (n, g) in guests.iter().enumerate().filter(|(n, _)| n % 17 == 5 || TROUBLED_TODAY[..2].contains(n)) {
        let count = (n % 4 + 1) as u32;
        w.address_errors(&g.email, count, false, "452 4.2.2 Mailbox full", at)?;
    }
    if let Some(g) = guests.get_mut(3) {
        g.blocked = true;
        w.address_errors(&g.email, 13, true, "550 5.1.1 The email account that you tried to reach does not exist", at)?;
    }
    Ok(())
}

fn pick_time(rng: &mut fastrand::Rng, slot: u64) -> (u32, u32) {
    if slot % 10 < 3 { LUNCH[rng.usize(..LUNCH.len())] } else { DINNER[rng.usize(..DINNER.len())] }
}

/// One reservation and its emails; returns how many emails it got.
fn reservation(
    w: &DemoWriter<'_>,
    rng: &mut fastrand::Rng,
    guest: &GuestRef,
    starts: NaiveDateTime,
    now: NaiveDateTime,
    domain: &str,
) -> Result<u64> {
    let past = starts < now;
    let status = match (past, rng.u8(..20)) {
        (true, 0) => ReservationStatus::NoShow,
        (_, 1) => ReservationStatus::Cancelled,
        (true, _) => ReservationStatus::Completed,
        (false, 2..=6) => ReservationStatus::Pending,
        (false, _) => ReservationStatus::Confirmed,
    };
    let booked = starts - Duration::days(rng.i64(1..21)) - Duration::minutes(rng.i64(0..600));
    let booked_ms = local_ms(booked);
    let party = [2, 2, 2, 3, 4, 4, 5, 6, 8][rng.usize(..9)];
    let id = w.reservation(guest.id, starts, party, status, NOTES[rng.usize(..NOTES.len())], booked_ms)?;
    let mut kinds = vec![(EmailKind::Pending, booked_ms)];
    if matches!(status, ReservationStatus::Confirmed | ReservationStatus::Completed | ReservationStatus::NoShow) {
        kinds.push((EmailKind::Confirmed, booked_ms + rng.i64(600_000..7_200_000)));
    }
    if status == ReservationStatus::Completed {
        kinds.push((EmailKind::Completed, local_ms(starts) + 86_400_000));
    }
    if status == ReservationStatus::Cancelled {
        kinds.push((EmailKind::Cancelled, booked_ms + 86_400_000));
    }
    let now_ms = local_ms(now);
    let mut count = 0;
    for (kind, at) in kinds {
        let at = at.min(now_ms - 60_000);
        // A completed email for tonight's meal is not sent yet: still queued.
        let fresh = now_ms - at < 3_600_000;
        // Nothing goes to the blocked address any more: its emails are kept as suppressed.
        let (state, error) =
            if guest.blocked { (MessageState::Suppressed, Some("address blocked")) } else { pick_state(rng, fresh) };
        let sent_at = matches!(state, MessageState::Sent | MessageState::Bounced).then_some(at + 2_000);
        let opens = if state == MessageState::Sent { pick_opens(rng, at, now_ms) } else { Vec::new() };
        let m = DemoMessage {
            reservation_id: id,
            guest_id: guest.id,
            kind,
            recipient: &guest.email,
            subject: "",
            state,
            created_at: at,
            sent_at,
            server_reply: sent_at.map(|_| "250 2.0.0 OK queued"),
            last_error: error,
            // Due at once when queued (the worker picks it up), in five minutes when deferred.
            next_attempt_at: match state {
                MessageState::Queued => Some(at),
                MessageState::Deferred => Some(now_ms + 300_000),
                _ => None,
            },
            opens: &opens,
        };
        w.message(&m, domain)?;
        count += 1;
    }
    Ok(count)
}

fn pick_state(rng: &mut fastrand::Rng, fresh: bool) -> (MessageState, Option<&'static str>) {
    if fresh && rng.bool() {
        return (MessageState::Queued, None);
    }
    match rng.u16(..200) {
        0..=5 => (MessageState::Bounced, Some("550 5.1.1 <guest>: Recipient address rejected: User unknown")),
        6..=7 => (MessageState::Deferred, Some("421 4.7.0 Try again later")),
        8 => (MessageState::Failed, Some("554 5.7.1 Message rejected as spam")),
        9 => (MessageState::Uncertain, Some("interrupted while sending")),
        10..=13 => (MessageState::Queued, None),
        _ => (MessageState::Sent, None),
    }
}

/// Most guests open their email, some several times; some only a privacy proxy fetches it.
fn pick_opens(rng: &mut fastrand::Rng, sent: i64, now: i64) -> Vec<(i64, bool)> {
    let span = (now - sent).max(120_000);
    match rng.u8(..10) {
        0..=2 => Vec::new(),
        3 => vec![(sent + 3_000, true)],
        _ => {
            let mut opens: Vec<(i64, bool)> =
                (0..rng.u8(1..5)).map(|_| (sent + rng.i64(60_000..span), false)).collect();
            if rng.u8(..4) == 0 {
                opens.push((sent + 2_000, true));
            }
            opens
        }
    }
}

fn local_ms(at: NaiveDateTime) -> i64 {
    at.and_local_timezone(chrono::Local)
        .earliest()
        .map_or_else(|| at.and_utc().timestamp_millis(), |t| t.timestamp_millis())
}
