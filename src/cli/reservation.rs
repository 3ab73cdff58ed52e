//! `guestmail reservation …` and `guestmail resend`: the scriptable side of the journey, for
//! integrations (a booking website, a phone system) and tests. Each command prints one JSON
//! object on stdout. A refusal by the journey's rules (or a question it would ask at the
//! screen) exits with status 3 and one line on stderr, and changes nothing; bad input
//! (unknown id, bad date, invalid address) is a one-line error with status 1.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::json;

use super::Context;
use crate::domain::{EmailKind, Language, NewReservation, ReservationStatus};
use crate::journey::Change;
use crate::store::{Applied, ResendOutcome, Store, StoreError};

/// The exit status of a refusal by policy.
pub const REFUSED: u8 = 3;

#[derive(Debug, clap::Subcommand)]
pub enum ReservationCommand {
    /// Add a reservation (pending): the guest gets the request email.
    Add(AddArgs),
    /// Confirm a pending reservation: the confirmation, and a reminder when far enough ahead.
    Confirm(ChangeArgs),
    /// Cancel it: withdraws what still waits, sends the cancellation.
    Cancel(ChangeArgs),
    /// Mark the meal completed: the thank-you goes out some hours after the reservation time.
    Complete(ChangeArgs),
    /// Mark the guest as not having come.
    NoShow(ChangeArgs),
    /// The reservation with its emails.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// YYYY-MM-DD (the venue's calendar).
    #[arg(long)]
    pub date: String,
    /// HH:MM (the venue's clock).
    #[arg(long)]
    pub time: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub email: String,
    #[arg(long, default_value = "")]
    pub phone: String,
    #[arg(long, default_value_t = 2)]
    pub party: u32,
    /// en, fr or nl (default: the venue's language).
    #[arg(long)]
    pub language: Option<Language>,
}

#[derive(Debug, clap::Args)]
pub struct ChangeArgs {
    /// The reservation's id.
    pub id: i64,
    /// Complete (or mark a no-show) although the reservation time has not come.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    pub id: i64,
}

#[derive(Debug, clap::Args)]
pub struct ResendArgs {
    /// The reservation's id.
    pub id: i64,
    /// Which email (default: the confirmation, or the request while pending).
    #[arg(long)]
    pub kind: Option<EmailKind>,
    /// Send again although the same email went out moments ago, was opened, or may have
    /// arrived (an interrupted send).
    #[arg(long)]
    pub again: bool,
}

/// Who the event log names for what the CLI does.
const ACTOR: &str = "cli";

pub fn run(ctx: &Context, command: &ReservationCommand) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_venue_store()?;
    let change = |store: &mut Store, args: &ChangeArgs, to| {
        store.change_status(args.id, to, Change { force: args.force, send: true }, ACTOR)
    };
    let result = match command {
        ReservationCommand::Add(args) => {
            let r = new_reservation(ctx, args)?;
            store.add_reservation(&r)
        }
        ReservationCommand::Confirm(args) => change(&mut store, args, ReservationStatus::Confirmed),
        ReservationCommand::Cancel(args) => change(&mut store, args, ReservationStatus::Cancelled),
        ReservationCommand::Complete(args) => change(&mut store, args, ReservationStatus::Completed),
        ReservationCommand::NoShow(args) => change(&mut store, args, ReservationStatus::NoShow),
        ReservationCommand::Show(args) => return show(&store, args.id),
    };
    match result {
        Ok(applied) => {
            println!("{}", applied_json(&applied));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refusal_or_error(e),
    }
}

