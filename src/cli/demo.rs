//! `guestmail demo`: fill a database with demo reservations around today.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::bail;

use super::Context;
use crate::demo::{DemoOptions, fill};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many reservations to create (default: about 40 a day over a week; at most 400 a
    /// day, so larger numbers spread over more days).
    #[arg(long, default_value_t = 280)]
    pub reservations: u64,
    /// The seed of the generator: the same seed gives the same guests and states.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Add to a database that already has reservations.
    #[arg(long)]
    pub append: bool,
}

pub fn run(ctx: &Context, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let existing = store.reservation_count()?;
    if existing > 0 && !args.append {
        bail!(
            "{} already has {existing} reservations; use another --db, or --append to add demo data to it",
            ctx.paths.db_shown()
        );
    }
    let opts = DemoOptions::live(args.reservations, args.seed, ctx.config.clock(), ctx.config.policy());
    let started = Instant::now();
    let s = fill(&mut store, &opts)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "demo: {} reservations over {} days, {} guests, {} emails in {} ({:.1} s)",
        s.reservations,
        s.days,
        s.guests,
        s.messages,
        ctx.paths.db_shown(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}
