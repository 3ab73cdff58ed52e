//! The terminal runner: takes the terminal (`ratatui::init`, whose panic hook gives it back),
//! starts the input thread and the data thread, and runs the loop
//! event -> action -> update -> draw (only when something changed) until the user quits.
//!
//! The data thread owns its own [`Store`] connection: the UI thread never runs SQL. It
//! answers "load day D" requests, runs the writes and the panes' look-ups the screen asks
//! for ([`Command`]), and polls `PRAGMA data_version` about four times a second, reloading
//! the day on screen (and counting the delivery health again) when another process or
//! thread (the outbox worker, the tracker) has committed.
//!
//! Background services run on their own threads with their own connections and stop when
//! the shared stop flag is set on quit: the outbox worker (see [`services`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use chrono::NaiveDate;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};

use crate::app::App;
use crate::config::Config;
use crate::data::{self, Command};
use crate::event::{self, Event};
use crate::store::Store;

pub mod services;

/// What the UI asks of the data thread.
#[derive(Debug)]
pub enum Request {
    /// Load (and keep watching) this day.
    Load(NaiveDate),
    /// Run this command and answer with its outcome; after a write, the health and the day
    /// follow.
    Run(Command),
}

/// How often the data thread checks whether another connection committed.
pub const DATA_POLL: Duration = Duration::from_millis(100);

/// Runs the screen until the user quits. The terminal is restored on every path out,
/// including errors and panics.
/// `venue` is the one the screen works on (see [`Store::with_venue`]).
pub fn run(mut app: App, config: &Config, paths: &crate::config::Paths, venue: i64) -> anyhow::Result<()> {
    // Open once up front so a bad database is a clear error before the terminal is taken.
    let rules = crate::store::Rules { policy: config.policy(), clock: config.clock() };
    let store = Store::open(&paths.db)?.with_message_domain(config.sender_domain()).with_rules(rules).with_venue(venue);
    let mut terminal = ratatui::init();
    // Clicks on the error badges; given back on every way out, panics included.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        hook(info);
    }));
    let result = crossterm::execute!(std::io::stdout(), EnableMouseCapture)
        .map_err(anyhow::Error::from)
        .and_then(|()| event_loop(&mut terminal, &mut app, store, config, paths));
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    store: Store,
    config: &Config,
    paths: &crate::config::Paths,
) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::channel::<Event>();
    let (load_tx, load_rx) = mpsc::channel::<Request>();
    let stop = Arc::new(AtomicBool::new(false));
    let input = {
        let (tx, stop) = (tx.clone(), Arc::clone(&stop));
        thread::Builder::new().name("input".into()).spawn(move || event::read_terminal(&tx, &stop))?
    };
    let background = services::start(config, paths, &tx, &stop);
    let data = thread::Builder::new().name("data".into()).spawn(move || {
        let mut store = store;
        serve_days(&mut store, &load_rx, &tx);
    })?;

    let size = terminal.size()?;
    app.update(crate::action::Action::Resize(size.width, size.height));
    let result = (|| -> anyhow::Result<()> {
        loop {
            // A closed channel means the data thread died; its error is already on screen.
            for command in app.take_commands() {
                let _ = load_tx.send(Request::Run(command));
            }
            if let Some(day) = app.take_load_request() {
                let _ = load_tx.send(Request::Load(day));
            }
            if !app.running {
                return Ok(());
            }
            if app.take_redraw() {
                terminal.draw(|frame| frame.render_widget(&*app, frame.area()))?;
            }
            let Ok(event) = rx.recv() else { return Ok(()) };
            if let Some(action) = app.action_for(event) {
                app.update(action);
            }
        }
    })();
    stop.store(true, Ordering::Relaxed);
    drop(load_tx);
    drop(rx);
    let _ = data.join();
    let _ = input.join();
    background.join();
    result
}

/// The data thread: answers day requests, runs writes and look-ups, and reloads the current
/// day when the database changed (a write of ours or another connection's commit). The
/// delivery health is counted at start and after each change, never on a quiet tick. Ends
/// when the UI drops its request sender or its event receiver.
pub fn serve_days(store: &mut Store, requests: &Receiver<Request>, events: &Sender<Event>) {
    let mut current: Option<NaiveDate> = None;
    let mut version = store.data_version().ok();
    let mut health_due = true;
    loop {
        let reload = match requests.recv_timeout(DATA_POLL) {
            Ok(first) => {
                // Commands run in order; of the day requests only the newest counts (skip days
                // the user already scrolled past).
                let mut reload = false;
                for request in std::iter::once(first).chain(requests.try_iter()) {
                    match request {
                        Request::Load(day) => {
                            reload = true;
                            current = Some(day);
                        }
                        Request::Run(c) => {
                            let writes = c.writes();
                            reload |= writes;
                            health_due |= writes;
                            if events.send(Event::Done(data::execute(store, c))).is_err() {
                                return;
                            }
                        }
                    }
                }
                reload
            }
            Err(RecvTimeoutError::Timeout) => {
                let now = store.data_version().ok();
                let changed = now != version;
                version = now;
                health_due |= changed;
                changed
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if std::mem::take(&mut health_due) {
            let event = match store.delivery_health(crate::store::now_ms()) {
                Ok(h) => Event::Done(data::Outcome::Health(h)),
                Err(e) => Event::LoadFailed(e.to_string()),
            };
            if events.send(event).is_err() {
                return;
            }
        }
        let Some(day) = current.filter(|_| reload) else { continue };
        let event = match store.day(day) {
            Ok(rows) => Event::DayLoaded(day, rows),
            Err(e) => Event::LoadFailed(e.to_string()),
        };
        if events.send(event).is_err() {
            return;
        }
    }
}
