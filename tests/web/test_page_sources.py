"""Serving pages (and the graphs' triples) never parses the data into rdflib; no page lists more than its caps."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from flask import Flask

from oms_ld.web import html, pages

#: One of every page type (and the RDF of a document), in both languages.
PATHS = ("/", "/doc/node-city/uppsala", "/doc/county/uppsala-lan", "/doc/strategy/oms-2050", "/def/oms", "/def/shapes",
         "/graph/data", "/search?q=upps", "/features?f=html", "/features/collections/places/items?f=html",
         "/map.svg", "/sparql", "/download/", "/doc/node-city/uppsala.ttl", "/def/oms.ttl",
         *(f"/graph/{g}/triples.{s}" for g in ("data", "ontology", "shapes")
           for s in ("ttl", "nt", "jsonld", "rdf")))  # fmt: skip


@pytest.fixture(scope="module")
def fresh_app() -> Iterator[Flask]:
    from oms_ld import create_app

    app = create_app({"TESTING": True})
    yield app
    app.extensions["oms_ld"].store.close()


def test_serving_every_page_type_never_builds_the_data_graph(fresh_app: Flask) -> None:
    site = fresh_app.extensions["oms_ld"]
    site.sources.__dict__.pop("data", None)  # whatever start-up did, only requests count here
    client = fresh_app.test_client()
    for lang in ("sv", "en"):
        for path in PATHS:
            response = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
            assert response.status_code == 200, path
    assert "data" not in site.sources.__dict__


def test_the_landing_page_caps_each_class_with_its_count_and_a_query(fresh_app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = fresh_app.extensions["oms_ld"]
    full = pages.landing_view(site, "en")
    monkeypatch.setattr(pages, "LISTING_MAX", 3)
    capped = pages.landing_view(site, "en")
    assert capped["counts"] == full["counts"]
    for before, after in zip(full["classes"], capped["classes"], strict=True):  # type: ignore[call-overload]
        assert after["cls"] == before["cls"] and after["count"] == before["count"] == len(before["members"])
        assert len(after["members"]) == min(3, after["count"])
        assert bool(after["query"]) == (after["count"] > 3) and not before["query"]
        if after["query"]:
            assert "LIMIT 1000" in unquote(after["query"])
    with fresh_app.test_request_context("/"):
        body = pages.render_template("index.html", **html.page("en", "/"), **capped, map_svg="", base=site.base)
    assert "The first 3 of" in body and "List them all with SPARQL" in body


def test_referred_by_is_capped_per_property(fresh_app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = fresh_app.extensions["oms_ld"]
    thing = site.base + "id/county/uppsala-lan"
    graph = site.describe(thing)
    pairs, more = html.referred(graph, thing, site.base)
    assert pairs and not more
    few, left = html.referred(graph, thing, site.base, limit=1)
    props = {str(p) for p, _ in pairs}
    assert len(few) == len(props) and sum(left.values()) == len(pairs) - len(props)
    monkeypatch.setattr(html, "REFERRED_MAX", 1)
    with fresh_app.test_request_context("/"):
        body = html.render_resource(site, graph, thing, "en")
    assert "and " in body and "List them all with SPARQL" in body


def test_the_node_city_map_draws_at_most_map_max_cities(fresh_app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from oms_ld.web import nodemap

    site = fresh_app.extensions["oms_ld"]
    here = site.base + "id/node-city/uppsala"
    monkeypatch.setattr(nodemap, "MAP_MAX", 3)
    with fresh_app.test_request_context("/"):
        svg = str(nodemap.node_city_map(site, "en", highlight=here))
    assert svg.count('class="city') == 3 and 'class="city here"' in svg


@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld", "rdf"])
def test_a_big_graph_file_is_sent_from_disk_with_the_same_bytes_and_etag(fresh_app: Flask, suffix: str,
                                                                         monkeypatch) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    from oms_ld.web import graphs

    client = fresh_app.test_client()
    small = client.get(f"/graph/data/triples.{suffix}")
    monkeypatch.setattr(graphs, "BIG_GRAPH", 0)
    big = client.get(f"/graph/data/triples.{suffix}")
    assert small.status_code == big.status_code == 200
    assert big.get_data() == small.get_data()
    assert big.headers["ETag"] == small.headers["ETag"]
    assert big.headers["Content-Type"] == small.headers["Content-Type"]
    big.close()  # the test client leaves a streamed file to its caller
    again = client.get(f"/graph/data/triples.{suffix}", headers={"If-None-Match": big.headers["ETag"]})
    assert again.status_code == 304
    again.close()
