//! `guestmail forget`.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct ForgetArgs {}

pub fn run(_ctx: &Context, _args: &ForgetArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`guestmail forget` is not available yet")
}
