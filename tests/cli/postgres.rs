//! The real binary on a PostgreSQL store: named by the config's `database_url`, its
//! password from the environment or an owner-only file, and never printed. PostgreSQL only:
//! each test says why it skips when `GUESTMAIL_TEST_PG` names no server.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_guestmail");
/// The test role's password (tests/harness/postgres.sh's default).
const PASSWORD: &str = "guestmail";

fn guestmail(home: &Path, config: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("--config")
        .arg(config)
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run guestmail")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The schema's URL without its password.
fn without_password(url: &str) -> String {
    url.replacen(&format!(":{PASSWORD}@"), "@", 1)
}

#[test]
fn the_config_names_the_database_and_the_password_comes_from_the_environment() {
    let Some(pg) = crate::support::pg::fresh() else {
        eprintln!("skip: GUESTMAIL_TEST_PG names no PostgreSQL server");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("database_url = \"{}\"\n", without_password(pg.url()))).unwrap();

    let demo = guestmail(dir.path(), &config, &[("GUESTMAIL_DB_PASSWORD", PASSWORD)], &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo));
    assert!(text(&demo).contains("postgres://guestmail@127.0.0.1"), "names the database: {}", text(&demo));

    let status = guestmail(dir.path(), &config, &[("GUESTMAIL_DB_PASSWORD", PASSWORD)], &["status"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).expect("status prints JSON");
    assert!(json["database"]["path"].as_str().unwrap().starts_with("postgres://guestmail@"), "{json}");
    // Nothing written beside a "file": no SQLite database appeared in the data directory.
    assert!(!dir.path().join("guestmail").join("guestmail.db").exists());

    // The same password from an owner-only file.
    let file = dir.path().join("db-password");
    std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
    set_mode(&file, 0o600);
    let f = file.to_str().unwrap();
    let ok = guestmail(dir.path(), &config, &[("GUESTMAIL_DB_PASSWORD_FILE", f)], &["status"]);
    assert!(serde_json::from_slice::<serde_json::Value>(&ok.stdout).is_ok(), "{}", text(&ok));

    // A file others can read is refused, saying how to fix it.
    set_mode(&file, 0o644);
    let refused = guestmail(dir.path(), &config, &[("GUESTMAIL_DB_PASSWORD_FILE", f)], &["demo"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("chmod 600"), "{}", text(&refused));
}

#[test]
fn a_password_is_never_printed_and_never_kept_in_the_config() {
    let Some(pg) = crate::support::pg::fresh() else {
        eprintln!("skip: GUESTMAIL_TEST_PG names no PostgreSQL server");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");

    // In the config's URL: refused, pointing at the environment.
    let secret = "Sup3r-s3cret";
    let with_password = pg.url().replacen(&format!(":{PASSWORD}@"), &format!(":{secret}@"), 1);
    std::fs::write(&config, format!("database_url = \"{with_password}\"\n")).unwrap();
    let refused = guestmail(dir.path(), &config, &[], &["status"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("GUESTMAIL_DB_PASSWORD"), "{}", text(&refused));
    assert!(!text(&refused).contains(secret), "the password leaked: {}", text(&refused));

    // A wrong password given on --db: the server refuses; the message names the database
    // without the password.
    std::fs::write(&config, "").unwrap();
    let wrong = guestmail(dir.path(), &config, &[], &["--db", &with_password, "status"]);
    assert!(!wrong.status.success() || text(&wrong).contains("\"healthy\":false"), "{}", text(&wrong));
    assert!(!text(&wrong).contains(secret), "the password leaked: {}", text(&wrong));
    let logs = dir.path().join("guestmail").join("log");
    for entry in std::fs::read_dir(&logs).into_iter().flatten().flatten() {
        let log = std::fs::read_to_string(entry.path()).unwrap_or_default();
        assert!(!log.contains(secret), "the password leaked into {}", entry.path().display());
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("set the mode");
}
