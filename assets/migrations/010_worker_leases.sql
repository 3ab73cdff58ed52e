-- PostgreSQL only (pg/010_worker_leases.sql: worker leases and in-flight markers). SQLite's
-- workers keep their lock files beside the database (src/mail/liveness.rs), which the OS
-- releases exactly when a process dies; this file only keeps both engines' versions in step.
SELECT 1;
