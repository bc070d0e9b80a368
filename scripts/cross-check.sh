#!/usr/bin/env bash
# Cross-builds that prove the portable core (vendor/nanomsg) on the systems
# this machine is not:
#   - compiles the library with -Wall -Wextra -Werror for every TARGET with
#     `zig cc` (PyPI package ziglang: a C cross compiler with the libc
#     headers of each target); non-Linux targets get the portable path by
#     themselves (src/utils/platform.h);
#   - builds the C tests statically for the musl targets, once per I/O
#     backend (epoll; NN_PORTABLE=1 for poll), and runs them: x86_64
#     natively, aarch64 under qemu-aarch64-static (ARM's weaker memory
#     ordering is the point);
#   - prints one table and exits non-zero if any cell failed.
# Installs ziglang (pip, into the running python's environment) and
# qemu-user-static (apt-get, as root) when missing.
#
# Environment: PYTHON (default python3), JOBS (default 2), TEST_TIMEOUT
# (seconds per test program, default 300), CROSS_BUILD (build directory,
# default vendor/nanomsg/build-cross).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CORE="$ROOT/vendor/nanomsg"
PYTHON="${PYTHON:-python3}"
JOBS="${JOBS:-2}"
TEST_TIMEOUT="${TEST_TIMEOUT:-300}"
OUT="${CROSS_BUILD:-$CORE/build-cross}"

TARGETS="x86_64-macos aarch64-macos x86_64-freebsd x86_64-linux-musl \
aarch64-linux-musl x86_64-linux-gnu.2.17 aarch64-linux-gnu.2.17"
TEST_TARGETS="x86_64-linux-musl aarch64-linux-musl"

# Tests that cannot pass under qemu-user because it does not emulate a
# system call they need, as "target:test reason" lines. They still run;
# a failure of a listed one is reported with the reason and does not fail
# the table. Empty: every test passes under qemu-aarch64 today.
QEMU_KNOWN=""
# A test program that exits 77 says it cannot run in this build (its first
# "SKIP:" line tells why): reported with that reason, counted apart, and
# not a failure. Only test_resolve does, in static builds.

say() { printf '%s\n' "$*" >&2; }

# ---- tools ------------------------------------------------------------------

if ! "$PYTHON" -m ziglang version >/dev/null 2>&1; then
    say "installing ziglang (pip)"
    "$PYTHON" -m pip install -q ziglang || { say "cannot install ziglang"; exit 2; }
fi
ZIG="$("$PYTHON" -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')"
[ -x "$ZIG" ] || { say "no zig binary at $ZIG"; exit 2; }
say "zig $("$ZIG" version)"

if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
    say "installing qemu-user-static (apt-get)"
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq qemu-user-static >/dev/null 2>&1 ||
            { apt-get update -qq && apt-get install -y -qq qemu-user-static >/dev/null; }
    else
        sudo -n apt-get install -y -qq qemu-user-static >/dev/null
    fi
fi
QEMU="$(command -v qemu-aarch64-static || true)"

# ---- build ------------------------------------------------------------------

mkdir -p "$OUT"
LOGS="$OUT/logs"
mkdir -p "$LOGS"

# make [extra args...] for target $1 into $OUT/$2; the log goes to $LOGS/$2.
zmake() {
    local target=$1 dir=$2
    shift 2
    make -C "$CORE" -j"$JOBS" BUILD="$OUT/$dir" \
        CC="$ZIG cc -target $target" AR="$ZIG ar" \
        CFLAGS="-O2 -g -Werror" "$@" >"$LOGS/$dir.log" 2>&1
}

declare -A COMPILED BACKEND TESTS
for t in $TARGETS; do
    # A tested target compiles straight into its epoll test build, which
    # then has its library already.
    d=$t
    case " $TEST_TARGETS " in *" $t "*) d=$t-tests-epoll ;; esac
    if zmake "$t" "$d" "$OUT/$d/libnanomsg.a"; then
        COMPILED[$t]=yes
        # Which backend the target got: the name nn_iob_name returns ("poll"
        # alone would also match the symbol name of poll(2)).
        if strings -a "$OUT/$d/libnanomsg.a" | grep -x epoll >/dev/null; then
            BACKEND[$t]=epoll
        else
            BACKEND[$t]=poll
        fi
    else
        COMPILED[$t]=FAIL
        BACKEND[$t]=-
        say "---- $t: compile failed ($LOGS/$d.log)"
        grep -E 'error|warning' "$LOGS/$d.log" | head -20 >&2
    fi
    TESTS[$t]="n/a (compile only)"
done

# ---- tests --------------------------------------------------------------------

