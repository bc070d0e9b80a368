#!/usr/bin/env bash
# Headless Chromium (Debian) and selenium for tests/browser/, which run in
# the final test-suite stage: there a missing browser fails (CI is set).
# Checks here that the browser starts, so a broken install is named early.
set -euo pipefail
timeout 900 apt-get install -y -qq chromium chromium-driver >/dev/null
timeout 600 pip install -q selenium
chromium --version
chromedriver --version
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1
