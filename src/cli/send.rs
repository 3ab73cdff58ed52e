//! `guestmail send`: flush the outbox once and exit, with a progress bar and a summary.
//!
//! Exit status: 0 when every due message was sent, deferred for a later retry, or held back
//! because its address is blocked; 2 when at least one message failed for good during this
//! run (a permanent refusal, or 24 h of retries), so a cron job or script notices; 1 when
//! the run itself could not happen (database, config, SMTP settings).

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Context;
use crate::domain::MessageState;
use crate::mail::{Event, Summary, Worker};

/// Exit status when some message failed permanently.
pub const EXIT_SOME_FAILED: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// No progress output on stderr, only the summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(ctx: &Context, args: &SendArgs) -> anyhow::Result<ExitCode> {
    let _log = super::init_logging(ctx);
    let mut worker = Worker::open(&ctx.config, &ctx.paths.db, &ctx.paths.outbox)
        .with_context(|| format!("cannot start sending from {}", ctx.paths.db.display()))?;
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let bar =
        if tty { ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} sending {pos}/{len} [{bar:30}] {per_sec} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let transport = worker.transport().describe();
    let mut done = 0u64;
    let mut on = |event: Event| match event {
        Event::Started { due } => {
            bar.set_length(due);
            if !tty && !args.quiet {
                eprintln!("sending {due} message(s) via {transport}");
            }
        }
        Event::Done(report) => {
            done += 1;
            bar.inc(1);
            bar.set_message(format!("{} {}", report.state, report.kind));
            let notable = !matches!(report.state, MessageState::Sent);
            if !tty && !args.quiet && (notable || done.is_multiple_of(100)) {
                eprintln!("{done}: message {} {} {}: {}", report.message, report.kind, report.state, report.detail);
            }
        }
    };
    // Ctrl-C or SIGTERM ends the run cleanly: results recorded, untried rows given back.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, std::sync::Arc::clone(&stop))?;
    }
    let summary = worker.flush_once_until(&stop, &mut on)?;
    bar.finish_and_clear();
    worker.transport().close();
    println!("{}", render(&summary));
    Ok(if summary.failed > 0 { ExitCode::from(EXIT_SOME_FAILED) } else { ExitCode::SUCCESS })
}

/// The one-line summary printed on stdout.
pub fn render(s: &Summary) -> String {
    let mut line =
        format!("sent {}, deferred {}, failed {}, suppressed {}", s.sent, s.deferred, s.failed, s.suppressed);
    if s.uncertain > 0 {
        let _ = write!(line, ", uncertain {} (interrupted earlier: check and resend)", s.uncertain);
    }
    if s.withdrawn > 0 {
        let _ = write!(line, ", withdrawn {} (no longer wanted)", s.withdrawn);
    }
    line
}
