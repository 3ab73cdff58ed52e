#!/usr/bin/env bash
# Side by side: guestmail's outbox flush (claim, compose, send, record; synchronous=FULL group
# commits, one per batch of 64) and Python's smtplib pushing the same kind of 2,000 pre-built
# emails over one connection, both to the same sink: aiosmtpd (from PyPI, in a private venv).
#
# Usage: benches/smtp_vs_python.sh        (from the repository root; needs python3 and cargo)
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'kill "${sink_pid:-}" "${fast_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

venv="${GUESTMAIL_BENCH_VENV:-target/bench-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet aiosmtpd
fi
py="$venv/bin/python"

port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$work/sink.py" <<'PY'
import sys
from aiosmtpd.controller import Controller

class Sink:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        return "250 2.0.0 Ok: queued"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]), decode_data=False)
controller.start()
print("sink ready", flush=True)
try:
    __import__("time").sleep(10**6)
finally:
    controller.stop()
PY
"$py" "$work/sink.py" "$port" >"$work/sink.log" 2>&1 &
sink_pid=$!
for _ in $(seq 50); do grep -q ready "$work/sink.log" 2>/dev/null && break; sleep 0.1; done

echo "== building the benchmark (release) =="
cargo bench --bench send --no-run --quiet 2>/dev/null || cargo bench --bench send --no-run
GUESTMAIL_BENCH_DUMP="$work/eml" cargo bench --quiet --bench send
cat >"$work/push.py" <<'PY'
import smtplib, sys, time, pathlib
d = pathlib.Path(sys.argv[1]); port = int(sys.argv[2]); run = sys.argv[3]
rows = [l.split("\t") for l in (d / "envelopes.tsv").read_text().splitlines()]
msgs = [((d / f).read_bytes(), frm, to) for f, frm, to in rows]
t = time.perf_counter()
with smtplib.SMTP("127.0.0.1", port) as s:
    for data, frm, to in msgs:
        s.sendmail(frm, [to], data)
secs = time.perf_counter() - t
print(f"smtplib run {run}: {len(msgs)} messages in {secs:.3f} s = {len(msgs)/secs:.0f} msg/s")
PY

# The machine is shared: alternate the two clients run by run, so a burst of load from
# elsewhere hits both sides alike instead of one block of runs.
side_by_side() {
    local name="$1" at="$2"
    echo "== 2,000 messages, one connection, $name on $at: guestmail flush (database on disk, synchronous=FULL) vs Python smtplib (pre-built emails) =="
    for run in 1 2 3; do
        GUESTMAIL_BENCH_RUNS=1 GUESTMAIL_BENCH_SINK="$at" cargo bench --quiet --bench send | sed "s/run 1/run $run/"
        "$py" "$work/push.py" "$work/eml" "${at##*:}" "$run"
    done
}
side_by_side aiosmtpd "127.0.0.1:$port"
# aiosmtpd costs ~0.2 ms of Python per command, so both clients wait on it (4 round trips a
# message each). A sink that answers at once shows the clients' own cost.
fast_port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
GUESTMAIL_BENCH_SERVE="127.0.0.1:$fast_port" cargo bench --quiet --bench send >"$work/fast.log" 2>&1 &
fast_pid=$!
for _ in $(seq 50); do grep -q ready "$work/fast.log" 2>/dev/null && break; sleep 0.1; done
side_by_side "a minimal sink (benches/send.rs)" "127.0.0.1:$fast_port"
if [ -d /dev/shm ]; then
    # The same on tmpfs: what the code costs without the disk's fsync.
    echo "== guestmail, database on /dev/shm (no fsync cost) =="
    GUESTMAIL_BENCH_DIR=/dev/shm GUESTMAIL_BENCH_SINK="127.0.0.1:$port" cargo bench --quiet --bench send
fi
echo "== this disk's synchronous=FULL commit rate right now (one-row transactions) =="
"$py" - <<'PY'
import sqlite3, time, tempfile, os
d = tempfile.mkdtemp(); c = sqlite3.connect(os.path.join(d, "p.db"), isolation_level=None)
c.execute("pragma journal_mode=wal"); c.execute("pragma synchronous=full"); c.execute("create table t(x)")
t = time.perf_counter()
for i in range(500):
    c.execute("begin immediate"); c.execute("insert into t values(?)", (i,)); c.execute("commit")
print(f"{500 / (time.perf_counter() - t):.0f} commits/s")
PY
echo "load: $(uptime)"
