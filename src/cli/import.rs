//! `guestmail import FILE.csv`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub file: PathBuf,
}

pub fn run(_ctx: &Context, _args: &ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`guestmail import` is not available yet")
}
