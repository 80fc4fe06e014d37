"""OGC API – Features at /features: the documents, then GDAL (Debian's ogrinfo) and OWSLib as real clients."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oms_ld.store import select_rows

from ..conftest import BASE, need
from ..live import serve

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
ID = BASE + "id/"


@pytest.fixture(scope="module")
def live(linking_app: Flask) -> Iterator[str]:
    with serve(linking_app) as url:
        yield url


def members(app: Flask, cls: str) -> set[str]:
    """The IRIs of a class, asked of the store independently of the features code."""
    rows = select_rows(app.extensions["oms_ld"].store, f"SELECT ?s WHERE {{ ?s a <{BASE}def/oms#{cls}> }}")
    return {r["s"] for r in rows}


def test_landing_conformance_and_collections(web: FlaskClient) -> None:
    landing = web.get("/features").get_json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "conformance", "data", "service-desc"} <= rels
    conforms = web.get("/features/conformance").get_json()["conformsTo"]
    assert {CORE + "core", CORE + "geojson", CORE + "html"} <= set(conforms)
    collections = web.get("/features/collections").get_json()["collections"]
    assert {"node-cities", "places"} <= {c["id"] for c in collections}
    one = web.get("/features/collections/places").get_json()
    assert any(link["rel"] == "items" and link["type"] == "application/geo+json" for link in one["links"])
    assert web.get("/features/api").headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert web.get("/features/collections/nope").status_code == 404


def test_items_paging_and_counts(web: FlaskClient, linking_app: Flask) -> None:
    response = web.get("/features/collections/places/items?limit=5")
    assert response.mimetype == "application/geo+json" and response.headers["Access-Control-Allow-Origin"] == "*"
    page = response.get_json()
    assert page["type"] == "FeatureCollection" and page["numberReturned"] == 5
    assert page["numberMatched"] == len(members(linking_app, "Place"))
    seen: list[str] = []
    url: str | None = "/features/collections/places/items?limit=5"
    while url:
        doc = web.get(url).get_json()
        seen += [f["properties"]["iri"] for f in doc["features"]]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
    assert sorted(seen) == sorted(members(linking_app, "Place"))


def test_features_carry_iri_names_and_null_geometry(web: FlaskClient) -> None:
    feature = web.get("/features/collections/places/items/uppsala").get_json()
    assert feature["properties"]["iri"] == ID + "place/uppsala"
    assert feature["properties"]["name_sv"] == "Uppsala" and feature["properties"]["name_en"] == "Uppsala"
    assert feature["geometry"]["type"] == "Point"
    flemingsberg = web.get("/features/collections/places/items/flemingsberg").get_json()
    assert flemingsberg["geometry"] is None  # no verified coordinate
    composite = web.get("/features/collections/node-cities/items/kista-sollentuna-haggvik").get_json()
    assert composite["geometry"]["type"] == "MultiPoint" and len(composite["geometry"]["coordinates"]) == 3
    assert web.get("/features/collections/places/items/nope").status_code == 404


def test_bbox_parameters_and_formats(web: FlaskClient) -> None:
    around_uppsala = web.get("/features/collections/places/items?bbox=17.5,59.8,17.8,59.9&f=json").get_json()
    assert [f["id"] for f in around_uppsala["features"]] == ["uppsala"] and around_uppsala["numberMatched"] == 1
    assert web.get("/features/collections/places/items?bbox=1,2,3").status_code == 400
    assert web.get("/features/collections/places/items?limit=0").status_code == 400
    response = web.get("/features/collections/places/items?color=red")
    assert response.status_code == 400 and "color" in response.get_data(as_text=True)
    assert web.get("/features/collections?sort=x").status_code == 400
    for path in ("/features", "/features/conformance", "/features/collections", "/features/collections/places",
                 "/features/collections/places/items", "/features/collections/places/items/uppsala"):  # fmt: skip
        html = web.get(path + "?f=html")
        assert html.mimetype == "text/html" and "<h1>" in html.get_data(as_text=True)
        assert web.get(path, headers={"Accept": "text/html"}).mimetype == "text/html"
        assert web.get(path + "?f=json").mimetype in ("application/json", "application/geo+json")


def test_gdal_reads_every_feature(live: str, linking_app: Flask) -> None:
    need(shutil.which("ogrinfo") is not None, "GDAL's ogrinfo is not installed (Debian package gdal-bin)")
    listing = subprocess.run(["ogrinfo", "-ro", f"OAPIF:{live}/features"], capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert re.search(r"\d+: node-cities", listing.stdout) and re.search(r"\d+: places", listing.stdout)
    for layer, cls in (("node-cities", "NodeCity"), ("places", "Place")):
        dump = subprocess.run(["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{live}/features", layer],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert dump.returncode == 0, dump.stderr
        iris = set(re.findall(r"iri \(String\) = (\S+)", dump.stdout))
        assert iris == members(linking_app, cls)
    assert "POINT (17.64" in subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", "-where", "id = 'uppsala'", f"OAPIF:{live}/features", "places"],
        capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip


def test_owslib_reads_the_collections(live: str, linking_app: Flask) -> None:
    from owslib.ogcapi.features import Features

    api = Features(f"{live}/features")
    assert {CORE + "core", CORE + "geojson"} <= set(api.conformance()["conformsTo"])
    assert {"node-cities", "places"} <= {c["id"] for c in api.collections()["collections"]}
    items = api.collection_items("node-cities", limit=100)
    assert {f["properties"]["iri"] for f in items["features"]} == members(linking_app, "NodeCity")
    assert api.collection_item("places", "uppsala")["properties"]["iri"] == ID + "place/uppsala"