pub fn resend(ctx: &Context, args: &ResendArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_venue_store()?;
    match store.resend(args.id, args.kind, args.again, ACTOR) {
        Ok(ResendOutcome::Queued { id, kind, .. }) => {
            let m = store.message(id)?;
            println!("{}", json!({"id": args.id, "queued": [kind], "message": id, "resend_of": m.resend_of}));
            Ok(ExitCode::SUCCESS)
        }
        Ok(ResendOutcome::Blocked { error_count, .. }) => {
            eprintln!(
                "guestmail: not sent: the guest's address is blocked after {error_count} errors (reset its counter first)"
            );
            Ok(ExitCode::from(REFUSED))
        }
        Ok(ResendOutcome::Ask { ask, .. }) => {
            eprintln!("guestmail: {ask}");
            Ok(ExitCode::from(REFUSED))
        }
        Err(e) => refusal_or_error(e),
    }
}

/// A refusal by the rules: status 3 and the reason; anything else is an error (status 1).
fn refusal_or_error(e: StoreError) -> anyhow::Result<ExitCode> {
    match e {
        StoreError::Refused(r) => {
            let hint = if r.can_force() { " (--force to do it anyway)" } else { "" };
            eprintln!("guestmail: refused: {r}{hint}");
            Ok(ExitCode::from(REFUSED))
        }
        StoreError::Transition(t) => {
            eprintln!("guestmail: refused: {t}");
            Ok(ExitCode::from(REFUSED))
        }
        other => Err(other.into()),
    }
}

fn new_reservation(ctx: &Context, args: &AddArgs) -> anyhow::Result<NewReservation> {
    let date = NaiveDate::parse_from_str(args.date.trim(), "%Y-%m-%d")
        .with_context(|| format!("date '{}' is not YYYY-MM-DD (e.g. 2026-12-24)", args.date))?;
    let time = NaiveTime::parse_from_str(args.time.trim(), "%H:%M")
        .with_context(|| format!("time '{}' is not HH:MM (e.g. 19:30)", args.time))?;
    let name = crate::domain::check_guest_name(&args.name)?;
    let email = crate::domain::normalize_email(&args.email)?;
    Ok(NewReservation {
        name: name.to_owned(),
        email,
        phone: args.phone.trim().to_owned(),
        language: args.language.unwrap_or(ctx.config.language),
        starts_at: NaiveDateTime::new(date, time),
        party_size: args.party,
        status: ReservationStatus::Pending,
        notes: String::new(),
    })
}

fn applied_json(a: &Applied) -> serde_json::Value {
    let queued: Vec<EmailKind> = a.queued.iter().map(|q| q.kind).collect();
    let withdrawn: Vec<EmailKind> = a.withdrawn.iter().map(|w| w.1).collect();
    let in_flight: Vec<EmailKind> = a.in_flight.iter().map(|f| f.1).collect();
    json!({"id": a.id, "status": a.status, "queued": queued, "withdrawn": withdrawn, "in_flight": in_flight})
}

fn show(store: &Store, id: i64) -> anyhow::Result<ExitCode> {
    let r = store.reservation(id)?;
    let messages: Vec<serde_json::Value> = store
        .messages_for_reservation(id)?
        .into_iter()
        .map(|m| {
            // The guests' replies to this email (issue 13), oldest first.
            let replies: Vec<serde_json::Value> = store
                .replies_for_message(m.id)?
                .into_iter()
                .map(|r| {
                    let at = chrono::DateTime::from_timestamp_millis(r.at).map(|t| t.to_rfc3339());
                    json!({"at": at, "from": r.from, "excerpt": r.excerpt, "auto": r.auto})
                })
                .collect();
            Ok::<_, anyhow::Error>(json!({
                "id": m.id,
                "kind": m.kind,
                "state": m.state,
                "message_id": m.message_id,
                "resend_of": m.resend_of,
                "due_at": m.due_at,
                "withdrawn_reason": m.withdrawn_reason.map(crate::journey::Withdrawal::as_str),
                "replies": replies,
            }))
        })
        .collect::<Result<_, _>>()?;
    let out = json!({
        "id": r.id,
        "date": r.starts_at.format("%Y-%m-%d").to_string(),
        "time": r.starts_at.format("%H:%M").to_string(),
        "status": r.status,
        "party": r.party_size,
        "guest": {"name": r.guest.name, "email": r.guest.email},
        "messages": messages,
    });
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}
