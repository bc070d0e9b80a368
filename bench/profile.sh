#!/usr/bin/env bash
# Where the time goes: the evidence behind the notes in bench/README.md.
# Needs perf (linux-perf) and what bench/run.sh sets up; runs in ~1 minute.
#
#   bash bench/profile.sh          # the cells below
#   bash bench/profile.sh cells    # issue 10's cells only (ws, 1000 clients)
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
# One line per program run under perf stat: counts per message (lat: per
# round trip; many: per request served), warm-up included.
stat_line() {  # prog, its JSON output, the perf stat file
    python3 - "$1" "$2" "$3" <<'EOF2'
import json, sys
prog, out, path = sys.argv[1:]
r = json.loads(out)
if "clients" in r:      # manybench load: one warm-up round trip per client
    n = r["n"] + r["clients"]
    res = "%.0f req/s" % r["msgs_s"]
else:                   # nnbench, rawbench: the timed messages plus warm-up
    n = r["n"] + (200 if r["test"] == "lat" else 50 if r["size"] >= 65536 else 2000)
    res = "%.1f us" % r["median_us"] if "median_us" in r else "%.0f msg/s" % r["msgs_s"]
st = {}
for line in open(path):
    f = line.strip().split(",")
    if len(f) > 2 and f[0].replace(".", "").isdigit():
        st[f[2].replace("syscalls:sys_enter_", "")] = float(f[0])
g = lambda *ks: sum(st.get(k, 0) for k in ks) / n
print("%-15s %-14s %6.2f %8.1f %6.2f %6.2f %6.2f %6.2f" % (
    prog, res, g("context-switches"), st["task-clock"] * 1e3 / n,
    g("read", "recvmsg"), g("write", "writev", "sendmsg"), g("poll", "epoll_wait"), g("futex")))
EOF2
}
per_msg() {  # test transport size seconds: one line per program
    for prog in rawbench nnbench-ours nnbench-sys; do
        if [ "$2" != ipc ] && [ "$2" != tcp ] && [ "$prog" = rawbench ]; then continue; fi
        out=$(timeout 60 perf stat -x, -e "$EVENTS" -o "$TMP/stat" -- "$B/$prog" "$1" "$2" "$3" "$4")
        stat_line "$prog" "$out" "$TMP/stat"
    done
}
hdr() {
    echo "## $1"
    printf '%-15s %-14s %6s %8s %6s %6s %6s %6s\n' program result cs cpu_us reads writes waits futex
}
# Issue 10's cells: ws, and one REP server under 1000 REQ clients.
# manybench load runs the server thread in the parent and the clients in
# four children: perf stat covers all of them; per request served in the
# timed region (set-up and the one warm-up round trip per client included
# in the counts, so these per-request figures are slightly high).
many_stat() {  # transport seconds
    for prog in manybench-ours manybench-sys; do
        out=$(timeout 120 perf stat -x, -e "$EVENTS" -o "$TMP/stat" -- "$B/$prog" "$1" 1000 "$2" load)
        stat_line "$prog" "$out" "$TMP/stat"
    done
}
top_syms() {  # title, command...: the top entries of a CPU profile by symbol
    echo "$1 (perf record: shared objects, then user-space symbols):"
    shift
    (cd / && timeout 120 perf record -q -F 2999 -g -o "$TMP/c.data" -- "$@" >/dev/null 2>&1) || true
    perf report -i "$TMP/c.data" --no-children --sort dso --stdio 2>/dev/null |
        grep -E '^ +[0-9.]+%' | head -4 || true
    perf report -i "$TMP/c.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v kernel |
        grep -E '^ +[0-9.]+%' | head -10 || true   # head closes the pipe early
}
if [ "${1:-}" = cells ]; then
    hdr "PUSH/PULL 64 B over ws, per message (0.5 s)"
    per_msg thr ws 64 0.5
    hdr "PUSH/PULL 64 KiB over ws, per message (0.5 s)"
    per_msg thr ws 65536 0.5
    hdr "REQ/REP 64 B over ws, per round trip (1 s)"
    per_msg lat ws 64 1.0
    for t in ipc tcp; do
        hdr "REP server, 1000 REQ clients over $t, per request (1 s)"
        many_stat $t 1.0
    done
    echo
    top_syms "ours, PUSH/PULL 64 B over ws" "$B/nnbench-ours" thr ws 64 0.5
    top_syms "libnanomsg, PUSH/PULL 64 B over ws" "$B/nnbench-sys" thr ws 64 0.5
    top_syms "ours, REP + 1000 REQ over ipc" "$B/manybench-ours" ipc 1000 1.0 load
    top_syms "libnanomsg, REP + 1000 REQ over ipc" "$B/manybench-sys" ipc 1000 1.0 load
    if [ -x "$VENV_OURS/bin/python" ]; then
        top_syms "nnpy, PUSH/PULL 64 KiB over ws" "$VENV_OURS/bin/python" "$HERE/pybench.py" \
            --transport ws --size 65536 --tests thr --seconds 0.5
    fi
    exit 0
fi

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
