//! The command line: global flags and one file per command, each with a `run`.

mod bounce;
mod demo;
mod forget;
mod import;
mod opens;
mod reservation;
mod send;
mod serve;
mod status;
mod tracker;
mod tui;
mod venue;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::config::{Config, Paths};
use crate::domain::Language;
use crate::store::{Rules, Store};

#[derive(Debug, Parser)]
#[command(name = "guestmail", version, about = "Reservation emails at a glance: sent, opened, bounced")]
pub struct Cli {
    /// The SQLite database (default: guestmail.db in the platform data directory).
    #[arg(long, global = true, env = "GUESTMAIL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file (default: config.toml in the platform config directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The language of the screen: en, fr or nl (overrides the config).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<Language>,
    /// The venue to work on, in a database holding several (overrides the config's `venue`).
    #[arg(long, global = true, value_name = "NAME")]
    pub venue: Option<String>,
    #[command(flatten)]
    pub tui: tui::TuiArgs,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Fill the database with a realistic week of demo reservations around today.
    Demo(demo::DemoArgs),
    /// Add reservations from a CSV file (date,time,name,email,phone,party,language,status).
    Import(import::ImportArgs),
    /// Add a reservation or change its status (prints JSON; exit 3 when the rules refuse).
    #[command(subcommand)]
    Reservation(reservation::ReservationCommand),
    /// Send an email of a reservation again (prints JSON; exit 3 when the rules refuse).
    Resend(reservation::ResendArgs),
    /// Send what is in the outbox once, then exit.
    Send(send::SendArgs),
    /// Run headless: keep sending, serve the tracking pixel, take in bounces.
    Serve(serve::ServeArgs),
    /// Bounce messages: parse files, or take in a Maildir.
    #[command(subcommand)]
    Bounce(bounce::BounceCommand),
    /// Pixel fetches: `opens classify` says who fetched (person, proxy or machine) and why.
    #[command(subcommand)]
    Opens(opens::OpensCommand),
    /// Erase a guest's personal data, keeping only anonymous counts.
    Forget(forget::ForgetArgs),
    /// Print the background's health as JSON (exit 1 when unhealthy), for monitoring.
    Status(status::StatusArgs),
    /// Venues of a database shared by several restaurants: `venue add`, `venue list` (JSON).
    #[command(subcommand)]
    Venue(venue::VenueCommand),
    /// Copy a venue's SQLite store into PostgreSQL as a new venue (prints the counts as JSON).
    MigrateStore(venue::MigrateArgs),
    /// Run only the tracking-pixel endpoint until SIGTERM (benchmarks, split setups).
    #[command(hide = true)]
    Tracker(tracker::TrackerArgs),
}

/// What every command gets: the resolved paths and the loaded config.
#[derive(Debug, Clone)]
pub struct Context {
    pub paths: Paths,
    pub config: Config,
}

impl Context {
    /// Opens the database with the config's Message-ID domain.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.paths.db)
            .with_context(|| format!("cannot open the database {}", self.paths.db_shown()))?
            .with_message_domain(self.config.sender_domain())
            .with_rules(self.rules()))
    }

    /// Opens the database scoped to the venue the screen and the CLI work on: the one
    /// `--venue` (or the config's `venue`) names, else the only one; several venues and no
    /// name is an error listing them.
    pub fn open_venue_store(&self) -> anyhow::Result<Store> {
        let store = self.open_store()?;
        let id = self.venue_id(&store)?;
        Ok(store.with_venue(id))
    }

    /// The id of the venue this command works on (see [`Context::open_venue_store`]).
    pub fn venue_id(&self, store: &Store) -> anyhow::Result<i64> {
        match store.choose_venue(self.config.venue.as_deref()) {
            Ok(id) => Ok(id),
            Err(crate::store::VenueSelectError::Choice(e)) => {
                Err(anyhow::anyhow!(crate::strings::venues::choice(self.config.language, &e)))
            }
            Err(crate::store::VenueSelectError::Store(e)) => Err(e.into()),
        }
    }

    /// The venue's journey rules and clock, from the config.
    pub fn rules(&self) -> Rules {
        Rules { policy: self.config.policy(), clock: self.config.clock() }
    }
}

impl Cli {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let paths = Paths::resolve(self.db.clone(), self.config.clone());
        let mut config = Config::load(&paths.config, paths.config_required)?;
        // The config's PostgreSQL store, unless --db or GUESTMAIL_DB names one.
        let paths = match (&self.db, &config.database_url) {
            (None, Some(url)) => Paths::resolve(Some(PathBuf::from(url)), self.config.clone()),
            _ => paths,
        };
        if let Some(lang) = self.lang {
            config.language = lang;
        }
        if let Some(venue) = self.venue.clone() {
            config.venue = Some(venue);
        }
        let ctx = Context { paths, config };
        match self.command {
            None => tui::run(&ctx, &self.tui),
            Some(CliCommand::Demo(args)) => demo::run(&ctx, &args),
            Some(CliCommand::Import(args)) => import::run(&ctx, &args),
            Some(CliCommand::Reservation(cmd)) => reservation::run(&ctx, &cmd),
            Some(CliCommand::Resend(args)) => reservation::resend(&ctx, &args),
            Some(CliCommand::Send(args)) => send::run(&ctx, &args),
            Some(CliCommand::Serve(args)) => serve::run(&ctx, &args),
            Some(CliCommand::Bounce(cmd)) => bounce::run(&ctx, cmd),
            Some(CliCommand::Forget(args)) => forget::run(&ctx, &args),
            Some(CliCommand::Status(args)) => status::run(&ctx, &args),
            Some(CliCommand::Opens(cmd)) => opens::run(&ctx, &cmd),
            Some(CliCommand::Venue(cmd)) => venue::run(&ctx, &cmd),
            Some(CliCommand::MigrateStore(args)) => venue::migrate(&ctx, &args),
            Some(CliCommand::Tracker(args)) => tracker::run(&ctx, &args),
        }
    }
}

/// Sends tracing output to a daily log file beside the database; the guard flushes on drop.
pub fn init_logging(ctx: &Context) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    std::fs::create_dir_all(&ctx.paths.log_dir).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(&ctx.paths.log_dir, std::fs::Permissions::from_mode(0o700));
    }
    let appender = tracing_appender::rolling::daily(&ctx.paths.log_dir, "guestmail.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("GUESTMAIL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().ok()?;
    Some(guard)
}
