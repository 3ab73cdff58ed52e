//! Demo data: a believable stretch of service around a given day, so the screen can be
//! tried with no set-up and benchmarked at a million reservations.
//!
//! About 40 reservations a day over a week by default (lunch and dinner), guests with French,
//! English and Dutch names and languages, and emails in every state: opened several times,
//! sent and unopened, machine-opened, bounced, queued, deferred, failed, suppressed, uncertain,
//! withdrawn. Some addresses carry errors and one is blocked. Deterministic for a given seed
//! and `now`.
//!
//! Every state is one the journey could have produced ([`crate::journey::Policy`] decides):
//! nothing waits to be sent about a meal that is over (such an email went out long before,
//! or was withdrawn), a request goes out before its confirmation, a reminder is due
//! `reminder_hours` before a reservation confirmed earlier than that, the thank-you only
//! after a completed meal, due `thank_you_after_hours` after it; an email bounced or failed
//! only to an address whose record carries the same error, and one is held (suppressed) only
//! for the blocked address.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::clock::Clock;
use crate::domain::{EmailKind, Language, MessageState, ReservationStatus};
use crate::journey::{Booking, Due, Policy, Withdrawal};
use crate::store::{DemoMessage, DemoWriter, Result, Store};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    pub reservations: u64,
    /// The day the range is built around (normally today): three days after it, the rest
    /// before it.
    pub today: NaiveDate,
    pub seed: u64,
    /// The venue's wall-clock now: what is past and what is to come.
    pub now: NaiveDateTime,
    /// The venue's clock, to turn wall-clock times into the store's UTC ms.
    pub clock: Clock,
    /// The venue's journey numbers (reminder and thank-you hours).
    pub policy: Policy,
}

impl DemoOptions {
    /// The default demo: a week of about 40 reservations a day around `today`, as seen at
    /// 16:00 that day (lunch over, dinner to come), on the machine's clock. Fixed, for tests.
    pub fn week(today: NaiveDate) -> Self {
        let now = today.and_time(NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default());
        Self { reservations: 280, today, seed: 7, now, clock: Clock::Local, policy: Policy::default() }
    }

