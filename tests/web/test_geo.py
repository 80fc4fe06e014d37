"""Geo queries on the endpoint: the GeoSPARQL functions in the service description, the geo examples
against distances computed here (haversine, and pyproj's WGS84 geodesic), and the 2-argument trap."""

from __future__ import annotations

import importlib.util
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from oms_ld.config import Settings
from oms_ld.publishing.examples import load_examples
from oms_ld.publishing.linking.geo import GEOF, GEOSPARQL_FUNCTIONS
from oms_ld.rdf.namespaces import SD
from oms_ld.store import select_rows

from ..conftest import BASE, need

EXAMPLES = {ex.slug: ex for ex in load_examples(Path(Settings().queries_dir))}
STOCKHOLM = BASE + "id/node-city/stockholm"
POINT = re.compile(r"POINT\s*\(([-0-9.]+) ([-0-9.]+)\)")


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle metres between two (lon, lat) points on the mean Earth radius."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def points(app: Flask) -> dict[str, list[tuple[float, float]]]:
    """Node city → its points, read with a plain SELECT (no GeoSPARQL function involved)."""
    rows = select_rows(app.extensions["oms_ld"].store, f"""SELECT ?c ?w WHERE {{ ?c a <{BASE}def/oms#NodeCity> ;
        <http://www.opengis.net/ont/geosparql#hasGeometry>/<http://www.opengis.net/ont/geosparql#asWKT> ?w }}""")
    found: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        m = POINT.search(row["w"])
        assert m
        found.setdefault(row["c"], []).append((float(m.group(1)), float(m.group(2))))
    return found


def nearest(app: Flask) -> dict[str, float]:
    """Node city → metres from Stockholm's point to its nearest point, by haversine."""
    pts = points(app)
    (here,) = pts[STOCKHOLM]
    return {city: min(haversine(here, p) for p in ps) for city, ps in pts.items()}


def run(web: FlaskClient, query: str) -> list[dict[str, Any]]:
    response = web.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(response.data)["results"]["bindings"]]


def test_the_service_description_names_the_geosparql_functions(web: FlaskClient) -> None:
    graph = Graph().parse(data=web.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    functions = set(graph.objects(None, SD.extensionFunction))
    assert {URIRef(GEOF + name) for name, _ in GEOSPARQL_FUNCTIONS} <= functions
    assert "unit" in str(graph.value(URIRef(GEOF + "distance"), URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))


@pytest.mark.parametrize(("name", "_comment"), GEOSPARQL_FUNCTIONS, ids=[n for n, _ in GEOSPARQL_FUNCTIONS])
def test_every_described_function_is_evaluated(linking_app: Flask, name: str, _comment: str) -> None:
    point, box = '"POINT(18 59.5)"^^geo:wktLiteral', '"POLYGON((17 59, 19 59, 19 60, 17 60, 17 59))"^^geo:wktLiteral'
    args = {"distance": f"{point}, {point}, <http://www.opengis.net/def/uom/OGC/1.0/metre>",
            "envelope": box, "asGeoJSON": point}.get(name, f"{point}, {box}")  # fmt: skip
    query = f"""PREFIX geo: <http://www.opengis.net/ont/geosparql#> PREFIX geof: <{GEOF}>
        SELECT ?r WHERE {{ BIND(geof:{name}({args}) AS ?r) }}"""
    rows = select_rows(linking_app.extensions["oms_ld"].store, query)
    assert rows and "r" in rows[0], f"geof:{name} is not evaluated"


def test_node_cities_within_50_km_match_haversine_and_the_geodesic(web: FlaskClient, linking_app: Flask) -> None:
    rows = run(web, EXAMPLES["17-node-cities-near-stockholm"].query)
    metres = nearest(linking_app)
    expected = sorted((m, c) for c, m in metres.items() if c != STOCKHOLM and m <= 50_000)
    assert [r["nodeCity"] for r in rows] == [c for _m, c in expected] and len(rows) >= 3
    for row, (m, _c) in zip(rows, expected, strict=True):
        assert float(row["km"]) * 1000 == pytest.approx(m, rel=1e-6)
    need(importlib.util.find_spec("pyproj") is not None, "pyproj is not installed (the test extras)")
    import pyproj

    geod = pyproj.Geod(ellps="WGS84")
    (here,) = points(linking_app)[STOCKHOLM]
    for row in rows:
        there = min(points(linking_app)[row["nodeCity"]], key=lambda p: haversine(here, p))
        assert float(row["km"]) * 1000 == pytest.approx(geod.inv(*here, *there)[2], rel=5e-3)


def test_node_cities_by_distance_are_in_haversine_order(web: FlaskClient, linking_app: Flask) -> None:
    rows = run(web, EXAMPLES["18-node-cities-by-distance"].query)
    metres = nearest(linking_app)
    assert [r["nodeCity"] for r in rows] == sorted(metres, key=lambda c: metres[c])
    for row in rows:
        assert float(row["km"]) == pytest.approx(round(metres[row["nodeCity"]] / 100) / 10, abs=0.051)


def test_places_within_the_area_match_a_point_in_box_test(web: FlaskClient, linking_app: Flask) -> None:
    rows = run(web, EXAMPLES["19-places-within-an-area"].query)
    every = select_rows(linking_app.extensions["oms_ld"].store, f"""SELECT ?p ?w WHERE {{ ?p a <{BASE}def/oms#Place> ;
        <http://www.opengis.net/ont/geosparql#hasGeometry>/<http://www.opengis.net/ont/geosparql#asWKT> ?w }}""")
    inside = set()
    for row in every:
        m = POINT.search(row["w"])
        assert m
        if 17.7 <= float(m.group(1)) <= 18.1 and 59.38 <= float(m.group(2)) <= 59.7:
            inside.add(row["p"])
    assert {r["place"] for r in rows} == inside and len(inside) >= 3


@pytest.mark.parametrize(
    "call",
    [
        "geof:distance(?a, ?b)",
        "<http://www.opengis.net/def/function/geosparql/distance>(?a, ?b)",
        'geof:distance("POINT(1 2)"^^geo:wktLiteral, ?b)',
        "g:distance(COALESCE(?a, ?b), ?b)",  # any prefix for the namespace; commas inside an argument
    ],
)
def test_two_argument_distance_is_refused_with_the_reason(web: FlaskClient, call: str) -> None:
    query = f"""PREFIX geo: <http://www.opengis.net/ont/geosparql#> PREFIX geof: <{GEOF}> PREFIX g: <{GEOF}>
        SELECT ?d WHERE {{ BIND("POINT(1 2)"^^geo:wktLiteral AS ?a) BIND(?a AS ?b) BIND({call} AS ?d) }}"""
    response = web.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400 and "three arguments" in response.get_data(as_text=True)
    three = query.replace(call, call[:-1] + ", <http://www.opengis.net/def/uom/OGC/1.0/metre>)")
    assert run(web, three)[0]["d"] == "0"


def test_a_call_written_inside_a_string_or_comment_is_no_call(web: FlaskClient) -> None:
    """Decided by the grammar: text that only looks like a two-argument call is not one."""
    query = f"""PREFIX geof: <{GEOF}> # geof:distance(?a, ?b)
        SELECT ?d WHERE {{ BIND("geof:distance(?a, ?b)" AS ?d) }}"""
    assert run(web, query)[0]["d"] == "geof:distance(?a, ?b)"
