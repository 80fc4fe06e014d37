"""The SPARQL query page: its HTML (Flask client), the vendored YASGUI, and the page in headless Chromium.

The browser tests drive Debian's `chromium` with `chromium-driver` through Selenium (as test_browser.py
does), against a real server on 127.0.0.1. Every request the page makes is recorded from Chromium's
performance log; names other than 127.0.0.1 cannot even resolve (--host-resolver-rules), and the test
asserts that nothing tried. Skips on a machine without the browser, fails in CI.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from markupsafe import escape

from oms_ld.config import Settings
from oms_ld.publishing.examples import load_examples

from ..conftest import ROOT, URIS
from ..live import chromium
from ..polling import wait_until

VENDOR = ROOT / "oms_ld" / "web" / "static" / "vendor" / "yasgui"
EXAMPLES = load_examples(Settings().queries_dir)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Any other host name fails to resolve: an attempt shows in the request log, and nothing leaves.
RESOLVE_LOCAL_ONLY = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)
#: Every network request and console message is logged, so the test can see where the page went.
LOGGING = {"goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"}}
SCREENSHOT = Path(tempfile.gettempdir()) / "oms-ld-query-1280x800.png"


def page(client, url: str, **headers: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url, headers={"Accept": BROWSER_ACCEPT, **headers})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return str(response.get_data(as_text=True))


# --- the HTML, without a browser -------------------------------------------------------------------


def test_page_loads_yasgui_from_our_origin_only(client) -> None:  # type: ignore[no-untyped-def]
    text = page(client, "/sparql")
    sources = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', text)
    assert "/static/vendor/yasgui/yasgui.min.js" in sources
    assert "/static/vendor/yasgui/yasgui.min.css" in sources
    assert "/static/query.js" in sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for path in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css", "/static/query.js"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.data) > 1000
        response.close()


def test_page_has_the_site_layout_and_a_form_that_works_without_javascript(client) -> None:  # type: ignore[no-untyped-def]
    text = page(client, "/sparql?lang=en")
    assert '<html lang="en">' in text
    assert 'name="viewport"' in text
    for tag in ("<header", "<nav", "<main", "<footer"):
        assert tag in text
    form = re.search(r'<form id="plain-form" method="get" action="/sparql">(.*?)</form>', text, re.S)
    assert form is not None
    assert re.search(r'<textarea id="query-text" name="query"[^>]*>', form.group(1))
    assert 'name="run"' in form.group(1)


def test_example_gallery_lists_every_example_with_a_plain_link(client) -> None:  # type: ignore[no-untyped-def]
    for lang in ("sv", "en"):
        text = page(client, f"/sparql?lang={lang}")
        for ex in EXAMPLES:
            assert str(escape(ex.title[lang])) in text
            assert str(escape(ex.description[lang])) in text
            assert f'data-example="{ex.slug}"' in text
            assert f'<code id="query-{ex.slug}">' in text
            link = f'href="{escape(ex.permalink)}"'
            assert (link in text) == ex.runnable, ex.slug


def test_prefixes_are_embedded_for_local_completion(client) -> None:  # type: ignore[no-untyped-def]
    text = page(client, "/sparql")
    raw = re.search(r'<script type="application/json" id="query-config">(.*?)</script>', text, re.S)
    assert raw is not None
    config = json.loads(raw.group(1))
    assert config["prefixes"] == URIS.prefixes
    assert config["endpoint"].endswith("/sparql")


def test_permalink_fills_the_editor(client) -> None:  # type: ignore[no-untyped-def]
    query = 'SELECT ?s WHERE { ?s a <https://w3id.org/oms-ld/def/oms#County> } # <&> "x"'
    text = page(client, "/sparql?query=" + quote(query, safe=""))
    assert f'name="query" rows="14" spellcheck="false">{escape(query)}</textarea>' in text
    assert f'href="/sparql?query={escape(quote(query, safe=""))}"' in text
    assert 'id="server-results"' not in text


def test_the_form_sent_without_javascript_shows_results(client) -> None:  # type: ignore[no-untyped-def]
    counties = next(ex for ex in EXAMPLES if ex.slug == "07-counties-and-codes")
    text = page(client, "/sparql?lang=en&run=1&query=" + quote(counties.query, safe=""))
    section = re.search(r'<section id="server-results".*?</section>', text, re.S)
    assert section is not None
    assert section.group(0).count("<tr>") == 1 + 7
    assert 'href="/id/county/stockholms-lan"' in section.group(0)
    assert "SE-AB" in section.group(0) and '<span class="tag">@sv</span>' in section.group(0)
    construct = next(ex for ex in EXAMPLES if ex.slug.startswith("14-construct"))
    text = page(client, "/sparql?run=1&query=" + quote(construct.query, safe=""))
    assert "https://schema.org/AdministrativeArea" in text
    text = page(client, "/sparql?lang=en&run=1&query=" + quote("ASK { ?s ?p ?o }", safe=""))
    assert "Yes (true)" in text


def test_page_language_follows_accept_language_and_varies(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT, "Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert {"Accept", "Accept-Language"} <= set(response.vary)
    swedish = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT, "Accept-Language": "sv"})
    assert swedish.headers["ETag"] != response.headers["ETag"]


def test_vendored_files_match_the_pinned_build() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    pinned = dict((name, digest) for digest, name in re.findall(r"`([0-9a-f]{64})  (yasgui\.min\.(?:js|css))`", readme))
    assert set(pinned) == {"yasgui.min.js", "yasgui.min.css"}
    for name, digest in pinned.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    script = (VENDOR / "refresh.sh").read_text(encoding="utf-8")
    version = re.search(r'VERSION="\$\{1:-([0-9.]+)\}"', script)
    integrity = re.search(r'INTEGRITY="\$\{2:-(sha512-[A-Za-z0-9+/=]+)\}"', script)
    assert version and integrity
    assert f"**{version.group(1)}**" in readme and integrity.group(1) in readme
    assert (VENDOR / "LICENSE.txt").read_text(encoding="utf-8").startswith("The MIT License")


# --- the page in Chromium --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = chromium(tmp_path_factory.mktemp("chromium-query"), extra_flags=RESOLVE_LOCAL_ONLY, capabilities=LOGGING)
    yield driver
    driver.quit()


class Traffic:
    """Every URL the browser asked for and every console message, collected from the driver's logs."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.urls: list[str] = []
        self.console: list[dict[str, Any]] = []

    def collect(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.urls.append(message["params"]["request"]["url"])
        self.console += self.driver.get_log("browser")

    def foreign(self) -> list[str]:
        """Requests that would go over the network to anywhere but 127.0.0.1 (chrome://, data: stay inside)."""
        network = ("http", "https", "ws", "wss", "ftp")
        return [u for u in self.urls if urlsplit(u).scheme in network and urlsplit(u).hostname != "127.0.0.1"]


def editor_text(driver: Any) -> str:
    return str(driver.execute_script("return window.omsYasgui.getTab().getQuery()"))


def open_query_page(driver: Any, url: str) -> None:
    driver.get(url)
    ready = "return document.documentElement.classList.contains('yasgui-ready')"
    wait_until(lambda: driver.execute_script(ready), "YASGUI to start")
    wait_until(lambda: driver.execute_script("return !!document.querySelector('#yasgui .CodeMirror')"), "the editor")


def result_rows(driver: Any) -> int:
    script = "return document.querySelectorAll('#yasgui .yasr table.dataTable tbody tr').length"
    return int(driver.execute_script(script))


def test_query_page_in_chromium_runs_examples_and_stays_on_our_host(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    traffic = Traffic(browser)
    open_query_page(browser, server + "/sparql?lang=en")
    assert browser.find_element(By.ID, "plain-form").is_displayed() is False
    assert editor_text(browser).strip() == EXAMPLES[0].query.strip()
    assert browser.find_element(By.CSS_SELECTOR, "#yasgui .endpoint-info").text.endswith(server + "/sparql")

    # Open an example in the editor and run it: a results table with the seven counties.
    counties = next(ex for ex in EXAMPLES if ex.slug == "07-counties-and-codes")
    button = browser.find_element(By.CSS_SELECTOR, f"button.load[data-example='{counties.slug}']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    assert editor_text(browser) == counties.query
    browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton").click()
    wait_until(lambda: result_rows(browser) >= 7, "the results table")
    table = browser.find_element(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable")
    assert "SE-AB" in table.text and "Stockholms län" in table.text
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})  # fmt: skip
    browser.execute_script("document.getElementById('yasgui').scrollIntoView({block: 'start'})")
    assert browser.save_screenshot(str(SCREENSHOT)) and SCREENSHOT.stat().st_size > 0
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # The permalink opens the page with that query in the editor.
    link = browser.find_element(By.ID, "permalink").get_attribute("href")
    assert link.startswith(server + "/sparql?query=")
    assert parse_qs(urlsplit(link).query)["query"] == [counties.query]
    assert browser.execute_script("return window.omsYasgui.getTab().getShareableLink()") == link
    browser.find_element(By.ID, "permalink").click()
    wait_until(lambda: browser.find_element(By.ID, "permalink-status").text, "the copy message")
    assert browser.current_url == server + "/sparql?lang=en"
    open_query_page(browser, link)
    assert editor_text(browser) == counties.query

    # A CONSTRUCT result comes back as Turtle, which YASR shows as a triple table; prefix completion is local.
    construct = next(ex for ex in EXAMPLES if ex.slug.startswith("14-construct"))
    browser.execute_script("window.omsYasgui.getTab().setQuery(arguments[0])", construct.query)
    browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton").click()
    # External IRIs show the name we know for them; the IRI is the link and its title.
    area = "#yasgui .yasr a.iri[href='https://schema.org/AdministrativeArea'][title='https://schema.org/AdministrativeArea']"
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, area), "the CONSTRUCT result")
    completions = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.resolve(window.omsYasgui.getTab().getYasqe().autocompleters.localPrefixes.getCompletions("
        "{string: 'oms', autocompletionString: 'oms'})).then(done, e => done(String(e)));"
    )
    assert "oms: <https://w3id.org/oms-ld/def/oms#>" in completions
    enabled = browser.execute_script("return window.omsYasgui.getTab().getYasqe().config.autocompleters")
    assert sorted(enabled) == ["localPrefixes", "variables"]

    traffic.collect()
    assert any(u.startswith(server + "/sparql") for u in traffic.urls)
    assert traffic.foreign() == [], f"requests to other hosts: {traffic.foreign()}"
    # The browser's own /favicon.ico request (404: the site has no icon) is not the page's doing.
    errors = [m for m in traffic.console if m["level"] == "SEVERE" and "/favicon.ico " not in m["message"]]
    assert errors == [], errors
    blocked = [m for m in traffic.console if re.search(r"ERR_NAME_NOT_RESOLVED|ERR_BLOCKED|net::ERR_", m["message"])]
    assert blocked == []
    assert browser.execute_script("return window.localStorage.length") == 0


def test_query_page_without_javascript_runs_the_plain_form(server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = chromium(tmp_path / "profile", javascript=False, extra_flags=RESOLVE_LOCAL_ONLY, capabilities=LOGGING)
    try:
        driver.get(server + "/sparql?lang=en")
        form = driver.find_element(By.ID, "plain-form")
        assert form.is_displayed()
        assert not driver.find_element(By.CSS_SELECTOR, "button.load").is_displayed()
        textarea = driver.find_element(By.ID, "query-text")
        textarea.clear()
        textarea.send_keys("SELECT ?code { ?c <https://w3id.org/oms-ld/def/oms#countyCode> ?code } ORDER BY ?code")
        form.find_element(By.CSS_SELECTOR, "button[name='run']").click()
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "#server-results table tbody tr"), "the results")
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#server-results tbody td")]
        assert cells == ["01", "03", "04", "05", "18", "19", "21"]
        example = driver.find_element(By.CSS_SELECTOR, "a.open")
        example.click()
        assert driver.find_element(By.ID, "query-text").get_attribute("value").strip() == EXAMPLES[0].query.strip()
    finally:
        driver.quit()