    /// The demo as the venue sees it right now, on its own clock and with its own numbers.
    #[must_use]
    pub fn live(reservations: u64, seed: u64, clock: Clock, policy: Policy) -> Self {
        let now = clock.now();
        Self { reservations, today: now.date(), seed, now, clock, policy }
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
/// The blocked guest.
const BLOCKED_GUEST: usize = 3;

/// What servers said about troubled addresses: one is picked per address, once.
const TROUBLES: [&str; 3] = [
    "452 4.2.2 Mailbox full",
    "550 5.1.1 <guest>: Recipient address rejected: User unknown",
    "554 5.7.1 Message rejected as spam",
];
const BLOCKED_ERROR: &str = "550 5.1.1 The email account that you tried to reach does not exist";
/// A troubled address that is not blocked keeps at most this many errors (`block_after`).
const MAX_ERRORS_UNBLOCKED: u32 = 12;

struct GuestRef {
    id: i64,
    email: String,
    /// The error its address carries, if any (the same text on its failed emails).
    trouble: Option<&'static str>,
    blocked: bool,
    /// Emails that bounced or failed to it so far, and the last one's time (UTC ms).
    failures: u32,
    last_failure: i64,
    /// Errors on record before the demo's own (an error with no email behind it).
    prior_errors: u32,
}

/// What every reservation of one fill shares.
struct Run<'w, 't> {
    w: &'w DemoWriter<'t>,
    policy: Policy,
    clock: Clock,
    now: NaiveDateTime,
    now_ms: i64,
    domain: String,
    /// When the blocked address was blocked: from then on its emails are held.
    blocked_at: i64,
}

/// Fills the store with demo data; all of it lands in one transaction.
pub fn fill(store: &mut Store, opts: &DemoOptions) -> Result<DemoSummary> {
    let days = opts.reservations.div_ceil(MAX_PER_DAY).max(7);
    let per_day = opts.reservations.div_ceil(days).max(1);
    // Three days ahead at most (the book is open a few days out); the rest is history.
    let first_day = opts.today - Duration::days(days.saturating_sub(4) as i64);
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    store.demo_bulk(|w| {
        let now_ms = opts.clock.ms_of(opts.now);
        let run = Run {
            w,
            policy: opts.policy,
            clock: opts.clock,
            now: opts.now,
            now_ms,
            domain: "guestmail.localhost".to_owned(),
            blocked_at: now_ms - 86_400_000,
        };
        // About one guest for every three reservations: regulars come back.
        let guest_count = (opts.reservations / 3).max(1).min(opts.reservations);
        let mut guests = Vec::with_capacity(guest_count as usize);
        for i in 0..guest_count {
            guests.push(new_guest(w, &mut rng, i)?);
        }
        pick_troubled_addresses(&mut guests);
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
                let index = match TROUBLED_TODAY.get(slot as usize) {
                    Some(&i) if day == opts.today && i < guests.len() => i,
                    _ => rng.usize(..guests.len()),
                };
                summary.messages += reservation(&run, &mut rng, &mut guests[index], starts)?;
            }
        }
        write_troubled_addresses(&run, &guests)?;
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
    Ok(GuestRef { id, email, trouble: None, blocked: false, failures: 0, last_failure: 0, prior_errors: 0 })
}

/// A few addresses with errors, and one blocked past the threshold, as staff would meet them;
/// each gets its error text once, for its record and its failed emails alike.
fn pick_troubled_addresses(guests: &mut [GuestRef]) {
    for (n, g) in guests.iter_mut().enumerate().filter(|(n, _)| n % 17 == 5 || TROUBLED_TODAY[..2].contains(n)) {
        g.trouble = Some(TROUBLES[n % TROUBLES.len()]);
        g.prior_errors = (n % 4 + 1) as u32;
    }
    if let Some(g) = guests.get_mut(BLOCKED_GUEST) {
        g.trouble = Some(BLOCKED_ERROR);
        g.blocked = true;
        g.prior_errors = 13;
    }
}

/// The address records, once every email is known: at least as many errors as emails that
/// bounced or failed to it, the last one's text and time.
fn write_troubled_addresses(run: &Run<'_, '_>, guests: &[GuestRef]) -> Result<()> {
    for g in guests {
        let Some(error) = g.trouble else { continue };
        let count = g.prior_errors.max(g.failures);
        let at = g.last_failure.max(run.blocked_at);
        run.w.address_errors(&g.email, count, g.blocked, error, at)?;
    }
    Ok(())
}

fn pick_time(rng: &mut fastrand::Rng, slot: u64) -> (u32, u32) {
    if slot % 10 < 3 { LUNCH[rng.usize(..LUNCH.len())] } else { DINNER[rng.usize(..DINNER.len())] }
}

/// One reservation and its emails, as the journey would have left them by `run.now`;
/// returns how many emails it got.
fn reservation(run: &Run<'_, '_>, rng: &mut fastrand::Rng, guest: &mut GuestRef, starts: NaiveDateTime) -> Result<u64> {
    let now = run.now;
    let past = starts <= now;
    // A meal of the last two hours is still on: not marked completed yet.
    let on = past && now - starts < Duration::hours(2);
    let status = match (past, rng.u8(..20)) {
        (_, 1) => ReservationStatus::Cancelled,
        (true, _) if on => ReservationStatus::Confirmed,
        (true, 0) => ReservationStatus::NoShow,
        (true, _) => ReservationStatus::Completed,
        (false, 2..=6) => ReservationStatus::Pending,
        (false, _) => ReservationStatus::Confirmed,
    };
    // Booked 1 to 21 days ahead, and never later than 20 minutes ago.
    let booked =
        (starts - Duration::days(rng.i64(1..21)) - Duration::minutes(rng.i64(0..600))).min(now - Duration::minutes(20));
    let party = [2, 2, 2, 3, 4, 4, 5, 6, 8][rng.usize(..9)];
    let notes = NOTES[rng.usize(..NOTES.len())];
    let id = run.w.reservation(guest.id, starts, party, status, notes, run.clock.ms_of(booked))?;
    let booking = Booking { status, starts_at: starts };
    let mut e = Emails { run, reservation_id: id, booking, count: 0 };

    // Every reservation came in as a request.
    e.email(rng, guest, EmailKind::Pending, booked, booked, None)?;
    let confirmed = match status {
        ReservationStatus::Pending => None,
        ReservationStatus::Cancelled if rng.bool() => None,
        _ => Some((booked + Duration::minutes(rng.i64(10..120))).min(now - Duration::minutes(1))),
    };
    let cancelled = (status == ReservationStatus::Cancelled).then(|| {
        let from = confirmed.unwrap_or(booked);
        // Cancelled some time before now; a past one possibly only after its time.
        let until = if past { (starts + Duration::hours(1)).min(now) } else { now };
        let minutes = ((until - from).num_minutes() - 1).max(1);
        from + Duration::minutes(rng.i64(1..=minutes))
    });
    if let Some(at) = confirmed {
        let state = e.email(rng, guest, EmailKind::Confirmed, at, at, None)?;
        if let Some(Due::At(due)) = run.policy.reminder(starts, at) {
            match cancelled {
                // Queued when confirmed, taken back when cancelled before it went out.
                Some(gone) if gone <= due => {
                    e.withdrawn(guest, EmailKind::Reminder, at, gone, Withdrawal::Cancelled)?
                }
                _ => e.email(rng, guest, EmailKind::Reminder, at, due, state)?,
            };
        }
    }
    // The cancellation only when cancelled before the meal.
    if let Some(at) = cancelled.filter(|at| *at < starts) {
        e.email(rng, guest, EmailKind::Cancelled, at, at, None)?;
    }
    if status == ReservationStatus::Completed {
        let done = (starts + Duration::minutes(rng.i64(90..150))).min(now - Duration::minutes(1));
        let due = match run.policy.thank_you(starts, done) {
            Due::At(at) => at,
            Due::Now => done,
        };
        e.email(rng, guest, EmailKind::Completed, done, due, None)?;
    }
    Ok(e.count)
}

/// The emails of one reservation being written.
struct Emails<'r, 'w, 't> {
    run: &'r Run<'w, 't>,
    reservation_id: i64,
    /// The reservation as it stands now.
    booking: Booking,
    count: u64,
}

impl Emails<'_, '_, '_> {
    /// One email queued at `created` and due at `due` (wall clock): where it stands now.
    /// `confirmation` is the state of the confirmation, for a reminder. Returns its state, or
    /// `None` when it was withdrawn and the schema cannot say so (then it is left out).
    fn email(
        &mut self,
        rng: &mut fastrand::Rng,
        guest: &mut GuestRef,
        kind: EmailKind,
        created: NaiveDateTime,
        due: NaiveDateTime,
        confirmation: Option<MessageState>,
    ) -> Result<Option<MessageState>> {
        let run = self.run;
        let (created_ms, due_ms) = (run.clock.ms_of(created), run.clock.ms_of(due));
        // Nothing goes to the blocked address once blocked: held as suppressed.
        let held = guest.blocked && created_ms.max(due_ms) >= run.blocked_at;
        if due <= run.now && kind == EmailKind::Reminder {
            // The worker's own question as the reminder fell due.
            let then = Booking { status: ReservationStatus::Confirmed, ..self.booking };
            if let Err(why) = run.policy.still_due(kind, then, confirmation, held, due) {
                return self.withdrawn(guest, kind, created, due, why);
            }
        }
        let (state, mut error) = if held {
            (MessageState::Suppressed, Some("address blocked"))
        } else if due_ms + 60_000 > run.now_ms {
            // Not yet due, or only just: the worker has not come round to it.
            (MessageState::Queued, None)
        } else if guest.blocked {
            // What got it blocked: everything before bounced.
            (MessageState::Bounced, None)
        } else {
            let since = run.now_ms - due_ms;
            pick_state(
                rng,
                since < 3_600_000,
                since < 86_400_000,
                guest.trouble.is_some() && guest.failures < MAX_ERRORS_UNBLOCKED,
            )
        };
        if matches!(state, MessageState::Queued | MessageState::Deferred | MessageState::Suppressed)
            && let Err(why) = run.policy.fits(kind, self.booking, run.now)
        {
            // A waiting email the reservation no longer wants: withdrawn when it stopped
            // fitting (the meal's time, or now for a change of status).
            let when = if why == Withdrawal::TimePassed {
                self.booking.starts_at
            } else {
                run.now.min(self.booking.starts_at).max(created)
            };
            return self.withdrawn(guest, kind, created, when, why);
        }
        if matches!(state, MessageState::Bounced | MessageState::Failed) {
            error = guest.trouble;
            guest.failures += 1;
            guest.last_failure = guest.last_failure.max(due_ms + 60_000);
        }
        let sent_at = matches!(state, MessageState::Sent | MessageState::Bounced).then_some(due_ms + 2_000);
        let opens = if state == MessageState::Sent { pick_opens(rng, due_ms + 2_000, run.now_ms) } else { Vec::new() };
        let m = DemoMessage {
            reservation_id: self.reservation_id,
            guest_id: guest.id,
            kind,
            recipient: &guest.email,
            subject: "",
            state,
            created_at: created_ms,
            sent_at,
            server_reply: sent_at.map(|_| "250 2.0.0 OK queued"),
            last_error: error,
            // Due when the journey said (the worker picks it up then), in five minutes when deferred.
            next_attempt_at: match state {
                MessageState::Queued => Some(due_ms),
                MessageState::Deferred => Some(run.now_ms + 300_000),
                _ => None,
            },
            opens: &opens,
        };
        run.w.message(&m, &run.domain)?;
        self.count += 1;
        Ok(Some(state))
    }

