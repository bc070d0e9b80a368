"""A real headless Chromium, driven by selenium, for the browser tests.

Outside CI a missing Chromium, chromedriver or selenium skips the tests
with the reason; with CI or NNPY_REQUIRE_REFERENCE=1 set it fails them, so
CI never goes green by skipping. On a failure the page is kept as a
screenshot in tests/browser/failures/ (or $NNPY_SCREENSHOT_DIR).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

HERE = Path(__file__).resolve().parent
INSTALL_HINT = "apt-get install chromium chromium-driver; pip install selenium"


def required() -> bool:
    return (os.environ.get("NNPY_REQUIRE_REFERENCE", "") not in ("", "0")
            or bool(os.environ.get("CI")))


def _missing() -> Optional[str]:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium is not installed"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed"
    return None


def _start() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=900,700"):
        options.add_argument(arg)
    # The browser is not built with the sanitizers a test run may preload
    # into every process (CI's ASan stage): keep them out of it.
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "PYTHONMALLOC")}
    # Both paths given, so selenium never tries to download a driver.
    service = Service(shutil.which("chromedriver"), env=env)
    return webdriver.Chrome(service=service, options=options)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    why = _missing()
    if why:
        why = "%s (install with: %s)" % (why, INSTALL_HINT)
        if required():
            pytest.fail("a headless browser is required under CI: " + why)
        pytest.skip(why)
    driver = _start()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        driver = item.funcargs.get("chromium")
        if driver is not None:
            where = Path(os.environ.get("NNPY_SCREENSHOT_DIR", HERE / "failures"))
            where.mkdir(parents=True, exist_ok=True)
            shot = where / ("%s.png" % item.name.replace("/", "_"))
            try:
                driver.save_screenshot(str(shot))
                report.sections.append(("screenshot", str(shot)))
            except Exception as e:  # the browser itself may be what failed
                report.sections.append(("screenshot", "not taken: %r" % (e,)))
