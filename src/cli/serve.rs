//! `guestmail serve`: the headless daemon for a venue whose host-stand machine is not the
//! server. It keeps the outbox flowing, serves the tracking pixel and the email service
//! providers' event hooks (`POST /hooks/<provider>`), and takes in bounces from
//! the configured Maildir, each on its own thread, until SIGTERM or Ctrl-C; then every thread
//! finishes what it holds (the tracker stores every open it answered) before the exit.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context as _, anyhow};

use super::Context;
use crate::bounce::imap::{MailboxSettings, Role, Status};
use crate::bounce::ingest::{Limits, watch_until};
use crate::domain::{mask_addresses, mask_email, mask_email_in};
use crate::mail::Worker;
use crate::tracker::{self, TrackerOptions};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where the tracking endpoint listens (default: `tracking_listen` from the config).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Do not serve the tracking pixel (another process does).
    #[arg(long)]
    pub no_tracker: bool,
}

/// Logs the outbox's progress with the recipient masked as the screen shows it (`a…@x.org`),
/// in the reply text too: the log never carries a guest's full address.
fn log_outbox_event(event: crate::mail::FlushEvent) {
    match event {
        crate::mail::FlushEvent::Started { due } => tracing::info!(due, "outbox flush"),
        crate::mail::FlushEvent::Done(r) => tracing::info!(
            message = r.message,
            kind = %r.kind,
            to = %mask_email(&r.recipient),
            state = %r.state,
            detail = %mask_email_in(&r.detail, &r.recipient),
            "outbox"
        ),
        crate::mail::FlushEvent::Paused(Some(p)) => {
            tracing::warn!(reason = ?p.reason, detail = %mask_addresses(&p.detail), attempts = p.attempts, "sending paused");
        }
        crate::mail::FlushEvent::Paused(None) => tracing::info!("sending resumed"),
        crate::mail::FlushEvent::Trouble(Some(why)) => tracing::warn!("the outbox cannot work: {why}"),
        crate::mail::FlushEvent::Trouble(None) => tracing::info!("the outbox works again"),
    }
}

