//! `guestmail` with no command: the host-stand screen.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct TuiArgs {
    /// Fill the database with demo data first if it has no reservations.
    #[arg(long)]
    pub demo: bool,
    /// Open on this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<chrono::NaiveDate>,
}

pub fn run(_ctx: &Context, _args: &TuiArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the screen is not available yet")
}
