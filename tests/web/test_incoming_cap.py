"""A document's triples pointing at its thing are capped per property, counted, and linked in full.

Synthetic data (`benchmarks.generate` at 3 000 triples: one county with 60 municipalities and 120 places
that each say `oms:county` it) puts 180 triples through one property at one county, over the cap of 100.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID

from oms_ld.publishing.publication import INCOMING_MAX
from oms_ld.web import site_of
from oms_ld.web.representations import DOC_FORMATS

BASE = "https://w3id.org/oms-ld/synthetic/"
COUNTY = BASE + "id/county/lan-30"
MUNICIPALITY = BASE + "id/municipality/kommun-3000"
IN_COUNTY = URIRef("https://w3id.org/oms-ld/def/oms#county")
RDF_SUFFIXES = [m.suffix for m in DOC_FORMATS if m.rdflib is not None]
JSON = "application/sparql-results+json"


def config(data: Path) -> dict[str, str]:
    return {"DATA_DIR": str(data), "BASE_IRI": BASE, "CACHE_DIR": str(data.parent / "cache"),
            "RELEASES_DIR": str(data.parent / "releases")}  # fmt: skip


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks import generate

    folder = tmp_path_factory.mktemp("incoming") / "data"
    generate.write(3000, folder)
    return folder


@pytest.fixture(scope="module")
def app(data: Path) -> Iterator[Flask]:
    from oms_ld import create_app

    app = create_app({"TESTING": True, **config(data)})
    yield app
    site_of(app).store.close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def select(client: FlaskClient, query: str) -> list[dict[str, str]]:
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert answer.status_code == 200, answer.data[:300]
    return [{k: v["value"] for k, v in row.items()} for row in answer.get_json()["results"]["bindings"]]


def document(client: FlaskClient, thing: str, suffix: str) -> Graph:
    answer = client.get(f"/doc/{thing.removeprefix(BASE + 'id/')}.{suffix}")
    assert answer.status_code == 200
    media = next(m for m in DOC_FORMATS if m.suffix == suffix)
    return Graph().parse(data=answer.data, format=media.rdflib)


def test_the_fixture_is_over_the_cap(client: FlaskClient) -> None:
    [row] = select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{IN_COUNTY}> <{COUNTY}> }}")
    assert int(row["n"]) > INCOMING_MAX


@pytest.mark.parametrize("suffix", RDF_SUFFIXES)
def test_every_format_keeps_the_own_triples_and_the_first_pointing_ones(client: FlaskClient, suffix: str) -> None:
    graph = document(client, COUNTY, suffix)
    own = select(client, f"SELECT ?p ?o WHERE {{ <{COUNTY}> ?p ?o }}")
    assert {(r["p"], r["o"]) for r in own} == {(str(p), str(o)) for p, o in graph.predicate_objects(URIRef(COUNTY))}
    first = select(client, f"SELECT ?s WHERE {{ ?s <{IN_COUNTY}> <{COUNTY}> }} ORDER BY ?s LIMIT {INCOMING_MAX}")
    assert sorted(str(s) for s in graph.subjects(IN_COUNTY, URIRef(COUNTY))) == [r["s"] for r in first]
    for s in graph.subjects(IN_COUNTY, URIRef(COUNTY)):
        assert graph.value(s, RDFS.label) is not None  # their names come along, as under the cap


@pytest.mark.parametrize("suffix", RDF_SUFFIXES)
def test_the_document_says_how_many_and_where_all_of_them_are(client: FlaskClient, suffix: str) -> None:
    graph = document(client, COUNTY, suffix)
    doc = URIRef(BASE + "doc/county/lan-30")
    [every] = graph.objects(doc, RDFS.seeAlso)
    [row] = select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{COUNTY}> }}")
    assert graph.value(every, VOID.triples) == Literal(int(row["n"]))
    assert (every, RDF.type, VOID.Dataset) in graph
    # Following the link gives every triple pointing at the county, a page at a time.
    url = urlsplit(str(every))
    assert str(every).startswith(BASE + "sparql?query=")
    query = unquote(url.query.removeprefix("query="))
    found = Graph()
    for offset in range(0, int(row["n"]), 1000):
        answer = client.get("/sparql", query_string={"query": query.replace("OFFSET 0", f"OFFSET {offset}")},
                            headers={"Accept": "text/turtle"})  # fmt: skip
        assert answer.status_code == 200
        found.parse(data=answer.data, format="turtle")
    assert len(found) == int(row["n"])
    assert all(o == URIRef(COUNTY) for o in found.objects())


def test_a_thing_under_the_cap_has_no_link(client: FlaskClient) -> None:
    graph = document(client, MUNICIPALITY, "ttl")
    doc = URIRef(BASE + "doc/municipality/kommun-3000")
    assert not list(graph.objects(doc, RDFS.seeAlso))
    [row] = select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{MUNICIPALITY}> }}")
    pointing = [s for s, _ in graph.subject_predicates(URIRef(MUNICIPALITY)) if s != doc]
    assert len(pointing) == int(row["n"]) > 0  # all of them


def test_the_page_shows_the_count_and_a_query_listing_them_all(client: FlaskClient) -> None:
    [row] = select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{IN_COUNTY}> <{COUNTY}> }}")
    total = int(row["n"])
    page = client.get("/doc/county/lan-30.html?lang=en").get_data(as_text=True)
    assert f"… and {total - INCOMING_MAX} more." in page
    link = next(part.split('"')[0] for part in page.split('href="')[1:] if "OFFSET" in part.split('"')[0])
    query = unquote(urlsplit(link.replace("&amp;", "&")).query.removeprefix("query="))
    listed = select(client, query)
    assert len(listed) == min(total, 1000)
    assert len(select(client, query.replace("LIMIT 1000", f"LIMIT {total + 1}"))) == total


def test_two_processes_send_the_same_bytes(client: FlaskClient, data: Path) -> None:
    """Every variant of the capped document, in this process and in a fresh one, byte for byte."""
    paths = [f"/doc/county/lan-30.{s}" for s in RDF_SUFFIXES] + ["/doc/county/lan-30.html?lang=sv"]
    here = {p: hashlib.sha256(client.get(p).data).hexdigest() for p in paths}
    script = (
        "import hashlib, json, sys\nfrom oms_ld import create_app\n"
        "app = create_app(json.loads(sys.argv[1]))\nc = app.test_client()\n"
        "print(json.dumps({p: hashlib.sha256(c.get(p).data).hexdigest() for p in sys.argv[2:]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, json.dumps(config(data)), *paths],
                          capture_output=True, text=True, check=True, timeout=600)  # fmt: skip
    assert json.loads(done.stdout.strip().splitlines()[-1]) == here
