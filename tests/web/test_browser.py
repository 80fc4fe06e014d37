"""The pages in a real headless Chromium (Debian's `chromium` + `chromium-driver`, driven by Selenium).

The app is served by a real HTTP server on 127.0.0.1; the browser gets a fresh profile and no
network beyond that server. Skips on a machine without the browser, fails in CI.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT
from ..live import chromium, serve
from .test_pages import SCRIPT_LABEL, add_script_label

SCREENSHOTS = Path(tempfile.gettempdir())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a free loopback port, over data/ plus a label that looks like a script."""
    from oms_ld import create_app

    data = tmp_path_factory.mktemp("browser-data")
    for path in (ROOT / "data").glob("*.ttl"):
        shutil.copy(path, data / path.name)
    add_script_label(data, "topic/elbrist")
    with serve(create_app({"TESTING": True, "DATA_DIR": str(data)})) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with a fresh profile, asking for Swedish first."""
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"), languages="sv,en")
    yield driver
    driver.quit()


def by(kind: str) -> str:
    from selenium.webdriver.common.by import By

    return str(getattr(By, kind))


def no_alert(driver: Any) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert  # noqa: B018 - raises when there is no alert
    except NoAlertPresentException:
        return True
    return False


def test_click_through_to_a_node_city_and_switch_language(browser: Any, server: str) -> None:
    browser.get(server + "/")
    assert browser.find_element(by("TAG_NAME"), "html").get_attribute("lang") == "sv"
    browser.find_element(by("CSS_SELECTOR"), "ul.members a[href='/id/node-city/gavle']").click()
    assert browser.current_url == server + "/doc/node-city/gavle"
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Gävle — storregional nodstad"
    browser.find_element(by("CSS_SELECTOR"), "nav.langs a[hreflang='en']").click()
    assert browser.find_element(by("TAG_NAME"), "html").get_attribute("lang") == "en"
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Gävle — major regional node city"
    current = browser.find_element(by("CSS_SELECTOR"), "nav.langs a[aria-current]")
    assert current.get_attribute("hreflang") == "en"
    browser.find_element(by("CSS_SELECTOR"), "nav.langs a[hreflang='sv']").click()
    assert browser.find_element(by("TAG_NAME"), "html").get_attribute("lang") == "sv"


def test_map_is_drawn_with_linked_circles(browser: Any, server: str) -> None:
    browser.get(server + "/")
    svg = browser.find_element(by("CSS_SELECTOR"), "svg.node-map")
    assert svg.size["width"] > 200 and svg.size["height"] > 200
    circles = svg.find_elements(by("CSS_SELECTOR"), "a circle")
    assert len(circles) >= 14
    assert all(c.size["width"] > 0 and c.size["height"] > 0 for c in circles)
    browser.get(server + "/map.svg")
    assert len(browser.find_elements(by("CSS_SELECTOR"), "circle")) >= 14


def test_markup_in_a_label_is_shown_as_text(browser: Any, server: str) -> None:
    browser.get(server + "/doc/topic/elbrist?lang=sv")
    assert no_alert(browser)
    assert browser.execute_script("return document.querySelectorAll('script').length") == 0
    cells = browser.find_elements(by("XPATH"), f"//span[normalize-space()='{SCRIPT_LABEL}']")
    assert cells and cells[0].is_displayed()


def test_screenshots_of_a_resource_page(browser: Any, server: str) -> None:
    for width, height in ((390, 844), (1280, 800)):
        browser.set_window_size(width, height)
        browser.get(server + "/doc/node-city/barkarby-jakobsberg?lang=sv")
        root = "document.documentElement"
        overflow = browser.execute_script(f"return {root}.scrollWidth - {root}.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        path = SCREENSHOTS / f"oms-ld-resource-{width}x{height}.png"
        assert browser.save_screenshot(str(path)) and path.stat().st_size > 0
    browser.set_window_size(1280, 800)
