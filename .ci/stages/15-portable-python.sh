#!/usr/bin/env bash
# The Python extension built with NN_PORTABLE=1 in a fresh venv of its own,
# then the whole test suite (interop included) against it.
# tests/test_portable.py checks that the poll backend is the one compiled in.
set -euo pipefail
cd "${REPO:-$(dirname "$0")/../..}"
PY="${VENV:+$VENV/bin/}python"
PVENV="$(mktemp -d)/venv-portable"
"$PY" -m venv "$PVENV"
# shellcheck disable=SC1091
. "$PVENV/bin/activate"
export NN_PORTABLE=1
timeout 900 pip install -q '.[test]'
# From / so that the installed nnpy is imported, not ./nnpy.
(cd / && python -c 'import nnpy; print("backend:", nnpy.ffi.string(nnpy.nanomsg.nn_io_backend_name()).decode())')
timeout 1800 pytest -q tests
