"""Every page type passes axe-core (in headless Chromium) and the Nu HTML Checker with no findings.

axe-core and vnu.jar come from npm into tests/tools (package-lock.json pins them; tests/run.sh runs
`npm ci --prefix tests/tools`). axe runs on the page as the browser built it (YASGUI included, before and
after a query); vnu checks the HTML as served. Missing Chromium, Java or the npm tools skip on a developer
machine and fail in CI (`need`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from ..conftest import TESTS, need
from ..live import chromium

TOOLS = TESTS / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
COUNTIES = "SELECT ?county ?label ?code WHERE { ?county a <https://w3id.org/oms-ld/def/oms#County> ; " \
           "<http://www.w3.org/2000/01/rdf-schema#label> ?label ; <https://w3id.org/oms-ld/def/oms#countyCode> " \
           "?code FILTER(LANG(?label) = 'sv') } ORDER BY ?code"  # fmt: skip
#: One page of each type (path, what it is).
PAGES = (
    ("/", "landing"),
    ("/doc/node-city/uppsala", "node city"),
    ("/doc/county/uppsala-lan", "county"),
    ("/def/oms", "ontology"),
    ("/def/shapes", "shapes"),
    ("/sparql", "query page"),
    ("/download/", "downloads"),
    ("/doc/county/no-such-county", "404"),
)
#: The query page after a query, as the no-JavaScript form renders it (vnu checks the served HTML).
RUN = "/sparql?run=1&query=" + quote(COUNTIES, safe="")
WKT = ("SELECT ?city ?name ?wkt WHERE { ?city a <https://w3id.org/oms-ld/def/oms#NodeCity> ; "
       "<http://www.w3.org/2000/01/rdf-schema#label> ?name ; "
       "<http://www.opengis.net/ont/geosparql#hasGeometry>/<http://www.opengis.net/ont/geosparql#asWKT> ?wkt "
       "FILTER(LANG(?name) = 'sv') }")  # fmt: skip
#: The same with WKT points, which the plain results draw on a map.
RUN_WKT = "/sparql?run=1&query=" + quote(WKT, safe="")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's violations (every impact) on the page the driver shows: rule id, impact, targets."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then("
        "r => done(r.violations.map(v => ({id: v.id, impact: v.impact, "
        "targets: v.nodes.map(n => n.target.join(' '))}))), "
        "e => done([{id: 'axe-error', impact: String(e), targets: []}]));"
    )
    return list(found)


def vnu_messages(files: list[Path], *, svg: bool = False) -> list[dict[str, Any]]:
    """The Nu HTML Checker's errors on `files` (one JVM for all of them)."""
    need(shutil.which("java") is not None, "no java (Debian package openjdk-17-jre-headless) for the Nu HTML Checker")
    need(VNU.exists(), f"no {VNU}: run `npm ci --prefix tests/tools`")
    args = ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always"]
    args += ["--also-check-svg"] if svg else []
    done = subprocess.run([*args, *map(str, files)], capture_output=True, text=True, timeout=300, check=True)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    need(AXE.exists(), f"no {AXE}: run `npm ci --prefix tests/tools`")
    driver = chromium(tmp_path_factory.mktemp("chromium-a11y"), languages="sv,en")
    yield driver
    driver.quit()


def wait_for(driver: Any, script: str, what: str, timeout: float = 15) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script), f"timed out waiting for {what}")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(("path", "what"), PAGES, ids=[what for _, what in PAGES])
def test_axe_finds_nothing(browser: Any, server: str, path: str, what: str, lang: str) -> None:
    browser.get(f"{server}{path}?lang={lang}")
    if path == "/sparql":
        wait_for(browser, "return document.documentElement.classList.contains('yasgui-ready')", "YASGUI")
    assert axe_violations(browser) == [], what


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_axe_finds_nothing_on_the_query_page_after_a_query(browser: Any, server: str, lang: str) -> None:
    browser.get(f"{server}{RUN}&lang={lang}")
    wait_for(browser, "return document.querySelectorAll('#yasgui .yasr table.dataTable tbody tr').length >= 7",
             "the YASGUI results")  # fmt: skip
    assert axe_violations(browser) == []


def test_axe_finds_nothing_with_the_query_settings_open(browser: Any, server: str) -> None:
    browser.get(f"{server}{RUN}&lang=sv")
    wait_for(browser, "return document.querySelectorAll('#yasgui .yasr table.dataTable tbody tr').length >= 7",
             "the YASGUI results")  # fmt: skip
    browser.execute_script("document.querySelector('#yasgui .tabContextButton').click()")
    wait_for(browser, "return !!document.querySelector('#yasgui .tabMenu .graphInput input[aria-label]')",
             "the settings menu, patched")  # fmt: skip
    assert axe_violations(browser) == []


def test_the_map_passes_axe(browser: Any, server: str) -> None:
    browser.get(f"{server}/map.svg")
    assert axe_violations(browser) == []


def test_nu_html_checker_finds_no_errors(tmp_path: Path) -> None:
    from oms_ld import create_app

    client = create_app({"TESTING": True}).test_client()
    files = []
    for path, what in (*PAGES, (RUN, "query results"), (RUN_WKT, "query map")):
        for lang in ("sv", "en"):
            sep = "&" if "?" in path else "?"
            response = client.get(f"{path}{sep}lang={lang}", headers={"Accept": BROWSER_ACCEPT})
            assert response.mimetype == "text/html", what
            file = tmp_path / f"{what.replace(' ', '-')}-{lang}.html"
            file.write_bytes(response.data)
            files.append(file)
    svg = tmp_path / "map.svg"
    svg.write_bytes(client.get("/map.svg").data)
    errors = vnu_messages([*files, svg], svg=True)
    summary = [(Path(m.get("url", "")).name, m.get("lastLine"), m.get("message")) for m in errors]
    assert summary == []
