#!/usr/bin/env bash
# The same product on PostgreSQL, with nothing else to set up: starts a private PostgreSQL
# (tests/harness/postgres.sh: installed from Debian when missing, data in a scratch directory,
# listening on loopback only), then runs the host-stand screen on it with the demo data.
# The server keeps running for a second terminal (run this script again: it reuses it);
# stop it with `bash tests/harness/postgres.sh stop "$GUESTMAIL_PG_DIR"`.
#
# Usage: scripts/postgres-demo.sh [guestmail arguments...]   (default: --demo)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${GUESTMAIL_PG_DIR:-/tmp/guestmail-pg}
PORT=${GUESTMAIL_PG_PORT:-15439}
mkdir -p "$DIR"
bash "$ROOT/tests/harness/postgres.sh" start "$DIR" "$PORT" >&2
URL=$(bash "$ROOT/tests/harness/postgres.sh" url "$DIR")
# The password travels in the environment, not on the command line.
GUESTMAIL_DB_PASSWORD=$(printf '%s' "$URL" | sed -E 's#^postgres(ql)?://[^:@/]+:([^@]*)@.*#\2#')
export GUESTMAIL_DB_PASSWORD
DB=$(printf '%s' "$URL" | sed -E 's#^(postgres(ql)?://[^:@/]+):[^@]*@#\1@#')
[ $# -gt 0 ] || set -- --demo
cd "$ROOT"
exec cargo run --release --quiet -- --db "$DB" "$@"
