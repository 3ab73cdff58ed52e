//! `guestmail bounce parse|ingest`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;

use super::Context;
use crate::bounce::{self, ingest};

#[derive(Debug, clap::Subcommand)]
pub enum BounceCommand {
    /// Print one JSON line per failed recipient of each file.
    Parse { files: Vec<PathBuf> },
    /// Take in every new message of a Maildir.
    Ingest { maildir: PathBuf },
}

pub fn run(ctx: &Context, cmd: BounceCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BounceCommand::Parse { files } => parse(&files, ctx.config.bounce_max_bytes),
        BounceCommand::Ingest { maildir } => {
            let mut store = ctx.open_store()?;
            let summary = ingest::ingest_maildir(&mut store, &maildir, &ingest::Limits::from(&ctx.config))
                .with_context(|| format!("cannot take in the Maildir {}", maildir.display()))?;
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One JSON object per recipient (or `"class": "none"`) on stdout; unreadable files are
/// reported on stderr and the others still parsed. Fails only when no file could be read. A
/// file over `bounce_max_bytes` is parsed from its head, as ingestion does.
fn parse(files: &[PathBuf], max_bytes: u64) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut unreadable = 0;
    for path in files {
        let raw = match ingest::read_bounded(path, max_bytes) {
            Ok(ingest::Raw::Whole(raw) | ingest::Raw::Head { head: raw, .. }) => raw,
            Err(e) => {
                eprintln!("guestmail: cannot read {}: {e}", path.display());
                unreadable += 1;
                continue;
            }
        };
        for line in lines_for(&basename(path), &raw) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(if unreadable > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn basename(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The JSON lines for one file.
pub(crate) fn lines_for(file: &str, raw: &[u8]) -> Vec<serde_json::Value> {
    match bounce::parse(raw) {
        None => vec![json!({"file": file, "class": "none"})],
        Some(b) => b
            .recipients
            .iter()
            .map(|r| {
                json!({
                    "file": file,
                    "recipient": r.recipient,
                    "status": r.status,
                    "reply_code": r.reply_code,
                    "class": r.class.as_str(),
                    "action": r.action,
                    "diagnostic": r.diagnostic,
                })
            })
            .collect(),
    }
}
