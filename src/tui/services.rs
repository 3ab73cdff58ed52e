//! The background services the screen runs beside itself, each on its own thread with its own
//! SQLite connection, all stopped by the one stop flag the runner sets on quit: the outbox
//! worker (sends what is queued), the tracking-pixel endpoint (records opens; its shutdown
//! flushes the opens it answered), the IMAP watchers of `bounce_mailbox` and `reply_mailbox`
//! and, when `bounce_maildir` is set, the bounce watcher `guestmail serve` runs too (one per
//! database: with a `serve` on the same machine, whichever started first takes bounces in,
//! the other stands by). The counts they record show through the data thread's reload, like
//! any other change to the database. A service that cannot start, such as the endpoint on a
//! port another program holds, leaves the screen running and says why on the status line; so
//! does a mailbox whose connection is lost or whose login is refused, until it is back on.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::thread::{self, JoinHandle};

use crate::bounce::imap::{MailboxSettings, Role};
use crate::bounce::ingest::{Limits, watch_until};
use crate::config::{Config, Paths};
use crate::event::{Background, Event, Service};
use crate::mail::{self, Worker};
use crate::store::Store;
use crate::tracker::{Tracker, TrackerOptions};

/// The running services' threads.
#[derive(Debug, Default)]
pub struct Services {
    threads: Vec<JoinHandle<()>>,
}

impl Services {
    /// Waits for every service to finish (after the stop flag was set).
    pub fn join(self) {
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// Starts the services; failures go to `events` as [`Event::ServiceOff`].
pub fn start(config: &Config, paths: &Paths, events: &Sender<Event>, stop: &Arc<AtomicBool>) -> Services {
    let mut services = Services::default();
    let off = |service, why: String| {
        tracing::warn!("{service:?} is off: {why}");
        let _ = events.send(Event::ServiceOff(service, why));
    };
    match Worker::open(config, &paths.db, &paths.outbox) {
        Ok(worker) => {
            let (tx, stop) = (events.clone(), Arc::clone(stop));
            let spawned = thread::Builder::new().name("outbox".into()).spawn(move || {
                let report = |e: mail::FlushEvent| {
                    let event = match e {
                        mail::FlushEvent::Done(r) => Event::Mail(r),
                        mail::FlushEvent::Paused(pause) => Event::Background(Background::Paused(pause)),
                        mail::FlushEvent::Trouble(why) => Event::Background(Background::Trouble(why)),
                        mail::FlushEvent::Started { .. } => return,
                    };
                    let _ = tx.send(event);
                };
                if let Err(e) = worker.run_until_with(&stop, report) {
                    tracing::warn!("the outbox worker stopped: {e}");
                }
            });
            match spawned {
                Ok(t) => services.threads.push(t),
                Err(e) => off(Service::Sending, e.to_string()),
            }
        }
        Err(e) => off(Service::Sending, e.to_string()),
    }
    let options = TrackerOptions::from_config(config)
        .map(|options| {
            // A host stand sees a handful of opens a minute: two threads are plenty.
            TrackerOptions { workers: 2, ..options }
        })
        .map_err(|e| off(Service::Tracking, e.to_string()))
        .ok();
    match options.map(|options| Tracker::start(&config.tracking_listen, &paths.db, options)) {
        None => {}
        Some(Ok(endpoint)) => {
            tracing::info!("tracking pixel on http://{}/o/<token>.gif", endpoint.local_addr());
            let stop = Arc::clone(stop);
            let spawned = thread::Builder::new().name("tracker".into()).spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    thread::sleep(std::time::Duration::from_millis(50));
                }
                match endpoint.shutdown() {
                    Ok(report) => tracing::info!(?report, "tracker stopped"),
                    Err(e) => tracing::warn!("tracker stopped: {e}"),
                }
            });
            match spawned {
                Ok(t) => services.threads.push(t),
                Err(e) => off(Service::Tracking, e.to_string()),
            }
        }
        // "Off" only when nobody records: a guestmail serve on this machine holding the port
        // answers our health path, and records the opens. Asked on a thread of its own, so
        // the screen never waits for the answer.
        Some(Err(e @ crate::tracker::TrackerError::Bind { .. })) => {
            let (tx, listen) = (events.clone(), config.tracking_listen.clone());
            let probe = thread::Builder::new().name("tracker-probe".into()).spawn(move || {
                if crate::tracker::guestmail_answers(&listen, std::time::Duration::from_secs(1)) {
                    tracing::info!("tracking port held by another guestmail ({e}); it records the opens");
                    let _ = tx.send(Event::TrackingElsewhere);
                } else {
                    tracing::warn!("Tracking is off: {e}");
                    let _ = tx.send(Event::ServiceOff(Service::Tracking, e.to_string()));
                }
            });
            if let Err(e) = probe {
                off(Service::Tracking, e.to_string());
            }
        }
        Some(Err(e)) => off(Service::Tracking, e.to_string()),
    }
    if let Some(maildir) = config.bounce_maildir.clone() {
        match Store::open(&paths.db) {
            Ok(store) => {
                let (limits, stop) = (Limits::from(config), Arc::clone(stop));
                let spawned = thread::Builder::new().name("bounces".into()).spawn(move || {
                    let report = watch_until(&stop, store, &maildir, limits);
                    tracing::info!(?report, "bounce watcher stopped");
                });
                match spawned {
                    Ok(t) => services.threads.push(t),
                    Err(e) => off(Service::Bounces, e.to_string()),
                }
            }
            Err(e) => off(Service::Bounces, e.to_string()),
        }
    }
    start_mailboxes(config, paths, events, stop, &mut services);
    services
}

/// The IMAP mailboxes' watchers (`bounce_mailbox`, then `reply_mailbox`, read only): each
/// tells the screen its standing as [`Event::Mailbox`] (a lost connection or a refused login
/// stays on the status line until it watches again); what they take in shows through the
/// data thread's reload.
fn start_mailboxes(
    config: &Config,
    paths: &Paths,
    events: &Sender<Event>,
    stop: &Arc<AtomicBool>,
    services: &mut Services,
) {
    for role in [Role::Bounces, Role::Replies] {
        let service = Service::mailbox(role);
        let off = |why: String| {
            tracing::warn!("the {} is off: {why}", role.key());
            let _ = events.send(Event::ServiceOff(service, why));
        };
        let settings = match role {
            Role::Bounces => MailboxSettings::bounces_from_config(config),
            Role::Replies => MailboxSettings::replies_from_config(config),
        };
        let settings = match settings {
            Ok(Some(settings)) => settings,
            Ok(None) => continue,
            Err(e) => {
                off(e);
                continue;
            }
        };
        let store = match Store::open(&paths.db) {
            Ok(store) => store,
            Err(e) => {
                off(e.to_string());
                continue;
            }
        };
        let (tx, stop) = (events.clone(), Arc::clone(stop));
        let spawned = thread::Builder::new().name(role.key().replace('_', "-")).spawn(move || {
            let report = crate::bounce::imap::watch_until(&stop, store, &settings, |status| {
                let _ = tx.send(Event::Mailbox(role, status.clone()));
            });
            tracing::info!(?report, role = role.key(), "mailbox watcher stopped");
        });
        match spawned {
            Ok(t) => services.threads.push(t),
            Err(e) => off(e.to_string()),
        }
    }
}
