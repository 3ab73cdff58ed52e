//! `guestmail venue add|list` and `guestmail migrate-store`: the venues of a database shared
//! by several restaurants (issue 14). Each prints one JSON object on stdout; a refusal by
//! the venues' rules (src/venue.rs) exits with status 3 and one line on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;

use super::Context;
use super::reservation::REFUSED;
use crate::domain::Language;
use crate::store::{Store, StoreError};
use crate::venue::NewVenue;

#[derive(Debug, clap::Subcommand)]
pub enum VenueCommand {
    /// Add a venue with its own sender (one sender per venue).
    Add(AddArgs),
    /// The venues, as JSON.
    List,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    pub name: String,
    /// The venue's own From address, e.g. bistro@mail.group.example.
    #[arg(long)]
    pub sender: String,
    /// Where guests' replies go (default: the config's `reply_to`).
    #[arg(long)]
    pub reply_to: Option<String>,
    #[arg(long, default_value = "")]
    pub phone: String,
    #[arg(long, default_value = "")]
    pub address: String,
    /// en, fr or nl (default: the config's language).
    #[arg(long)]
    pub language: Option<Language>,
    /// e.g. Europe/Brussels (default: the config's).
    #[arg(long)]
    pub time_zone: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// The venue's SQLite store (opened read-only: it is left untouched).
    #[arg(long, value_name = "FILE.db")]
    pub from: PathBuf,
    /// The PostgreSQL store, `postgres://user@host/db` (password from `GUESTMAIL_DB_PASSWORD`).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// The new venue's sender (default: the config's `sender`). The venue's name is
    /// `--venue NAME`.
    #[arg(long)]
    pub sender: Option<String>,
}

pub fn run(ctx: &Context, command: &VenueCommand) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    match command {
        VenueCommand::List => {
            println!("{}", json!({"venues": store.venues()?}));
            Ok(ExitCode::SUCCESS)
        }
        VenueCommand::Add(args) => {
            let new = NewVenue {
                name: args.name.clone(),
                sender: args.sender.clone(),
                reply_to: args.reply_to.clone().unwrap_or_else(|| ctx.config.reply_to.clone()),
                phone: args.phone.trim().to_owned(),
                address: args.address.trim().to_owned(),
                language: args.language.unwrap_or(ctx.config.language),
                time_zone: args.time_zone.clone().or_else(|| ctx.config.time_zone.clone()).unwrap_or_default(),
            };
            match store.add_venue(&new, &ctx.config.sender) {
                Ok(v) => {
                    println!("{}", json!({"venue": v}));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refusal_or_error(ctx, e),
            }
        }
    }
}

pub fn migrate(ctx: &Context, args: &MigrateArgs) -> anyhow::Result<ExitCode> {
    let c = &ctx.config;
    let name = c.venue.clone().context("name the new venue with --venue NAME")?;
    let new = NewVenue {
        name,
        sender: args.sender.clone().unwrap_or_else(|| c.sender.clone()),
        reply_to: c.reply_to.clone(),
        phone: c.venue_phone.clone(),
        address: c.venue_address.clone(),
        language: c.language,
        time_zone: c.time_zone.clone().unwrap_or_default(),
    };
    let to = crate::store::Location::parse(&args.to);
    if !to.is_postgres() {
        anyhow::bail!("--to must name a PostgreSQL store (postgres://user@host/db), not {to}");
    }
    let mut store = Store::open(&to).with_context(|| format!("cannot open the database {to}"))?;
    match store.copy_sqlite_venue(&args.from, &new, &c.sender) {
        Ok(report) => {
            println!("{}", json!({"venue": report.venue, "tables": report.tables}));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refusal_or_error(ctx, e),
    }
}

/// A refusal by the venues' rules: status 3 and the reason in the config's language.
fn refusal_or_error(ctx: &Context, e: StoreError) -> anyhow::Result<ExitCode> {
    match e {
        StoreError::Venue(r) => {
            eprintln!("guestmail: refused: {}", crate::strings::venues::refusal(ctx.config.language, &r));
            Ok(ExitCode::from(REFUSED))
        }
        other => Err(other.into()),
    }
}
