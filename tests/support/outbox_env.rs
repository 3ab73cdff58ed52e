//! A temporary guestmail setup for outbox tests: a real database file, a config, workers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use guestmail::config::Config;
use guestmail::domain::{Language, NewReservation, ReservationStatus};
use guestmail::mail::Worker;
use guestmail::mail::transport::Transport;
use guestmail::store::Store;

use super::engines::{Db, Engine};

pub const SENDER: &str = "noreply@mail.chez.example";
pub const REPLY_TO: &str = "table@chez.example";
pub const VENUE: &str = "Chez Nous";
pub const TRACKING: &str = "https://t.chez.example";

pub struct Env {
    pub dir: tempfile::TempDir,
    /// The store: a file, or a `postgres://` URL (a schema of its own, dropped with `pg`).
    pub db: PathBuf,
    pub outbox: PathBuf,
    pub config: Config,
    pub engine: Engine,
    pg: Option<super::pg::PgSchema>,
}

/// The config text for a server URL (None: the Maildir outbox).
pub fn config_text(smtp_url: Option<&str>) -> String {
    let mut text = format!(
        "venue_name = \"{VENUE}\"\nsender = \"{SENDER}\"\nreply_to = \"{REPLY_TO}\"\nlanguage = \"en\"\n\
         tracking_base_url = \"{TRACKING}/\"\nvenue_phone = \"+32 2 555 00 00\"\nvenue_address = \"Rue Haute 1, Bruxelles\"\n"
    );
    if let Some(url) = smtp_url {
        let _ = writeln!(text, "smtp_url = \"{url}\"");
    }
    text
}

impl Env {
    pub fn new(smtp_url: Option<&str>) -> Self {
        Self::on(Engine::Sqlite, smtp_url)
    }

    /// A setup whose store runs on `engine` (PostgreSQL: the test server must be named;
    /// [`crate::both_engines`] checks that first).
    pub fn on(engine: Engine, smtp_url: Option<&str>) -> Self {
        let Db { location, dir, schema } = Db::fresh(engine).expect("a PostgreSQL server for this test");
        let config = Config::parse(&config_text(smtp_url), Path::new("test.toml")).expect("valid config");
        let outbox = dir.path().join("outbox");
        Env { dir, db: location, outbox, config, engine, pg: schema }
    }

    pub fn store(&self) -> Store {
        Store::open(&self.db).expect("open store").with_message_domain(self.config.sender_domain())
    }

    pub fn worker(&self) -> Worker {
        Worker::open(&self.config, &self.db, &self.outbox).expect("worker")
    }

    pub fn worker_with(&self, transport: Transport) -> Worker {
        Worker::with_transport(&self.config, &self.db, transport).expect("worker")
    }

    /// Runs one statement (SQLite's dialect, integer parameters `?1`…) behind the store's
    /// back, on whichever engine the setup uses: a fixture the store has no API for.
    pub fn execute(&self, sql: &str, params: &[i64]) -> usize {
        match &self.pg {
            None => {
                let conn = rusqlite::Connection::open(&self.db).expect("open");
                conn.execute(sql, rusqlite::params_from_iter(params)).expect("statement")
            }
            Some(schema) => {
                let sql = guestmail::store::engine::dialect::to_postgres(sql);
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn postgres::types::ToSql + Sync)).collect();
                schema.connect().execute(&sql, &params).expect("statement") as usize
            }
        }
    }

    /// The data directory a child process gets (`XDG_DATA_HOME`): where a PostgreSQL
    /// store's log and Maildir outbox go, as it has no directory of its own.
    pub fn data_home(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Where the real binary writes its log: beside a SQLite file, else under
    /// [`Env::data_home`].
    pub fn log_dir(&self) -> PathBuf {
        match self.engine {
            Engine::Sqlite => self.db.parent().expect("the file's folder").join("log"),
            Engine::Postgres => self.data_home().join("guestmail").join("log"),
        }
    }

    /// Writes the config to a file (for the real binary).
    pub fn config_file(&self, smtp_url: Option<&str>) -> PathBuf {
        let path = self.dir.path().join("config.toml");
        std::fs::write(&path, config_text(smtp_url)).expect("write config");
        path
    }
}

pub fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid time")
}

pub fn booking(name: &str, email: &str, language: Language, starts: &str, party: u32) -> NewReservation {
    NewReservation {
        name: name.to_owned(),
        email: email.to_owned(),
        phone: String::new(),
        language,
        starts_at: at(starts),
        party_size: party,
        status: ReservationStatus::Pending,
        notes: String::new(),
    }
}

/// Flushes once, ignoring progress.
pub fn flush(worker: &mut Worker) -> guestmail::mail::Summary {
    worker.flush_once(&mut |_| {}).expect("flush")
}
