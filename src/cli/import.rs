//! `guestmail import FILE.csv`: add reservations from a CSV file, all or nothing.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use super::Context;
use crate::import::parse;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV file; header row: date,time,name,email,phone,party,language,status.
    pub file: PathBuf,
    /// Queue no email for the imported reservations (by default, reservations still to come
    /// get the email of their status, as if they had been entered by hand).
    #[arg(long)]
    pub no_email: bool,
}

pub fn run(ctx: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    let rows = match parse(file, ctx.config.language) {
        Ok(rows) => rows,
        Err(errors) => {
            let mut msg = format!("{}: nothing imported, fix these rows first:", args.file.display());
            for e in &errors {
                let _ = write!(msg, "\n  {e}");
            }
            bail!(msg);
        }
    };
    let now = chrono::Local::now().naive_local();
    let mut store = ctx.open_store()?;
    // Emails only for reservations still to come: an import of past bookings sends nothing.
    let send = |r: &crate::domain::NewReservation| !args.no_email && r.starts_at >= now;
    let emails = rows.iter().filter(|r| send(&r.reservation)).count();
    let reservations: Vec<_> = rows.iter().map(|r| r.reservation.clone()).collect();
    if let Err((i, e)) = store.create_reservations(&reservations, send) {
        let line = rows.get(i).map_or(0, |r| r.line);
        bail!("{}: line {line}: {e}; nothing of this file was imported", args.file.display());
    }
    println!("imported {} reservations from {} ({emails} emails queued)", rows.len(), args.file.display());
    Ok(ExitCode::SUCCESS)
}
