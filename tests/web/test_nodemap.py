"""The node-city map: land from the committed Natural Earth outline, a legend, and a drawing that scales."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from oms_ld.web.nodemap import land_rings

from ..conftest import ROOT

SVG_NS = "{http://www.w3.org/2000/svg}"
BASEMAP = ROOT / "oms_ld" / "web" / "basemap.json"


def test_the_basemap_is_small_and_says_where_it_comes_from() -> None:
    data = json.loads(BASEMAP.read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"] and "Sweden" in data["countries"]
    assert BASEMAP.stat().st_size < 40_000
    west, south, east, north = data["box"]
    rings = land_rings()
    assert len(rings) >= 5
    assert all(west <= lon <= east and south <= lat <= north for ring in rings for lon, lat in ring)
    # The regenerating script is in the repository, with its pinned source.
    assert (ROOT / "tools" / "basemap" / "build.py").exists()
    assert (ROOT / "tools" / "basemap" / "package-lock.json").exists()


def test_the_map_has_land_a_legend_and_scales(client) -> None:  # type: ignore[no-untyped-def]
    for lang, words in (("sv", ("Teckenförklaring", "Nodstad", "Natural Earth")),
                        ("en", ("Legend", "Node city", "Natural Earth"))):  # fmt: skip
        svg = client.get(f"/map.svg?lang={lang}").get_data(as_text=True)
        root = ET.fromstring(svg)
        assert root.get("viewBox") and root.get("viewBox", "").startswith("0 0 ")
        land = [p for p in root.iter(f"{SVG_NS}path") if p.get("d", "").count("M") >= 5]
        assert land, "no land outline"
        assert all(word in svg for word in words)
        assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= {"http://www.w3.org/2000/svg"}
    page = client.get("/doc/node-city/uppsala?lang=sv", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Den här nodstaden" in page  # the highlighted city has its own legend entry


def test_drawn_labels_do_not_collide_and_stay_inside(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """In Chromium, with the real font: no two city labels overlap, and every label is inside the drawing."""
    from oms_ld import create_app

    from ..live import chromium, serve

    driver = chromium(tmp_path_factory.mktemp("chromium-map"))
    try:
        with serve(create_app({"TESTING": True})) as url:
            for lang in ("sv", "en"):
                driver.get(f"{url}/map.svg?lang={lang}")
                boxes = driver.execute_script(
                    "return Array.from(document.querySelectorAll('a.city text')).map(t => {"
                    " const b = t.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; })"
                )
                view = [float(v) for v in driver.execute_script(
                    "return document.documentElement.getAttribute('viewBox')").split()]  # fmt: skip
                assert len(boxes) >= 13
                for i, a in enumerate(boxes):
                    assert a[0] >= 0 and a[2] <= view[2] and a[1] >= 0, (lang, a)
                    for b in boxes[i + 1 :]:
                        assert not (a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1), (a, b)
    finally:
        driver.quit()
