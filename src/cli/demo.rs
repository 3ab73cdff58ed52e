//! `guestmail demo`.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many reservations to create (default: about 40 a day over a week).
    #[arg(long, default_value_t = 280)]
    pub reservations: u64,
}

pub fn run(_ctx: &Context, _args: &DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`guestmail demo` is not available yet")
}
