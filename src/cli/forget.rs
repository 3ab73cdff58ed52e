//! `guestmail forget EMAIL`: erases a guest's personal data on request (the right to be
//! forgotten), keeping only anonymous counts. A command asks nothing: typing it is the
//! decision. The TUI's action asks yes/no first.

use std::io::Write as _;

use anyhow::Context as _;
use std::process::ExitCode;

use super::Context;
use crate::store::StoreError;

#[derive(Debug, clap::Args)]
pub struct ForgetArgs {
    /// The guest's email address (any case); every guest who has it or was mailed at it.
    #[arg(value_name = "EMAIL")]
    pub email: String,
}

pub fn run(ctx: &Context, args: &ForgetArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let report = match store.forget_guest(&args.email, "cli") {
        Ok(r) => r,
        Err(StoreError::NotFound(_)) => {
            eprintln!("guestmail forget: no guest has or was ever mailed at {}; nothing erased", args.email.trim());
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    // Their emails in the local outbox carry name and address too.
    let files = crate::mail::transport::remove_guest_emails(&ctx.paths.outbox, &report.tokens, &args.email)
        .with_context(|| {
            format!("the database is erased, but the outbox {} could not be cleaned", ctx.paths.outbox.display())
        })?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "forgot {}:", args.email.trim())?;
    writeln!(out, "  guests anonymised:        {}", report.guests)?;
    writeln!(out, "  reservations (notes):     {}", report.reservations)?;
    writeln!(out, "  emails (recipient, text): {}", report.messages)?;
    writeln!(out, "  unsent emails suppressed: {}", report.unsent_suppressed)?;
    writeln!(out, "  opens (IP, User-Agent):   {}", report.opens)?;
    writeln!(out, "  log entries scrubbed:     {}", report.events)?;
    writeln!(out, "  bounce reports scrubbed:  {}", report.bounces)?;
    writeln!(out, "  address records removed:  {}", report.addresses)?;
    writeln!(out, "  outbox email files:       {files}")?;
    if !report.wal_cleared {
        writeln!(
            out,
            "not finished: another guestmail (a screen or serve) is reading the database, so old copies of the \
             data stay in its journal until that finishes; the next start of guestmail completes the erasure"
        )?;
    }
    writeln!(out, "kept: reservation times and sizes, email kinds, states, times and open counts")?;
    Ok(ExitCode::SUCCESS)
}
