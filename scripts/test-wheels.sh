#!/usr/bin/env bash
# Runs the test suite against the x86_64 manylinux wheel of wheelhouse/ (or
# $WHEELHOUSE), installed with no compiler involved, on several CPythons.
#
#   bash scripts/test-wheels.sh [VERSION...]     (default: 3.9 3.10 3.11 3.12 3.13)
#
# For each version: a fresh venv from pyenv's newest 3.X (or python3.X on
# PATH), the wheel's run and test requirements from the index, then nnpy
# itself with --no-index --only-binary from the wheelhouse. The tests run
# from a copy of tests/ outside the repository, so `import nnpy` can only
# find the installed wheel (checked: nnpy.__file__ must be in the venv),
# without the tests marked source_tree (they build C from the source tree).
# Versions listed in $NNPY_WHEEL_QUICK run a quick subset instead of the
# whole suite. Prints one result line per version; fails if any failed.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${WHEELHOUSE:-$REPO/wheelhouse}"
if [ $# -gt 0 ]; then VERSIONS=("$@"); else VERSIONS=(3.9 3.10 3.11 3.12 3.13); fi
QUICK=" ${NNPY_WHEEL_QUICK:-} "
QUICK_TESTS=(test_package.py test_build.py test_import_error.py test_errors.py
             test_pair.py test_socket_api.py test_reqrep.py test_pubsub.py
             test_poll.py test_threads.py)
export PIP_DISABLE_PIP_VERSION_CHECK=1

shopt -s nullglob
wheels=("$OUT"/nnpy-*-cp39-abi3-*manylinux_2_17_x86_64*.whl)
shopt -u nullglob
if [ ${#wheels[@]} -ne 1 ]; then
    echo "need exactly one x86_64 manylinux wheel in $OUT (bash scripts/build-wheels.sh)" >&2
    exit 1
fi
WHEEL="${wheels[0]}"
NNPY_VERSION="$(basename "$WHEEL" | cut -d- -f2)"

find_python() {
    local v=$1 root found=""
    root="${PYENV_ROOT:-}"
    if [ -z "$root" ] && command -v pyenv > /dev/null; then root="$(pyenv root)"; fi
    [ -z "$root" ] && root="$HOME/.pyenv"
    found="$(ls -d "$root"/versions/"$v".* 2>/dev/null \
             | grep -E "/$v\.[0-9]+$" | sort -V | tail -1 || true)"
    if [ -n "$found" ]; then
        echo "$found/bin/python"
    else
        command -v "python$v" || true
    fi
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mapfile -t REQUIRES < <(python3 "$REPO/scripts/wheel-requires.py" "$WHEEL" test)
RESULTS=()
status=0
for v in "${VERSIONS[@]}"; do
    py="$(find_python "$v")"
    if [ -z "$py" ]; then
        RESULTS+=("$v: FAILED, no Python $v found")
        status=1
        continue
    fi
    venv="$WORK/venv-$v"
    run="$WORK/run-$v"
    mkdir -p "$run"
    cp -r "$REPO/tests" "$run/tests"
    echo "== Python $v ($py)"
    if ! { "$py" -m venv "$venv" &&
           timeout 600 "$venv/bin/python" -m pip install "${REQUIRES[@]}" &&
           timeout 600 "$venv/bin/python" -m pip install --no-index --find-links "$OUT" \
               --only-binary nnpy "nnpy==$NNPY_VERSION"; } > "$run/install.log" 2>&1; then
        tail -30 "$run/install.log"
        RESULTS+=("$v: FAILED to install")
        status=1
        continue
    fi
    where="$(cd "$run" && "$venv/bin/python" -c 'import nnpy; print(nnpy.__file__)')"
    tag="$(cd "$run" && "$venv/bin/python" -c '
import importlib.metadata as m
print(" ".join(l.split()[1] for l in m.distribution("nnpy").read_text("WHEEL").splitlines()
               if l.startswith("Tag:")))')"
    echo "nnpy from $where ($tag)"
    case "$where" in
        "$venv"/*) ;;
        *) RESULTS+=("$v: FAILED, imported nnpy from $where"); status=1; continue ;;
    esac
    if [[ "$QUICK" == *" $v "* ]]; then
        what=quick
        targets=("${QUICK_TESTS[@]/#/tests/}")
    else
        what=full
        targets=(tests)
    fi
    set +e
    (cd "$run" && timeout 2400 "$venv/bin/python" -m pytest -q -p no:cacheprovider \
        -c "$REPO/pyproject.toml" --rootdir "$run" -m "not source_tree" "${targets[@]}") \
        > "$run/pytest.log" 2>&1
    rc=$?
    set -e
    tail -25 "$run/pytest.log"
    summary="$(grep -E '(passed|failed|error)' "$run/pytest.log" | tail -1 | tr -d '=' | xargs)"
    pyver="$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
    if [ $rc -eq 0 ]; then
        RESULTS+=("$pyver ($what): ok, $summary")
    else
        RESULTS+=("$pyver ($what): FAILED (exit $rc), $summary")
        status=1
    fi
done
echo "== $(basename "$WHEEL")"
printf '%s\n' "${RESULTS[@]}"
exit $status
