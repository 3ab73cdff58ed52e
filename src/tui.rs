//! The terminal runner: takes the terminal (`ratatui::init`, whose panic hook gives it back),
//! starts the input thread and the data thread, and runs the loop
//! event -> action -> update -> draw (only when something changed) until the user quits.
//!
//! The data thread owns its own [`Store`] connection: the UI thread never runs SQL. It
//! answers "load day D" requests and polls `PRAGMA data_version` about four times a second,
//! reloading the day on screen when another process or thread has committed.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use chrono::NaiveDate;

use crate::app::App;
use crate::event::{self, Event};
use crate::store::Store;

/// How often the data thread checks whether another connection committed.
pub const DATA_POLL: Duration = Duration::from_millis(250);

/// Runs the screen until the user quits. The terminal is restored on every path out,
/// including errors and panics.
pub fn run(mut app: App, db: &Path) -> anyhow::Result<()> {
    // Open once up front so a bad database is a clear error before the terminal is taken.
    let store = Store::open(db)?;
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app, store);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App, store: Store) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::channel::<Event>();
    let (load_tx, load_rx) = mpsc::channel::<NaiveDate>();
    let stop = Arc::new(AtomicBool::new(false));
    let input = {
        let (tx, stop) = (tx.clone(), Arc::clone(&stop));
        thread::Builder::new().name("input".into()).spawn(move || event::read_terminal(&tx, &stop))?
    };
    let data = thread::Builder::new().name("data".into()).spawn(move || serve_days(&store, &load_rx, &tx))?;

    let size = terminal.size()?;
    app.update(crate::action::Action::Resize(size.width, size.height));
    let result = (|| -> anyhow::Result<()> {
        loop {
            if let Some(day) = app.take_load_request() {
                // A closed channel means the data thread died; its error is already on screen.
                let _ = load_tx.send(day);
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
    result
}

/// The data thread: answers day requests and reloads the current day when the database
/// changed. Ends when the UI drops its request sender or its event receiver.
pub fn serve_days(store: &Store, requests: &Receiver<NaiveDate>, events: &Sender<Event>) {
    let mut current: Option<NaiveDate> = None;
    let mut version = store.data_version().ok();
    loop {
        let reload = match requests.recv_timeout(DATA_POLL) {
            Ok(day) => {
                // Skip days the user already scrolled past: only the newest request counts.
                let day = requests.try_iter().last().unwrap_or(day);
                current = Some(day);
                true
            }
            Err(RecvTimeoutError::Timeout) => {
                let now = store.data_version().ok();
                let changed = now != version;
                version = now;
                changed
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
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