# Runs one test program; prints "dir name rc seconds".
run_one() {
    local dir=$1 bin=$2 runner=$3 t0 rc
    t0=$(date +%s)
    # shellcheck disable=SC2086
    (cd "$OUT/$dir" && timeout "$TEST_TIMEOUT" $runner "$bin" \
        >"$LOGS/$dir-$(basename "$bin").log" 2>&1)
    rc=$?
    echo "$dir $(basename "$bin") $rc $(($(date +%s) - t0))"
}
export -f run_one
export OUT LOGS TEST_TIMEOUT

RESULTS="$OUT/results"
: >"$RESULTS"
JOBLIST="$OUT/joblist"
: >"$JOBLIST"
for t in $TEST_TARGETS; do
    [ "${COMPILED[$t]}" = yes ] || continue
    runner=env
    if [ "${t%%-*}" = aarch64 ]; then
        runner="$QEMU"
        if [ -z "$QEMU" ]; then
            TESTS[$t]="FAIL (no qemu-aarch64-static)"
            continue
        fi
    fi
    for b in epoll poll; do
        dir="$t-tests-$b"
        extra=()
        [ $b = poll ] && extra=(NN_PORTABLE=1)
        # The library first, warnings as errors; then the test programs
        # (not held to -Werror: clang warns where gcc does not), static, so
        # they run under qemu-user and on any Linux as they are.
        if ! zmake "$t" "$dir" "${extra[@]}" "$OUT/$dir/libnanomsg.a" ||
           ! zmake "$t" "$dir" "${extra[@]}" CFLAGS="-O2 -g" LDFLAGS=-static \
               test-programs; then
            echo "$dir BUILD 1 0" >>"$RESULTS"
            say "---- $dir: test build failed ($LOGS/$dir.log)"
            grep -E 'error|warning' "$LOGS/$dir.log" | head -20 >&2
            continue
        fi
        for p in "$OUT/$dir"/tests/*; do
            echo "$dir $p $runner" >>"$JOBLIST"
        done
    done
done
# Two at a time (JOBS): the emulated ones are slow, the machine is small.
xargs -r -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ <"$JOBLIST" >>"$RESULTS"

fails=0
NOTES=""
for t in $TEST_TARGETS; do
    [ "${COMPILED[$t]}" = yes ] || continue
    case ${TESTS[$t]} in FAIL*) fails=1; continue ;; esac
    cell=""
    for b in epoll poll; do
        dir="$t-tests-$b"
        total=$(grep -c "^$dir " "$RESULTS")
        passed=$(awk -v d="$dir" '$1 == d && $3 == 0' "$RESULTS" | wc -l)
        known=0
        skipped=0
        while read -r d name rc secs; do
            [ "$d" = "$dir" ] && [ "$rc" != 0 ] || continue
            if [ "$rc" = 77 ] && [ "$name" != BUILD ]; then
                skipped=$((skipped + 1))
                NOTES="$NOTES
skipped $dir/$name: $(grep -m1 -o 'SKIP: .*' "$LOGS/$dir-$name.log" | cut -c7-)"
                continue
            fi
            reason="$(printf '%s\n' "$QEMU_KNOWN" | awk -v k="$t:$name" '$1 == k { $1 = ""; print substr($0, 2) }')"
            if [ -n "$reason" ]; then
                known=$((known + 1))
                NOTES="$NOTES
known   $dir/$name (exit $rc): qemu does not emulate: $reason"
            else
                say "FAIL  $dir/$name (exit $rc, ${secs}s), log: $LOGS/$dir-$name.log"
                tail -5 "$LOGS/$dir-$name.log" >&2
            fi
        done <"$RESULTS"
        [ $((passed + known + skipped)) -eq "$total" ] && [ "$total" -gt 0 ] || fails=1
        note=""
        [ $skipped -gt 0 ] && note=" ($skipped skipped)"
        [ $known -gt 0 ] && note="$note ($known known qemu)"
        cell="$cell${cell:+, }$b $passed/$total$note"
    done
    TESTS[$t]="$cell"
done

# ---- table --------------------------------------------------------------------

echo
printf '%-24s %-9s %-8s %s\n' target compiled backend "tests passed"
printf '%-24s %-9s %-8s %s\n' ------ -------- ------- ------------
for t in $TARGETS; do
    [ "${COMPILED[$t]}" = yes ] || fails=1
    printf '%-24s %-9s %-8s %s\n' "$t" "${COMPILED[$t]}" "${BACKEND[$t]}" "${TESTS[$t]}"
done
[ -z "$NOTES" ] || printf '%s\n' "$NOTES"
if [ $fails -ne 0 ]; then
    echo "cross-check: FAILED"
    exit 1
fi
echo "cross-check: all passed"
