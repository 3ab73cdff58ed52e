//! `guestmail import FILE.csv`: add reservations from a CSV file, all or nothing; importing
//! the same file again adds nothing.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use super::Context;
use crate::domain::NewReservation;
use crate::import::{Rules, check, parse};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV file; header row: date,time,name,email,phone,party,language,status.
    pub file: PathBuf,
    /// Queue no email for the imported reservations (by default, reservations still to come
    /// get the emails of their status, as if they had been entered by hand).
    #[arg(long)]
    pub no_email: bool,
    /// Import rows even when the same reservation (date, time, guest email) is already there.
    #[arg(long)]
    pub allow_duplicates: bool,
}

pub fn run(ctx: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    // The venue's now (its own time zone, else the config's) says which rows are past.
    let mut store = ctx.open_venue_store()?;
    let rules =
        Rules { policy: ctx.config.policy(), now: store.rules().clock.now(), default_language: ctx.config.language };
    let rows = match parse(file, &rules) {
        Ok(rows) => rows,
        Err(errors) => {
            let mut msg = format!("{}: nothing imported, fix these rows first:", args.file.display());
            for e in &errors {
                let _ = write!(msg, "\n  {e}");
            }
            bail!(msg);
        }
    };
    // The journey says which rows get emails (none for a past one); asked again here
    // because the store's callback sees the reservation, not its line.
    let send = |r: &NewReservation| !args.no_email && check(r, &rules).is_ok_and(|plan| !plan.queue.is_empty());
    let reservations: Vec<_> = rows.iter().map(|r| r.reservation.clone()).collect();
    let report = match store.import_reservations(&reservations, args.allow_duplicates, send) {
        Ok(report) => report,
        Err((i, e)) => {
            let line = rows.get(i).map_or(0, |r| r.line);
            bail!("{}: line {line}: {e}; nothing of this file was imported", args.file.display());
        }
    };
    println!(
        "{}: {} imported, {} already present ({} emails queued)",
        args.file.display(),
        report.imported(),
        report.already_present(),
        report.emails_queued
    );
    Ok(ExitCode::SUCCESS)
}
