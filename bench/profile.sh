#!/usr/bin/env bash
# Where the time goes: the evidence behind the notes in bench/README.md.
# Needs perf (linux-perf) and what bench/run.sh sets up; runs in ~1 minute.
#
#   bash bench/profile.sh
#
# 1. Per message (lat: per round trip), for the raw socket floor, our core
#    and libnanomsg: context switches, CPU time (both processes, all
#    threads), and syscalls by kind (perf stat over the whole run divided by
#    the messages handled, warm-up included; the few messages sent during
#    a thr run's wind-down are not counted, so thr figures are slightly high).
# 2. Page faults of PUSH/PULL at 64 KiB over ipc, and where they happen.
# 3. Our Python binding's same-thread send+recv loop, split by shared
#    object (interpreter, cffi, our core, libc).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
B="${CBUILD:-$HERE/c/build}"
VENV_OURS="${VENV_OURS:-/tmp/venv-ours}"
TMP="$(mktemp -d /tmp/nnpy-profile.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT

EVENTS=context-switches,task-clock
for sc in futex read recvmsg write writev sendmsg poll epoll_wait; do
    EVENTS="$EVENTS,syscalls:sys_enter_$sc"
done
per_msg() {  # test transport size seconds: one line per program
    for prog in rawbench nnbench-ours nnbench-sys; do
        if [ "$2" = inproc ] && [ "$prog" = rawbench ]; then continue; fi
        out=$(timeout 60 perf stat -x, -e "$EVENTS" -o "$TMP/stat" -- "$B/$prog" "$1" "$2" "$3" "$4")
        python3 - "$prog" "$out" "$TMP/stat" <<'EOF2'
import json, sys
prog, out, path = sys.argv[1:]
r = json.loads(out)
# Messages (lat: round trips) the run handled: the timed ones plus warm-up.
n = r["n"] + (200 if r["test"] == "lat" else 50 if r["size"] >= 65536 else 2000)
st = {}
for line in open(path):
    f = line.strip().split(",")
    if len(f) > 2 and f[0].replace(".", "").isdigit():
        st[f[2].replace("syscalls:sys_enter_", "")] = float(f[0])
g = lambda *ks: sum(st.get(k, 0) for k in ks) / n
res = "%.1f us" % r["median_us"] if "median_us" in r else "%.0f msg/s" % r["msgs_s"]
print("%-13s %-14s %6.2f %8.1f %6.2f %6.2f %6.2f %6.2f" % (
    prog, res, g("context-switches"), st["task-clock"] * 1e3 / n,
    g("read", "recvmsg"), g("write", "writev", "sendmsg"), g("poll", "epoll_wait"), g("futex")))
EOF2
    done
}
hdr() {
    echo "## $1"
    printf '%-13s %-14s %6s %8s %6s %6s %6s %6s\n' program result cs cpu_us reads writes waits futex
}
hdr "REQ/REP 64 B over tcp, per round trip (1 s)"
per_msg lat tcp 64 1.0
hdr "REQ/REP 64 B over ipc, per round trip (1 s)"
per_msg lat ipc 64 1.0
hdr "PUSH/PULL 64 B over tcp, per message (0.5 s)"
per_msg thr tcp 64 0.5
hdr "PUSH/PULL 64 KiB over ipc, per message (0.5 s)"
per_msg thr ipc 65536 0.5
hdr "REQ/REP 1 MiB over tcp, per round trip (1 s)"
per_msg lat tcp 1048576 1.0
echo
echo "## page faults, PUSH/PULL 64 KiB over ipc (0.5 s)"
for prog in nnbench-ours nnbench-sys; do
    out=$(timeout 60 perf stat -x, -e page-faults -o "$TMP/stat" -- "$B/$prog" thr ipc 65536 0.5)
    echo "$prog: $(grep page-faults "$TMP/stat" | cut -d, -f1) faults, $out"
done
echo "where our faults happen (call graph, top entries):"
timeout 120 perf record -q -e page-faults --call-graph dwarf -o "$TMP/pf.data" -- \
    "$B/nnbench-ours" thr ipc 65536 0.2 >/dev/null 2>&1
perf report -i "$TMP/pf.data" --no-children --sort sym --stdio -G 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -20

echo
echo "## our Python binding, same-thread inproc send+recv (64 B), by shared object"
(cd / && timeout 120 perf record -q -F 4999 -o "$TMP/py.data" -- "$VENV_OURS/bin/python" \
    "$HERE/pybench.py" --tests loop --seconds 1 --label py-ours)
perf report -i "$TMP/py.data" --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8
