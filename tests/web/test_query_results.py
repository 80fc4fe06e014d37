"""Query results for people: values rather than RDF syntax, local links, known names, YASGUI in Swedish.

Both tables are checked: the one the server renders for the plain form (no JavaScript) and YASGUI's,
whose cells query.js draws, in headless Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from ..live import chromium

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUERY = ("SELECT ?n ?county ?kind ?name WHERE { BIND(6 AS ?n) "
         "BIND(<https://w3id.org/oms-ld/id/county/uppsala-lan> AS ?county) "
         "BIND(<http://www.w3.org/ns/org#FormalOrganization> AS ?kind) BIND('Uppsala'@sv AS ?name) }")  # fmt: skip
RUN = "/sparql?run=1&query=" + quote(QUERY, safe="")


def test_the_plain_table_shows_values_and_local_links() -> None:
    from oms_ld import create_app

    client = create_app({"TESTING": True}).test_client()
    text = client.get(RUN + "&lang=en", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    section = re.search(r'<section id="server-results".*?</section>', text, re.S)
    assert section is not None
    cells = section.group(0)
    assert '<span class="typed" title="xsd:integer">6</span>' in cells
    assert "^^" not in cells and "XMLSchema#integer" not in cells
    assert '<a href="/id/county/uppsala-lan" title="https://w3id.org/oms-ld/id/county/uppsala-lan">' in cells
    kind = re.search(r'<a href="http://www.w3.org/ns/org#FormalOrganization"[^>]*>([^<]+)</a>', cells)
    assert kind is not None and kind.group(1) == "formal organisation"  # its name, not the IRI
    assert '<span class="tag">@sv</span>' in cells


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = chromium(tmp_path_factory.mktemp("chromium-results"), languages="sv,en")
    yield driver
    driver.quit()


def run_in_yasgui(browser: Any, url: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 15).until(
        lambda d: d.execute_script("return document.querySelectorAll('#yasgui .yasr table.dataTable tbody tr').length")
    )
    return browser.find_element(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable tbody tr")


def test_yasgui_cells_show_values_and_local_links(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    row = run_in_yasgui(browser, server + RUN + "&lang=en")
    cells = row.find_elements(By.CSS_SELECTOR, "td")
    texts = [c.text for c in cells]
    assert texts[1] == "6"
    assert cells[1].find_element(By.CSS_SELECTOR, ".typed").get_attribute("title") == "xsd:integer"
    county = cells[2].find_element(By.CSS_SELECTOR, "a")
    assert county.get_attribute("href") == server + "/id/county/uppsala-lan"
    assert county.get_attribute("target") in (None, "", "_self")
    kind = cells[3].find_element(By.CSS_SELECTOR, "a")
    assert kind.get_attribute("href") == "http://www.w3.org/ns/org#FormalOrganization"
    assert kind.text == "formal organisation"
    assert texts[4].startswith("Uppsala") and "@sv" in texts[4]


def test_yasgui_speaks_swedish_on_the_swedish_page(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    run_in_yasgui(browser, server + RUN + "&lang=sv")
    header = browser.find_element(By.CSS_SELECTOR, "#yasgui .yasr_header").text
    assert "Tabell" in header and "Svar" in header and "Table" not in header
    assert "resultat på" in header
    info = browser.find_element(By.CSS_SELECTOR, "#yasgui .dataTables_info").text
    assert info.startswith("Visar")
    query_button = browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton")
    names = [query_button.get_attribute(name) or "" for name in ("title", "aria-label")]
    assert "Kör frågan" in names and "Run query" not in names
    run_in_yasgui(browser, server + RUN + "&lang=en")
    assert "Table" in browser.find_element(By.CSS_SELECTOR, "#yasgui .yasr_header").text


def test_wkt_points_in_a_result_are_drawn_on_a_map(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from ..conftest import need
    from .test_accessibility import AXE, axe_violations

    query = ("SELECT ?city ?name ?wkt WHERE { ?city a <https://w3id.org/oms-ld/def/oms#NodeCity> ; "
             "<http://www.w3.org/2000/01/rdf-schema#label> ?name ; "
             "<http://www.opengis.net/ont/geosparql#hasGeometry>/<http://www.opengis.net/ont/geosparql#asWKT> ?wkt "
             "FILTER(LANG(?name) = 'sv') }")  # fmt: skip
    run_in_yasgui(browser, server + "/sparql?lang=sv&run=1&query=" + quote(query, safe=""))
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#wkt-map svg circle"))
    figure = browser.find_element(By.ID, "wkt-map")
    circles = figure.find_elements(By.CSS_SELECTOR, "a[href^='/id/node-city/'] circle")
    assert len(circles) >= 13
    assert all(c.size["width"] > 0 for c in circles)
    assert "punkter (WKT)" in figure.find_element(By.TAG_NAME, "figcaption").text
    assert figure.find_element(By.CSS_SELECTOR, "svg > path").get_attribute("d").count("M") >= 5
    need(AXE.exists(), f"no {AXE}: run `npm ci --prefix tests/tools`")
    assert axe_violations(browser) == []


def test_the_plain_results_draw_wkt_points_on_a_map() -> None:
    from oms_ld import create_app

    from .test_accessibility import RUN_WKT

    client = create_app({"TESTING": True}).test_client()
    text = client.get(RUN_WKT + "&lang=en", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    section = re.search(r'<section id="server-results".*?</section>', text, re.S)
    assert section is not None
    figure = re.search(r'<figure class="map wkt-map">.*?</figure>', section.group(0), re.S)
    assert figure is not None
    assert len(re.findall(r'<a href="/id/node-city/[a-z-]+">', figure.group(0))) >= 13
    assert "points (WKT) from the results" in figure.group(0)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", figure.group(0))) <= {"http://www.w3.org/2000/svg"}
