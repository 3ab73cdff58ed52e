//! Bounce messages: parsing (DSN, ARF, non-standard formats), classifying, ingesting.
