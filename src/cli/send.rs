//! `guestmail send`.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct SendArgs {}

pub fn run(_ctx: &Context, _args: &SendArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`guestmail send` is not available yet")
}
