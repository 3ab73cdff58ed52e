//! `guestmail` with no command: the host-stand screen.

use std::process::ExitCode;

use anyhow::Context as _;

use super::Context;
use crate::app::App;
use crate::keymap::Keymap;

#[derive(Debug, clap::Args)]
pub struct TuiArgs {
    /// Fill the database with demo data first if it has no reservations.
    #[arg(long)]
    pub demo: bool,
    /// Open on this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<chrono::NaiveDate>,
}

pub fn run(ctx: &Context, args: &TuiArgs) -> anyhow::Result<ExitCode> {
    let keymap = Keymap::with_overrides(&ctx.config.keys)
        .with_context(|| format!("invalid key in the config file {}", ctx.paths.config.display()))?;
    let _log = super::init_logging(ctx);
    // Which venue the screen works on, settled before the terminal is taken; its clock (its
    // own time zone, else the config's) says which day is today.
    let store = ctx.open_venue_store()?;
    let venue = store.venue_id();
    let clock = store.rules().clock;
    let today = clock.now().date();
    // A venue of its own shows its name; the implicit venue is the config's.
    let venue_name = Some(store.venue(venue)?)
        .filter(|v| !v.sender.is_empty())
        .map_or_else(|| ctx.config.venue_name.clone(), |v| v.name);
    drop(store);
    if args.demo {
        // Fills only an empty database, so `--demo` is safe to leave in a habit or a script.
        let mut store = ctx.open_venue_store()?;
        let opts = crate::demo::DemoOptions::live(280, 7, clock, ctx.config.policy());
        if let Some(s) = crate::demo::fill_if_empty(&mut store, &opts)? {
            tracing::info!(
                "--demo: {} reservations, {} emails in {}",
                s.reservations,
                s.messages,
                ctx.paths.db_shown()
            );
        }
    }
    let mut app = App::new(&venue_name, ctx.config.language, keymap, today, args.date.unwrap_or(today));
    app.no_color = std::env::var_os("NO_COLOR").is_some();
    app.set_venue(ctx.config.policy(), clock);
    crate::tui::run(app, &ctx.config, &ctx.paths, venue)?;
    Ok(ExitCode::SUCCESS)
}
