//! The store writes its SQL once, in the dialect both engines share, with SQLite's
//! parameter marks; this module rewrites a statement for PostgreSQL the first time a
//! connection prepares it (the result is cached with the prepared statement).
//!
//! Hand-written because no crate rewrites between these two dialects without parsing the
//! whole grammar into its own tree (sqlparser can, at 10× the code we need); the rewrites
//! here are token-level and few:
//! - `?NNN` (and a bare `?`) become `$NNN`;
//! - `INSERT OR IGNORE INTO …` becomes `INSERT INTO … ON CONFLICT DO NOTHING`;
//! - `COLLATE NOCASE` is dropped: those columns are `citext` on PostgreSQL, which compares,
//!   sorts and indexes them case-insensitively as SQLite's NOCASE does;
//! - `IFNULL` becomes `COALESCE`, and a two-argument `MAX`/`MIN` (SQLite's scalar forms)
//!   becomes `GREATEST`/`LEAST`;
//! - `LIKE` becomes `ILIKE`, since SQLite's LIKE ignores ASCII case.
//!
//! Quoted strings, quoted identifiers and comments are copied untouched.

/// The PostgreSQL form of one SQLite-dialect statement.
pub fn to_postgres(sql: &str) -> String {
    let tokens = tokenize(sql);
    let mut out = String::with_capacity(sql.len() + 32);
    let mut next_param = 1;
    let mut ignore_conflicts = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        match token.kind {
            Kind::Param => {
                let digits = &token.text[1..];
                if digits.is_empty() {
                    out.push('$');
                    out.push_str(&next_param.to_string());
                    next_param += 1;
                } else {
                    out.push('$');
                    out.push_str(digits);
                    next_param = digits.parse::<usize>().map_or(next_param, |n| n + 1);
                }
            }
            Kind::Word => {
                let word = token.text.to_ascii_uppercase();
                match word.as_str() {
                    "OR" if i >= 2 && upper(&tokens, i - 2) == "INSERT" && upper(&tokens, i + 2) == "IGNORE" => {
                        ignore_conflicts = true;
                        // Skip "OR", the space and "IGNORE" (and the space after it).
                        i += 3;
                        if tokens.get(i).is_some_and(|t| t.kind == Kind::Space) {
                            i += 1;
                        }
                        continue;
                    }
                    "COLLATE" if upper(&tokens, i + 2) == "NOCASE" => {
                        out.truncate(out.trim_end().len());
                        i += 3;
                        continue;
                    }
                    "IS" => {
                        // SQLite's `a IS b` (and `IS NOT`) compares with NULL-safe equality.
                        let (negated, operand) = match next_word(&tokens, i + 1) {
                            Some((j, w)) if w == "NOT" => (Some(j), next_token(&tokens, j + 1)),
                            _ => (None, next_token(&tokens, i + 1)),
                        };
                        let null_safe = operand.is_some_and(|(_, t)| {
                            t.kind == Kind::Param
                                || (t.kind == Kind::Word
                                    && !matches!(
                                        t.text.to_ascii_uppercase().as_str(),
                                        "NULL" | "NOT" | "TRUE" | "FALSE" | "DISTINCT" | "UNKNOWN"
                                    ))
                        });
                        match (null_safe, negated) {
                            (true, Some(not_at)) => {
                                out.push_str("IS DISTINCT FROM");
                                i = not_at + 1;
                                continue;
                            }
                            (true, None) => out.push_str("IS NOT DISTINCT FROM"),
                            (false, _) => out.push_str(&token.text),
                        }
                    }
                    "IFNULL" => out.push_str("COALESCE"),
                    "LIKE" => out.push_str("ILIKE"),
                    "MAX" | "MIN" if has_two_arguments(&tokens, i + 1) => {
                        out.push_str(if word == "MAX" { "GREATEST" } else { "LEAST" });
                    }
                    _ => out.push_str(&token.text),
                }
            }
            _ => out.push_str(&token.text),
        }
        i += 1;
    }
    if ignore_conflicts {
        let trimmed = out.trim_end().trim_end_matches(';').trim_end().len();
        out.truncate(trimmed);
        match find_word(&out, "RETURNING") {
            Some(at) => out.insert_str(at, "ON CONFLICT DO NOTHING "),
            None => out.push_str(" ON CONFLICT DO NOTHING"),
        }
    }
    out
}

