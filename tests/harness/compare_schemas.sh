#!/usr/bin/env bash
# Compares the SQLite schema (assets/migrations/0*.sql applied in order to a fresh file) with
# the PostgreSQL one (assets/migrations/pg/0*.sql: the baseline, then each later migration's
# PostgreSQL half, loaded in order into a fresh schema), as
# lines: tables, columns (position, name, type after the mapping, NOT NULL, default), primary
# keys, UNIQUE constraints, foreign keys (with ON DELETE), CHECK counts, indexes (name, table,
# columns, unique, partial) and triggers. Prints the diff, then fails if it holds any line
# that is not one of the known differences listed in EXPECTED below.
#
#   tests/harness/compare_schemas.sh postgres://user:pw@127.0.0.1:15432/db
#   (or with GUESTMAIL_TEST_PG set). Needs python3 (its sqlite3 module) and psql.
#
# Hand-written: no tool diffs a SQLite schema against a PostgreSQL one.
set -euo pipefail
cd "$(dirname "$0")/../.."
url=${1:-${GUESTMAIL_TEST_PG:-}}
[ -n "$url" ] || { echo "usage: $0 POSTGRES_URL (or set GUESTMAIL_TEST_PG)" >&2; exit 2; }
work=$(mktemp -d)
schema="cmp_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
cleanup() {
  psql -X -q "$url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- SQLite -------------------------------------------------------------------------------
python3 - "$work/sqlite.db" assets/migrations/0*.sql >"$work/sqlite.txt" <<'PY'
import re, sqlite3, sys
db, files = sys.argv[1], sorted(sys.argv[2:])
con = sqlite3.connect(db)
for f in files:
    sql = open(f).read()
    # 'secure-delete' is an FTS5 setting (no schema object) that SQLite < 3.44 does not know;
    # the app's bundled SQLite is newer. Leave it out when this python's SQLite is older.
    if sqlite3.sqlite_version_info < (3, 44, 0):
        sql = "\n".join(l for l in sql.splitlines() if "'secure-delete'" not in l)
    con.executescript(sql)
out = []
def q(s, *a): return con.execute(s, a).fetchall()
def split_defs(sql):
    """The column and constraint definitions of a CREATE TABLE, comments removed."""
    sql = re.sub(r"--[^\n]*", "", sql)
    body = sql[sql.index("(") + 1 : sql.rindex(")")]
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "(": depth += 1
        if ch == ")": depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip()); cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts
virtual = [r[0] for r in q("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")]
for (t, sql) in q("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"):
    out.append(f"table {t}")
    # A virtual table and the shadow tables SQLite keeps for it: their names alone.
    if t in virtual or any(t.startswith(v + "_") for v in virtual):
        continue
    defs = {p.split()[0].strip('"').lower(): p for p in split_defs(sql) if p}
    cols = q(f"PRAGMA table_info('{t}')")
    pk = [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5] > 0]
    rowid_alias = len(pk) == 1 and any(c[1] == pk[0] and c[2].upper() == "INTEGER" for c in cols) \
        and "WITHOUT ROWID" not in sql.upper()
    for (cid, name, typ, notnull, dflt, pkpos) in cols:
        d = defs.get(name.lower(), "").upper()
        typ = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea",
               "": "(none)"}.get(typ.upper(), typ.lower())
        if typ == "text" and "COLLATE NOCASE" in d: typ = "citext"
        if rowid_alias and name == pk[0]:
            notnull, dflt = 1, "identity"
        # A WITHOUT ROWID table's primary key is NOT NULL whatever table_info says.
        if pkpos and "WITHOUT ROWID" in sql.upper(): notnull = 1
        out.append(f"column {t}.{cid + 1} {name} {typ} {'not null' if notnull else 'null'} default={dflt}")
    out.append(f"pk {t}({','.join(pk)})")
    for (seq, iname, uniq, origin, partial) in q(f"PRAGMA index_list('{t}')"):
        icols = ",".join(r[2] or "(expr)" for r in q(f"PRAGMA index_info('{iname}')"))
        if origin == "u": out.append(f"unique {t}({icols})")
        if origin == "c":
            out.append(f"index {iname} on {t}({icols}) {'unique ' if uniq else ''}{'partial' if partial else 'full'}")
    fks = {}
    for (id_, seq, ref, frm, to, on_upd, on_del, match) in q(f"PRAGMA foreign_key_list('{t}')"):
        fks.setdefault(id_, [ref, [], [], on_del])
        fks[id_][1].append(frm); fks[id_][2].append(to)
    for ref, frm, to, on_del in fks.values():
        out.append(f"fk {t}({','.join(frm)}) -> {ref}({','.join(to)}) on delete {on_del.lower()}")
    checks = len(re.findall(r"\bCHECK\s*\(", re.sub(r"--[^\n]*", "", sql), re.I))
    out.append(f"checks {t} {checks}")
for (name, t) in q("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"):
    out.append(f"trigger {name} on {t}")
print("\n".join(sorted(out)))
PY

# --- PostgreSQL ---------------------------------------------------------------------------
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$url" \
  -c "CREATE EXTENSION IF NOT EXISTS citext" \
  -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" -c "CREATE SCHEMA $schema" >/dev/null
PGOPTIONS="-c search_path=$schema,public -c client_min_messages=warning" \
  psql -X -q -v ON_ERROR_STOP=1 -1 "$url" $(printf -- '-f %s ' assets/migrations/pg/0*.sql) >/dev/null
