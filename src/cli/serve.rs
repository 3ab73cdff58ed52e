//! `guestmail serve`.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

pub fn run(_ctx: &Context, _args: &ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`guestmail serve` is not available yet")
}
