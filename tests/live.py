"""Real components for tests: the app behind a real HTTP server, and Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from .conftest import need

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
#: Headless, and quiet on the network: without these Chromium calls home at start.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")  # fmt: skip


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve a WSGI `app` on a threaded server on a free loopback port; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)
        httpd.server_close()


def chromium(
    profile: Path,
    *,
    languages: str = "en",
    javascript: bool = True,
    extra_flags: tuple[str, ...] = (),
    capabilities: dict[str, Any] | None = None,
) -> Any:
    """Headless Debian Chromium through chromium-driver with a fresh profile (never a browser download)."""
    need(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (Debian package chromium)")
    need(Path(CHROMEDRIVER).exists(), f"no chromedriver at {CHROMEDRIVER} (Debian package chromium-driver)")
    need(importlib.util.find_spec("selenium") is not None, "the selenium package is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, *extra_flags, f"--user-data-dir={profile}", f"--lang={languages.split(',')[0]}"):
        options.add_argument(flag)
    prefs: dict[str, object] = {"intl.accept_languages": languages}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1280, 800)
    driver.set_page_load_timeout(30)
    return driver