    /// An email queued at `created` and withdrawn at `at`, for `why`.
    fn withdrawn(
        &mut self,
        guest: &GuestRef,
        kind: EmailKind,
        created: NaiveDateTime,
        at: NaiveDateTime,
        why: Withdrawal,
    ) -> Result<Option<MessageState>> {
        let run = self.run;
        let m = DemoMessage {
            reservation_id: self.reservation_id,
            guest_id: guest.id,
            kind,
            recipient: &guest.email,
            subject: "",
            state: MessageState::Withdrawn,
            created_at: run.clock.ms_of(created),
            sent_at: None,
            server_reply: None,
            last_error: None,
            next_attempt_at: None,
            opens: &[],
        };
        run.w.withdrawn_message(&m, &run.domain, why, run.clock.ms_of(at.max(created)))?;
        self.count += 1;
        Ok(Some(MessageState::Withdrawn))
    }
}

/// Where an email that fell due stands: mostly sent; queued only if it fell due within the
/// hour (`fresh`), deferred only within the day of retries (`recent`); bounced or failed only
/// to an address in trouble (`troubled`), with that address's words (set by the caller).
fn pick_state(
    rng: &mut fastrand::Rng,
    fresh: bool,
    recent: bool,
    troubled: bool,
) -> (MessageState, Option<&'static str>) {
    if fresh && rng.bool() {
        return (MessageState::Queued, None);
    }
    match rng.u16(..200) {
        0..=29 if troubled => (MessageState::Bounced, None),
        30..=35 if troubled => (MessageState::Failed, None),
        40..=41 if recent => (MessageState::Deferred, Some("421 4.7.0 Try again later")),
        42 => (MessageState::Uncertain, Some("interrupted while sending")),
        43..=46 if fresh => (MessageState::Queued, None),
        _ => (MessageState::Sent, None),
    }
}

/// Most guests open their email, some several times; some only a privacy proxy fetches it.
fn pick_opens(rng: &mut fastrand::Rng, sent: i64, now: i64) -> Vec<(i64, bool)> {
    let span = now - sent;
    if span < 120_000 {
        return Vec::new();
    }
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
