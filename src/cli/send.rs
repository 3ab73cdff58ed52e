//! `guestmail send`: flush the outbox once and exit, with a progress bar and a summary.
//!
//! Exit status: 0 when every due message was sent, deferred for a later retry, or held back
//! because its address is blocked; 2 when at least one message failed for good during this
//! run (a permanent refusal, or 24 h of retries), so a cron job or script notices; 4 when
//! sending paused on a venue problem (our login, relay, sender, a server silent or gone:
//! one line on stderr says which and what to check; the emails stay queued); 1 when the run
//! itself could not happen (database, config, SMTP settings).
//!
//! The SMTP work runs on its own thread: Ctrl-C or SIGTERM ends the command within
//! [`STOP_GRACE`] whatever the server does. A thread still blocked on a silent server then
//! is left behind; the email it holds is `sending` on disk with its in-flight mark, so the
//! next start flags it `uncertain` and gives the rest back to the outbox.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Context;
use crate::domain::MessageState;
use crate::mail::{FlushEvent, Summary, Worker};

/// Exit status when some message failed permanently.
pub const EXIT_SOME_FAILED: u8 = 2;
/// Exit status when sending paused on a venue problem (see [`crate::failure`]).
pub const EXIT_PAUSED: u8 = 4;
/// How long a stop (Ctrl-C, SIGTERM) waits for the SMTP thread before leaving it behind.
pub const STOP_GRACE: Duration = Duration::from_millis(1500);

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// No progress output on stderr, only the summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(ctx: &Context, args: &SendArgs) -> anyhow::Result<ExitCode> {
    let _log = super::init_logging(ctx);
    let mut worker = Worker::open(&ctx.config, &ctx.paths.db, &ctx.paths.outbox)
        .with_context(|| format!("cannot start sending from {}", ctx.paths.db_shown()))?;
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
    let mut on = |event: FlushEvent| match event {
        FlushEvent::Started { due } => {
            bar.set_length(due);
            if !tty && !args.quiet {
                eprintln!("sending {due} message(s) via {transport}");
            }
        }
        FlushEvent::Done(report) => {
            done += 1;
            bar.inc(1);
            bar.set_message(format!("{} {}", report.state, report.kind));
            let notable = !matches!(report.state, MessageState::Sent);
            if !tty && !args.quiet && (notable || done.is_multiple_of(100)) {
                eprintln!("{done}: message {} {} {}: {}", report.message, report.kind, report.state, report.detail);
            }
        }
        FlushEvent::Paused(_) | FlushEvent::Trouble(_) => {}
    };
    // Ctrl-C or SIGTERM ends the run cleanly: results recorded, untried rows given back.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let (tx, rx) = mpsc::channel::<Progress>();
    let s = Arc::clone(&stop);
    let smtp = std::thread::Builder::new().name("send".into()).spawn(move || {
        let events = tx.clone();
        let result = worker.flush_once_until(&s, &mut |e| {
            let _ = events.send(Progress::FlushEvent(e));
        });
        worker.transport().close();
        let _ = tx.send(Progress::Finished(result.map_err(|e| anyhow::anyhow!(e))));
    })?;
    let mut stopped_at: Option<Instant> = None;
    let summary = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(Progress::FlushEvent(e)) => on(e),
            Ok(Progress::Finished(result)) => break result?,
            Err(mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("the sending thread stopped"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if stop.load(Ordering::Relaxed) {
            let at = *stopped_at.get_or_insert_with(Instant::now);
            if at.elapsed() >= STOP_GRACE {
                bar.finish_and_clear();
                eprintln!(
                    "guestmail send: stopped while the mail server held an email; it is checked at the next start"
                );
                return Ok(ExitCode::from(130));
            }
        }
    };
    let _ = smtp.join();
    bar.finish_and_clear();
    println!("{}", render(&summary));
    if let Some((reason, detail)) = &summary.paused {
        eprintln!("{}", crate::strings::pause::line(ctx.config.language, *reason, detail));
        return Ok(ExitCode::from(EXIT_PAUSED));
    }
    Ok(if summary.failed > 0 { ExitCode::from(EXIT_SOME_FAILED) } else { ExitCode::SUCCESS })
}

/// What the sending thread tells the command.
enum Progress {
    FlushEvent(FlushEvent),
    Finished(anyhow::Result<Summary>),
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