/// The first token at or after `i` that is not a space.
fn next_token(tokens: &[Token], mut i: usize) -> Option<(usize, &Token)> {
    while tokens.get(i).is_some_and(|t| t.kind == Kind::Space) {
        i += 1;
    }
    tokens.get(i).map(|t| (i, t))
}

/// [`next_token`] when it is a word, upper-cased.
fn next_word(tokens: &[Token], i: usize) -> Option<(usize, String)> {
    next_token(tokens, i).filter(|(_, t)| t.kind == Kind::Word).map(|(j, t)| (j, t.text.to_ascii_uppercase()))
}

fn upper(tokens: &[Token], i: usize) -> String {
    tokens.get(i).filter(|t| t.kind == Kind::Word).map(|t| t.text.to_ascii_uppercase()).unwrap_or_default()
}

/// Whether the parenthesis starting at `tokens[i]` (spaces allowed before it) holds a
/// comma at its own depth.
fn has_two_arguments(tokens: &[Token], mut i: usize) -> bool {
    while tokens.get(i).is_some_and(|t| t.kind == Kind::Space) {
        i += 1;
    }
    if tokens.get(i).is_none_or(|t| t.text != "(") {
        return false;
    }
    let mut depth = 0;
    for t in &tokens[i..] {
        match t.text.as_str() {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            "," if depth == 1 => return true,
            _ => {}
        }
    }
    false
}

/// The byte offset of a whole-word, case-insensitive `word` outside quotes.
fn find_word(sql: &str, word: &str) -> Option<usize> {
    let mut at = 0;
    for t in tokenize(sql) {
        if t.kind == Kind::Word && t.text.eq_ignore_ascii_case(word) {
            return Some(at);
        }
        at += t.text.len();
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Param,
    Space,
    Quoted,
    Other,
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    text: String,
}

fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let kind = if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Kind::Word
        } else if c == '?' {
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            Kind::Param
        } else if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            Kind::Space
        } else if c == '\'' || c == '"' {
            i += 1;
            loop {
                match chars.get(i) {
                    None => break,
                    Some(&q) if q == c => {
                        i += 1;
                        // A doubled quote is an escaped one.
                        if chars.get(i) == Some(&c) {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    Some(_) => i += 1,
                }
            }
            Kind::Quoted
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            Kind::Space
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            Kind::Other
        } else {
            i += 1;
            Kind::Other
        };
        tokens.push(Token { kind, text: chars[start..i].iter().collect() });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::to_postgres;

    #[test]
    fn rewrites_as_a_table() {
        let cases = [
            (
                "SELECT id FROM guests WHERE email = ?1 AND id > ?2",
                "SELECT id FROM guests WHERE email = $1 AND id > $2",
            ),
            ("SELECT ? , ?", "SELECT $1 , $2"),
            ("SELECT '?1', \"a?\" FROM t WHERE x = ?3", "SELECT '?1', \"a?\" FROM t WHERE x = $3"),
            ("INSERT OR IGNORE INTO a (x) VALUES (?1)", "INSERT INTO a (x) VALUES ($1) ON CONFLICT DO NOTHING"),
            (
                "INSERT OR IGNORE INTO a (x) VALUES (?1) RETURNING id;",
                "INSERT INTO a (x) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id",
            ),
            ("SELECT * FROM g ORDER BY name COLLATE NOCASE, id", "SELECT * FROM g ORDER BY name, id"),
            ("SELECT IFNULL(a, 0), ifnull(b, 1)", "SELECT COALESCE(a, 0), COALESCE(b, 1)"),
            (
                "SELECT MAX(a), max(a, b), MIN(f(x, y)), min(x, (y))",
                "SELECT MAX(a), GREATEST(a, b), MIN(f(x, y)), LEAST(x, (y))",
            ),
            ("WHERE name LIKE ?1", "WHERE name ILIKE $1"),
            ("WHERE ip IS ?3 AND ua IS NOT ?4", "WHERE ip IS NOT DISTINCT FROM $3 AND ua IS DISTINCT FROM $4"),
            ("WHERE a IS b AND c IS NOT d", "WHERE a IS NOT DISTINCT FROM b AND c IS DISTINCT FROM d"),
            ("WHERE x IS NULL AND y IS NOT NULL AND z IS TRUE", "WHERE x IS NULL AND y IS NOT NULL AND z IS TRUE"),
            ("SELECT 'it''s ?' -- a ? comment\n, ?2", "SELECT 'it''s ?' -- a ? comment\n, $2"),
        ];
        for (sqlite, postgres) in cases {
            assert_eq!(to_postgres(sqlite), postgres, "{sqlite}");
        }
    }
}
