#!/usr/bin/env bash
# Headless Chromium (Debian) for tests/browser/. Numbered before every
# stage that runs the test suite (15 portable, 41 ASan, the final one):
# under CI a missing browser fails those tests. selenium comes with the
# `test` extra; installed here too in case this venv predates it.
# Checks that the browser starts, so a broken install is named early.
set -euo pipefail
timeout 900 apt-get install -y -qq chromium chromium-driver >/dev/null
timeout 600 pip install -q selenium
chromium --version
chromedriver --version
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1
