//! Small helpers to read domain values out of result rows.

use std::str::FromStr;

use chrono::NaiveDateTime;

use super::engine::{Result, Row};

/// The text form of a reservation's start, as stored.
pub(crate) const STARTS_AT_FORMAT: &str = "%Y-%m-%d %H:%M";

pub(crate) fn starts_at_text(at: NaiveDateTime) -> String {
    at.format(STARTS_AT_FORMAT).to_string()
}

/// Reads a text column into any `FromStr` type, reporting a bad value as a conversion error.
pub(crate) fn parsed<T>(row: &Row<'_>, idx: usize) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| Row::invalid(idx, e))
}

/// Like [`parsed`] for a nullable column.
pub(crate) fn parsed_opt<T>(row: &Row<'_>, idx: usize) -> Result<Option<T>>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = row.get(idx)?;
    text.map(|t| t.parse().map_err(|e| Row::invalid(idx, e))).transpose()
}

pub(crate) fn starts_at(row: &Row<'_>, idx: usize) -> Result<NaiveDateTime> {
    let text: String = row.get(idx)?;
    NaiveDateTime::parse_from_str(&text, STARTS_AT_FORMAT).map_err(|e| Row::invalid(idx, e))
}
