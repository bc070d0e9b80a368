#!/usr/bin/env bash
# The documentation builds without a warning, and its doctest sessions
# pass. (The other code blocks of the docs and README run in the test
# suite: tests/test_docs_examples.py.) Runs against the installed nnpy.
set -euo pipefail
timeout 600 pip install -q '.[docs]'
out="$(mktemp -d)"
timeout 600 sphinx-build -q -W --keep-going -b html docs "$out/html"
timeout 600 sphinx-build -q -W --keep-going -b doctest docs "$out/doctest"
tail -n 5 "$out/doctest/output.txt"
