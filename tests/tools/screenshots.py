"""Screenshots of every page type at 1280 px and 390 px into docs/screenshots/ (README links them).

    python -m tests.tools.screenshots           # needs Debian's chromium + chromium-driver

The app runs on a loopback port over the repository's data; Chromium gets a fresh profile each run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..conftest import ROOT
from ..live import chromium, serve
from ..polling import wait_until

OUT = ROOT / "docs" / "screenshots"
COUNTIES = ("SELECT ?county ?name ?code WHERE { ?county a <https://w3id.org/oms-ld/def/oms#County> ; "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?name ; <https://w3id.org/oms-ld/def/oms#countyCode> "
            "?code FILTER(LANG(?name) = 'sv') } ORDER BY ?code")  # fmt: skip
WKT = ("SELECT ?city ?name ?wkt WHERE { ?city a <https://w3id.org/oms-ld/def/oms#NodeCity> ; "
       "<http://www.w3.org/2000/01/rdf-schema#label> ?name ; "
       "<http://www.opengis.net/ont/geosparql#hasGeometry>/<http://www.opengis.net/ont/geosparql#asWKT> ?wkt "
       "FILTER(LANG(?name) = 'sv') }")  # fmt: skip
#: (file stem, path, what to wait for in JavaScript, an element to scroll to)
PAGES = (
    ("landing", "/?lang=sv", "", ""),
    ("node-city", "/doc/node-city/uppsala?lang=sv", "", ""),
    ("county", "/doc/county/uppsala-lan?lang=en", "", ""),
    ("ontology", "/def/oms?lang=sv", "", ""),
    ("shapes", "/def/shapes?lang=en", "", ""),
    ("query", "/sparql?lang=sv", "document.documentElement.classList.contains('yasgui-ready')", ""),
    ("query-results", "/sparql?lang=sv&run=1&query=" + quote(COUNTIES, safe=""),
     "document.querySelectorAll('#yasgui .yasr table.dataTable tbody tr').length >= 7", ".yasr"),
    ("query-map", "/sparql?lang=sv&run=1&query=" + quote(WKT, safe=""), "!!document.querySelector('#wkt-map')",
     "#wkt-map"),
    ("download", "/download/?lang=sv", "", ""),
    ("not-found", "/doc/county/no-such-county?lang=sv", "", ""),
    ("map", "/map.svg?lang=sv", "", ""),
)
SIZES = ((1280, 900), (390, 844))


def shoot(driver: Any, url: str, ready: str, scroll_to: str, path: Path) -> None:
    driver.get(url)
    if ready:  # a screenshot of a page that never got ready would be wrong: fail instead
        wait_until(lambda: driver.execute_script(f"return {ready}"), f"{url} ready ({ready})", 15)
    if scroll_to:
        driver.execute_script("const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView()", scroll_to)
    time.sleep(0.2)
    driver.save_screenshot(str(path))


def main() -> int:
    from oms_ld import create_app

    OUT.mkdir(parents=True, exist_ok=True)
    with serve(create_app({"TESTING": True})) as base, tempfile.TemporaryDirectory() as profile:
        driver = chromium(Path(profile), languages="sv,en")
        try:
            for width, height in SIZES:
                # The window size includes no browser chrome in headless mode; emulate the exact viewport.
                driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                       {"width": width, "height": height, "deviceScaleFactor": 1,
                                        "mobile": width < 600})  # fmt: skip
                for stem, path, ready, scroll_to in PAGES:
                    target = OUT / f"{stem}-{width}.png"
                    shoot(driver, base + path, ready, scroll_to, target)
                    print(target.relative_to(ROOT))
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
