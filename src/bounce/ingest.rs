//! Maildir ingestion (filled below).
