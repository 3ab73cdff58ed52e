//! The background services the screen runs beside itself, each on its own thread with its own
//! SQLite connection, all stopped by the one stop flag the runner sets on quit:
//! the outbox worker (sends what is queued). A service that cannot start leaves the screen
//! running and says why on the status line.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::thread::{self, JoinHandle};

use crate::config::{Config, Paths};
use crate::event::{Event, Service};
use crate::mail::{self, Worker};

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
                let report = |e: mail::Event| {
                    if let mail::Event::Done(r) = e {
                        let _ = tx.send(Event::Mail(r));
                    }
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
    services
}
