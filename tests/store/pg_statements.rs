//! Every statement of src/store, as PostgreSQL will run it, prepares on a PostgreSQL schema
//! at the current version: a guard for the statements no test reaches yet on that engine
//! (a prepare parses the SQL, resolves every name and infers every parameter's type).
//!
//! The statements are the string literals of src/store that start with SELECT, INSERT,
//! UPDATE, DELETE or WITH, with `{NAME}` filled in from the `const NAME: &str` of the same
//! files, rewritten by `dialect::to_postgres` as the engine does. Left out, each behind an
//! engine branch or on SQLite's side only: PRAGMAs, `sqlite_master`, FTS5's `MATCH`,
//! `json_each` over an array, and the `pending_scrubs` of SQLite's WAL scrub.

use std::collections::HashMap;
use std::path::Path;

use guestmail::store::Store;
use guestmail::store::engine::dialect::to_postgres;

use crate::support::pg;

/// Only on SQLite (each has its PostgreSQL form beside it, or none is needed).
const SQLITE_ONLY: &[&str] = &["PRAGMA", "sqlite_master", "pragma_", " MATCH ", "json_each(", "pending_scrubs"];

/// The string literals of a Rust file, unescaped (no raw strings in src/store).
fn literals(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut chars = source.char_indices().peekable();
    let mut line = 1;
    while let Some((_, c)) = chars.next() {
        match c {
            '\n' => line += 1,
            // A char literal such as '"' or '\\' is not the start of a string.
            '\'' => {
                let rest: String = chars.clone().take(3).map(|(_, c)| c).collect();
                if rest.starts_with("\"'") || rest.starts_with("\\\\'") || rest.starts_with("\\\"'") {
                    for _ in 0..=rest.find('\'').unwrap_or(0) {
                        chars.next();
                    }
                }
            }
            '/' if chars.peek().is_some_and(|(_, c)| *c == '/') => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '"' => {
                let start = line;
                let mut text = String::new();
                while let Some((_, c)) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next().map(|(_, c)| c) {
                            Some('\n') => {
                                line += 1;
                                while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                                    if chars.next().is_some_and(|(_, c)| c == '\n') {
                                        line += 1;
                                    }
                                }
                            }
                            Some('n') => text.push('\n'),
                            Some('t') => text.push('\t'),
                            Some(other) => text.push(other),
                            None => break,
                        },
                        '\n' => {
                            line += 1;
                            text.push('\n');
                        }
                        other => text.push(other),
                    }
                }
                out.push((start, text));
            }
            _ => {}
        }
    }
    out
}

fn is_statement(text: &str) -> bool {
    let head = text.split_whitespace().next().unwrap_or("");
    ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&head)
}

/// `const NAME: &str = "…"` of a file, by name.
fn constants(source: &str, into: &mut HashMap<String, String>) {
    let lits = literals(source);
    for (i, line) in source.lines().enumerate() {
        let t = line.trim_start();
        let t = t.strip_prefix("pub(crate) ").or_else(|| t.strip_prefix("pub ")).unwrap_or(t);
        let Some(rest) = t.strip_prefix("const ") else { continue };
        let Some((name, ty)) = rest.split_once(':') else { continue };
        if !ty.trim_start().starts_with("&str") {
            continue;
        }
        // The constant's text is the first literal starting on its line or the next one.
        if let Some((_, text)) = lits.iter().find(|(l, _)| *l == i + 1 || *l == i + 2) {
            into.insert(name.trim().to_owned(), text.clone());
        }
    }
}

fn fill(text: &str, consts: &HashMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        out.push_str(&rest[..open]);
        out.push_str(consts.get(&rest[open + 1..close])?);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[test]
fn pg_every_store_statement_prepares_on_postgresql() {
    let Some(schema) = pg::fresh() else {
        println!("skipped pg_every_store_statement_prepares_on_postgresql: set {} to run it", pg::ENV);
        return;
    };
    drop(Store::open(schema.url()).expect("open the schema at the current version"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("outbox")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries {
            let path = e.expect("entry").path();
            if path.extension().is_some_and(|x| x == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.strip_prefix(&root).unwrap().display().to_string(), std::fs::read_to_string(f).unwrap()))
        .collect();
    let mut consts = HashMap::new();
    for (_, source) in &sources {
        constants(source, &mut consts);
    }
    let mut client = schema.connect();
    // forget's temporary tables, as its PostgreSQL branch creates them.
    for (_, source) in &sources {
        for (_, text) in literals(source) {
            if text.trim_start().starts_with("CREATE TEMP TABLE") && text.contains("CITEXT") {
                client.batch_execute(&text).expect("forget's temporary tables");
            }
        }
    }
    let (mut checked, mut refused) = (0, Vec::new());
    for (file, source) in &sources {
        for (line, text) in literals(source) {
            if !is_statement(&text) || SQLITE_ONLY.iter().any(|s| text.contains(s)) {
                continue;
            }
            let Some(sql) = fill(&text, &consts) else { continue };
            if sql.trim_end().trim_end_matches(';').contains(';') {
                continue;
            }
            checked += 1;
            if let Err(e) = client.prepare(&to_postgres(&sql)) {
                let why = e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_owned());
                refused.push(format!(
                    "{file}:{line}: {why}\n    {}",
                    sql.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    println!("{checked} statements prepared on PostgreSQL");
    assert!(checked > 100, "only {checked} statements found: the scan lost its way");
    assert!(refused.is_empty(), "{} of {checked} statements refused:\n{}", refused.len(), refused.join("\n"));
}
