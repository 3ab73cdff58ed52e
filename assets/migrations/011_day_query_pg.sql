-- Nothing on SQLite: its NOCASE index already serves the day query's address look-up.
-- PostgreSQL's 011 indexes addresses by their lower-cased form (see pg/011_day_query_pg.sql).
SELECT 1;