/// One named background part of the daemon.
type Part = (&'static str, JoinHandle<anyhow::Result<()>>);

pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let _log = super::init_logging(ctx);
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).context("cannot install the signal handler")?;
    }
    // Open the store once up front so a bad database is a clear error before any thread starts.
    drop(ctx.open_store()?);
    // Every setting is checked before anything starts (an error names its key): a bad hook
    // secret or mailbox must not leave an outbox worker sending while serve exits.
    let tracker_options = if args.no_tracker { None } else { Some(TrackerOptions::from_config(&ctx.config)?) };
    let bounce_mailbox = MailboxSettings::bounces_from_config(&ctx.config).map_err(|e| anyhow!("{e}"))?;
    let reply_mailbox = MailboxSettings::replies_from_config(&ctx.config).map_err(|e| anyhow!("{e}"))?;
    let mut parts: Vec<Part> = Vec::new();

    let worker = Worker::open(&ctx.config, &ctx.paths.db, &ctx.paths.outbox)?;
    let s = Arc::clone(&stop);
    parts.push((
        "outbox",
        std::thread::spawn(move || {
            worker.run_until_with(&s, log_outbox_event).map_err(|e| anyhow!("the outbox worker stopped: {e}"))
        }),
    ));
    eprintln!("guestmail serve: sending from the outbox of {}", ctx.paths.db_shown());

    if let Some(options) = tracker_options {
        let listen = args.listen.clone().unwrap_or_else(|| ctx.config.tracking_listen.clone());
        let db = ctx.paths.db.clone();
        let hooks = options.hooks.enabled_names();
        let s = Arc::clone(&stop);
        parts.push((
            "tracker",
            std::thread::spawn(move || {
                let report = tracker::run_until(&listen, &db, options, &s, |addr| {
                    eprintln!("guestmail serve: tracking pixel on http://{addr}/o/<token>.gif");
                    if !hooks.is_empty() {
                        eprintln!("guestmail serve: provider event hooks on http://{addr}/hooks/<provider> ({hooks})");
                    }
                })
                .map_err(|e| anyhow!("the tracking endpoint stopped: {e}"))?;
                tracing::info!(?report, "tracker stopped");
                Ok(())
            }),
        ));
    }

    if let Some(maildir) = ctx.config.bounce_maildir.clone() {
        let store = ctx.open_store()?;
        let limits = Limits::from(&ctx.config);
        let s = Arc::clone(&stop);
        eprintln!("guestmail serve: taking in bounces from {} (one watcher per database)", maildir.display());
        parts.push((
            "bounces",
            std::thread::spawn(move || {
                let report = watch_until(&s, store, &maildir, limits);
                tracing::info!(?report, "bounce watcher stopped");
                Ok(())
            }),
        ));
    }
    if let Some(settings) = bounce_mailbox {
        let store = ctx.open_store()?;
        let s = Arc::clone(&stop);
        eprintln!(
            "guestmail serve: taking in bounces from the mailbox {} (one watcher per database)",
            settings.url.name()
        );
        parts.push((
            "bounce-mailbox",
            std::thread::spawn(move || {
                let report = crate::bounce::imap::watch_until(&s, store, &settings, say_mailbox(Role::Bounces));
                tracing::info!(?report, "bounce mailbox watcher stopped");
                Ok(())
            }),
        ));
    }
    if let Some(settings) = reply_mailbox {
        let store = ctx.open_store()?;
        let s = Arc::clone(&stop);
        eprintln!("guestmail serve: reading guests' replies in {} (read only)", settings.url.name());
        parts.push((
            "reply-mailbox",
            std::thread::spawn(move || {
                let report = crate::bounce::imap::watch_until(&s, store, &settings, say_mailbox(Role::Replies));
                tracing::info!(?report, "reply mailbox watcher stopped");
                Ok(())
            }),
        ));
    }
    if ctx.config.bounce_maildir.is_none() && ctx.config.bounce_mailbox.is_none() {
        eprintln!("guestmail serve: no bounce_maildir or bounce_mailbox configured, bounces are not taken in");
    }

    // Wait for a signal, or for a part to stop on its own (an error): then stop the rest.
    while !stop.load(Ordering::SeqCst) && parts.iter().all(|(_, h)| !h.is_finished()) {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::SeqCst);
    // The outbox may be blocked on a silent mail server (up to smtp_timeout_seconds): give
    // it a short grace, then leave it behind; its email in flight keeps its in-flight mark
    // and is flagged at the next start, the rest goes back to the outbox.
    let grace = std::time::Instant::now() + super::send::STOP_GRACE;
    while parts.iter().any(|(n, h)| *n == "outbox" && !h.is_finished()) && std::time::Instant::now() < grace {
        std::thread::sleep(Duration::from_millis(20));
    }
    parts.retain(|(n, h)| {
        let stuck = *n == "outbox" && !h.is_finished();
        if stuck {
            eprintln!("guestmail serve: the mail server holds an email; it is checked at the next start");
        }
        !stuck
    });
    let mut failed = false;
    for (name, handle) in parts {
        match handle.join() {
            Ok(Ok(())) => tracing::info!(part = name, "stopped"),
            Ok(Err(e)) => {
                eprintln!("guestmail serve: {e:#}");
                failed = true;
            }
            Err(_) => {
                eprintln!("guestmail serve: the {name} thread panicked");
                failed = true;
            }
        }
    }
    eprintln!("guestmail serve: stopped");
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// What `serve` says of a mailbox watcher's standing: each lost connection or refused login,
/// then, once, that it is watching again.
fn say_mailbox(role: Role) -> impl FnMut(&Status) {
    let lang = crate::domain::Language::En;
    let mut troubled = false;
    move |status| match crate::strings::replies::mailbox_trouble(lang, role, status) {
        Some(why) => {
            troubled = true;
            eprintln!("guestmail serve: {why}");
        }
        None if std::mem::take(&mut troubled) => {
            eprintln!("guestmail serve: {}", crate::strings::replies::mailbox_back(lang, role));
        }
        None => {}
    }
}
