//! Venues through the real binary on a real SQLite file (issue 14): `venue add|list` print
//! JSON; a second venue with the same sender exits 3 with one line saying why and what to
//! use instead; with several venues a venue-scoped command without `--venue` exits 1 naming
//! them; `--venue` scopes the reservation commands; `send` puts each email From its venue's
//! sender with Reply-To its venue's reply-to (the implicit venue keeps the config's).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The venues' own set-up over the journey tests' runner: one config, one database.
struct Group(crate::journey::Venue);

impl Group {
    fn new() -> Self {
        Group(crate::journey::Venue::with_config(
            "venue_name = \"Chez Nous\"\nsender = \"chez@mail.group.example\"\nreply_to = \"tables@chez.example\"\n",
        ))
    }

    fn db(&self) -> PathBuf {
        self.0.db()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.0.run(args)
    }

    fn json(&self, args: &[&str]) -> Value {
        self.0.json(args)
    }

    fn fails(&self, args: &[&str], code: i32) -> String {
        self.0.refused(args, code)
    }

    fn add(&self, venue: Option<&str>, email: &str) -> i64 {
        let mut args = vec![];
        if let Some(v) = venue {
            args.extend(["--venue", v]);
        }
        args.extend([
            "reservation",
            "add",
            "--date",
            "2037-11-27",
            "--time",
            "19:30",
            "--name",
            "Anna",
            "--email",
            email,
        ]);
        self.json(&args)["id"].as_i64().unwrap()
    }
}

/// The header lines of every email in the Maildir outbox, by recipient.
fn emails(outbox: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(outbox.join(sub)) else { continue };
        for e in entries {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            out.push(text.split("\r\n\r\n").next().unwrap().to_owned());
        }
    }
    out
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).unwrap_or_else(|| panic!("no {name} in {head}"))
}

#[test]
fn venues_cli_add_list_refuse_scope_and_send_from_each_venue() {
    let g = Group::new();
    // A single-venue store: the implicit venue, no --venue needed.
    let list = g.json(&["venue", "list"]);
    assert_eq!(list["venues"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["venues"][0]["name"], "default");
    let here = g.add(None, "anna@example.be");

    let v = g.json(&[
        "venue",
        "add",
        "--name",
        "Bistro",
        "--sender",
        "bistro@mail.group.example",
        "--reply-to",
        "bistro@bistro.example",
    ]);
    assert_eq!(v["venue"]["sender"], "bistro@mail.group.example");
    // The same sender, in other case: refused, saying why, suggesting one of its own.
    let err = g.fails(&["venue", "add", "--name", "Brasserie", "--sender", "Bistro@Mail.Group.Example"], 3);
    assert!(err.contains("brasserie@mail.group.example") && err.contains("display name"), "{err}");
    let err =
        g.fails(&["--lang", "nl", "venue", "add", "--name", "Brasserie", "--sender", "chez@mail.group.example"], 3);
    assert!(err.contains("brasserie@mail.group.example") && err.contains("weergavenaam"), "{err}");
    assert_eq!(g.json(&["venue", "list"])["venues"].as_array().unwrap().len(), 2);

    // Several venues: a scoped command needs --venue, and the error names them.
    let err = g.fails(&["reservation", "show", &here.to_string()], 1);
    assert!(err.contains("--venue") && err.contains("default") && err.contains("Bistro"), "{err}");
    let err = g.fails(&["--venue", "Nowhere", "reservation", "show", &here.to_string()], 1);
    assert!(err.contains("Nowhere") && err.contains("Bistro"), "{err}");
    let there = g.add(Some("bistro"), "anna@example.be");
    g.fails(&["--venue", "default", "reservation", "show", &there.to_string()], 1);
    let shown = g.json(&["--venue", "Bistro", "reservation", "show", &there.to_string()]);
    assert_eq!(shown["id"], there);
    // `venue` in the config chooses too; --venue overrides it.
    let config = g.0.dir().join("gm.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}venue = \"Bistro\"\n")).unwrap();
    assert_eq!(g.json(&["reservation", "show", &there.to_string()])["id"], there);
    g.fails(&["--venue", "default", "reservation", "show", &there.to_string()], 1);
    std::fs::write(&config, text).unwrap();

    // `send` is the whole group's: each email From its own venue.
    let out = g.run(&["send"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let heads = emails(&g.0.dir().join("outbox"));
    assert_eq!(heads.len(), 2, "{heads:#?}");
    let mut froms: Vec<(String, String)> =
        heads.iter().map(|h| (header(h, "From").to_owned(), header(h, "Reply-To").to_owned())).collect();
    froms.sort();
    assert_eq!(
        froms,
        vec![
            ("\"Chez Nous\" <chez@mail.group.example>".to_owned(), "\"Chez Nous\" <tables@chez.example>".to_owned()),
            ("Bistro <bistro@mail.group.example>".to_owned(), "Bistro <bistro@bistro.example>".to_owned()),
        ]
    );
}

#[test]
fn venues_cli_migrate_store_copies_into_postgres_and_refuses_the_same_sender_twice() {
    let Some(schema) = crate::support::pg::fresh() else {
        eprintln!("skip venues_cli_migrate_store_…: {} is not set", crate::support::pg::ENV);
        return;
    };
    let g = Group::new();
    let out = g.run(&["demo", "--reservations", "120"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = std::fs::read(g.db()).unwrap();
    let file = g.db();
    let migrate = |sender: &'static str| {
        let mut args = vec!["--venue", "Chez Nous", "migrate-store", "--from", file.to_str().unwrap(), "--to"];
        args.extend([schema.url(), "--sender", sender]);
        args
    };
    let v = g.json(&migrate("chez@mail.group.example"));
    assert_eq!(v["venue"]["name"], "Chez Nous");
    let tables = v["tables"].as_array().unwrap();
    let reservations = tables.iter().find(|t| t["table"] == "reservations").unwrap();
    assert_eq!(reservations["read"], 120);
    assert_eq!(reservations["written"], 120);
    for t in tables {
        assert_eq!(t["read"].as_u64(), Some(t["written"].as_u64().unwrap() + t["merged"].as_u64().unwrap()), "{t}");
    }
    assert_eq!(std::fs::read(g.db()).unwrap(), before, "the file is left untouched");
    // The same sender again (as another venue): exit 3, nothing copied, the file untouched.
    let mut again = migrate("CHEZ@mail.group.example");
    again[1] = "Chez Eux";
    let err = g.fails(&again, 3);
    assert!(err.contains("chez-eux@mail.group.example"), "{err}");
    assert_eq!(std::fs::read(g.db()).unwrap(), before);
    // The PostgreSQL store now holds the implicit venue and the copied one.
    let out = Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .args(["--config", g.0.dir().join("gm.toml").to_str().unwrap(), "--db", schema.url(), "venue", "list"])
        .env_remove("GUESTMAIL_DB")
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list["venues"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default", "Chez Nous"]);
}
