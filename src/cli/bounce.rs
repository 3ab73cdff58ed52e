//! `guestmail bounce parse|ingest`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum BounceCommand {
    /// Print one JSON line per failed recipient of each file.
    Parse { files: Vec<PathBuf> },
    /// Take in every new message of a Maildir.
    Ingest { maildir: PathBuf },
}

pub fn run(_ctx: &Context, _cmd: BounceCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`guestmail bounce` is not available yet")
}
