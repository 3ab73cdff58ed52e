//! `guestmail tracker`: only the tracking endpoint, until SIGTERM or Ctrl-C. A hidden
//! command for benchmarks and for venues that run the pixel apart from `guestmail serve`.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context as _;

use super::Context;
use crate::tracker::{self, TrackerOptions};

#[derive(Debug, clap::Args)]
pub struct TrackerArgs {
    /// Where to listen (default: `tracking_listen` from the config).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// How long the first open of a batch waits for others before the commit.
    #[arg(long, value_name = "MS", default_value_t = 5)]
    pub batch_window_ms: u64,
    /// Event-loop threads serving connections (0: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub workers: usize,
    /// Opens queued for the writer; past it they are answered and counted as dropped.
    #[arg(long, value_name = "N")]
    pub queue: Option<usize>,
}

pub fn run(ctx: &Context, args: &TrackerArgs) -> anyhow::Result<ExitCode> {
    let _log = super::init_logging(ctx);
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).context("cannot install the signal handler")?;
    }
    let listen = args.listen.as_deref().unwrap_or(&ctx.config.tracking_listen);
    let base = TrackerOptions::from_config(&ctx.config)?;
    let options = TrackerOptions {
        batch_window: Duration::from_millis(args.batch_window_ms),
        workers: args.workers,
        queue: args.queue.unwrap_or(base.queue),
        ..base
    };
    let report = tracker::run_until(listen, &ctx.paths.db, options, &stop, |addr| {
        eprintln!("guestmail: tracking endpoint listening on http://{addr}");
    })?;
    // stdout carries data: the final counts, one JSON line.
    let line = serde_json::json!({
        "queued": report.queued,
        "dropped": report.dropped,
        "recorded": report.recorded,
        "replays": report.replays,
        "not_kept": report.not_kept,
        "unknown": report.unknown,
        "batches": report.batches,
        "failed_commits": report.failed_commits,
        "lost": report.lost,
        "max_delay_ms": report.max_delay_ms,
    });
    writeln!(std::io::stdout(), "{line}")?;
    Ok(if report.lost == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