psql -X -q -At -v ON_ERROR_STOP=1 -v s="$schema" "$url" >"$work/pg.raw" <<'SQL'
SELECT 'table ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' AND c.relkind = 'r';
SELECT format('column %s.%s %s %s %s default=%s', c.relname, a.attnum, a.attname,
              format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END,
              CASE WHEN a.attidentity <> '' THEN 'identity'
                   ELSE coalesce(regexp_replace(pg_get_expr(d.adbin, d.adrelid), '::[a-z ]+$', ''), 'None') END)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = :'s' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped;
SELECT format('%s %s(%s)', CASE k.contype WHEN 'p' THEN 'pk' ELSE 'unique' END, c.relname,
              (SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(att, ord)
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.att))
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' AND k.contype IN ('p', 'u');
-- A table without a primary key prints 'pk T()', as SQLite's side does.
SELECT format('pk %s()', c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' AND c.relkind = 'r'
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p');
SELECT format('fk %s(%s) -> %s(%s) on delete %s', c.relname,
              (SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(att, ord)
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.att),
              r.relname,
              (SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(att, ord)
                 JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.att),
              CASE k.confdeltype WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade'
                                 WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' END)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' AND k.contype = 'f';
SELECT format('checks %s %s', c.relname, (SELECT count(*) FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c'))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :'s' AND c.relkind = 'r';
SELECT format('index %s on %s(%s) %s%s', i.relname, c.relname,
              (SELECT string_agg(coalesce(a.attname, '(expr)'), ',' ORDER BY u.ord)
                 FROM unnest(x.indkey::int2[]) WITH ORDINALITY u(att, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.att),
              CASE WHEN x.indisunique THEN 'unique ' ELSE '' END,
              CASE WHEN x.indpred IS NULL THEN 'full' ELSE 'partial' END)
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'s' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid);
SELECT format('trigger %s on %s', t.tgname, c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :'s' AND NOT t.tgisinternal;
SQL
sort "$work/pg.raw" >"$work/pg.txt"

# --- The diff -----------------------------------------------------------------------------
# The known differences, each justified in assets/migrations/pg/008_baseline.sql's header:
# FTS5's virtual table (and its shadow tables and sync triggers) is a GIN trigram index there;
# SQLite's version lives in PRAGMA user_version, PostgreSQL's in schema_version; SQLite lets a
# non-integer PRIMARY KEY of a rowid table hold NULL, PostgreSQL never does. 009: SQLite cannot
# add a column with both REFERENCES and a non-NULL default, so venue_id's foreign keys exist on
# PostgreSQL only, as does the per-venue day index (see assets/migrations/pg/009_venues.sql).
# 010: the outbox workers' leases and in-flight marks live in PostgreSQL only; SQLite's
# workers keep their lock files (assets/migrations/pg/010_worker_leases.sql). 011: the day
# query's lower-cased address index, which PostgreSQL's form of that query needs and SQLite's
# does not (assets/migrations/pg/011_day_query_pg.sql).
EXPECTED='< table guests_search
< table guests_search_config
< table guests_search_data
< table guests_search_docsize
< table guests_search_idx
< trigger guests_search_delete on guests
< trigger guests_search_insert on guests
< trigger guests_search_update on guests
> index guests_search on guests(name,email) full
> table schema_version
> column schema_version.1 version bigint not null default=None
> pk schema_version()
> checks schema_version 0
< column mailbox_status.1 role text null default=None
> column mailbox_status.1 role text not null default=None
> fk guests(venue_id) -> venues(id) on delete no action
> fk reservations(venue_id) -> venues(id) on delete no action
> index reservations_by_venue_start on reservations(venue_id,starts_at) full
> checks worker_leases 0
> checks worker_marks 0
> column worker_leases.1 worker_id text not null default=None
> column worker_leases.2 host text not null default=None
> column worker_leases.3 pid bigint not null default=None
> column worker_leases.4 started_at bigint not null default=None
> column worker_leases.5 expires_at bigint not null default=None
> column worker_marks.1 worker_id text not null default=None
> column worker_marks.2 message_id bigint not null default=None
> column worker_marks.3 accepted boolean not null default=false
> pk worker_leases(worker_id)
> pk worker_marks(worker_id,message_id)
> table worker_leases
> table worker_marks
> index addresses_by_lower_email on addresses((expr)) unique full'
diff "$work/sqlite.txt" "$work/pg.txt" | grep -E '^[<>]' >"$work/diff" || true
echo "--- diff: < SQLite (assets/migrations/0*.sql), > PostgreSQL (assets/migrations/pg/0*.sql) ---"
cat "$work/diff"
echo "--- $(wc -l <"$work/sqlite.txt") SQLite lines, $(wc -l <"$work/pg.txt") PostgreSQL lines ---"
unexpected=$(grep -vxF -f <(printf '%s\n' "$EXPECTED") "$work/diff" || true)
missing=$(printf '%s\n' "$EXPECTED" | grep -vxF -f "$work/diff" || true)
if [ -n "$unexpected" ] || [ -n "$missing" ]; then
  [ -z "$unexpected" ] || printf 'UNEXPECTED difference:\n%s\n' "$unexpected"
  [ -z "$missing" ] || printf 'known difference no longer seen (update EXPECTED):\n%s\n' "$missing"
  exit 1
fi
echo "compare_schemas: OK (only the $(wc -l <"$work/diff") known differences)"
