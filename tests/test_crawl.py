"""Every IRI under the base that any representation or dump publishes resolves.

The crawl collects every IRI under BASE from the N-Quads dump (data, ontology, shapes), VoID, the
catalogue in each profile, the service description, the named-graph descriptions and the HTML
pages (every link), then asks for each: it must answer 200 or 303 (or, for a retired IRI, the
documented 301/410), and a hash IRI's fragment must be an element id of the page it lands on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, URIRef

from oms_ld.publishing.dataset import PROFILES
from oms_ld.publishing.retired import load_retired

from .conftest import BASE, FIXTURES

RDF_SOURCES = ["/.well-known/void?format=nt", "/sparql?format=nt", "/graph/data.nt", "/graph/ontology.nt",
               "/graph/shapes.nt", *(f"/catalog?_profile={p.token}&_mediatype=nt" for p in PROFILES)]  # fmt: skip
PAGES = ["/", "/def/oms.html", "/def/shapes.html", "/download/", "/sparql", "/graph/data.html"]
ACCEPT = "text/turtle, text/html;q=0.9, */*;q=0.1"
HREF = re.compile(r'(?:href|src)="(/[^"]*)"')


@pytest.fixture(scope="module")
def app(retired_app: Flask) -> Flask:
    return retired_app


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def ours(iris: Iterator[str]) -> set[str]:
    return {iri for iri in iris if iri.startswith(BASE)}


def published_iris(client: FlaskClient) -> set[str]:
    """Every IRI under BASE in the RDF the site publishes."""
    dump = Dataset()
    dump.parse(data=client.get("/download/oms-ld-latest.nq").get_data(), format="nquads")
    found = ours(str(term) for quad in dump.quads() for term in quad if isinstance(term, URIRef))
    for path in RDF_SOURCES:
        response = client.get(path, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, path
        graph = Graph().parse(data=response.get_data(as_text=True), format="nt")
        found |= ours(str(term) for triple in graph for term in triple if isinstance(term, URIRef))
    return found


def test_every_published_iri_resolves(client: FlaskClient) -> None:
    iris = published_iris(client)
    documents = {iri.split("#")[0] for iri in iris if iri.startswith(BASE + "id/")}
    links: set[str] = set()
    for path in [*PAGES, *("/" + iri[len(BASE) :].replace("id/", "doc/", 1) for iri in sorted(documents))]:
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, path
        links |= set(HREF.findall(response.get_data(as_text=True)))
        response.close()
    targets = {"/" + iri[len(BASE) :] for iri in iris} | {link.replace("&amp;", "&") for link in links}
    assert len(targets) > 300
    retired = {"/" + iri[len(BASE) :] for iri in load_retired(FIXTURES / "retired")}
    broken = []
    for target in sorted(targets):
        path, _, fragment = target.partition("#")
        # RDF clients ask for Turtle; links on pages are followed by browsers, so HTML is acceptable too.
        response = client.get(path, headers={"Accept": ACCEPT})
        response.close()
        expected = (301, 410) if path.split("?")[0] in retired else (200, 303)
        if response.status_code not in expected:
            broken.append(f"{target}: {response.status_code}")
        elif fragment:
            page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
            body = page.get_data(as_text=True)
            page.close()
            if f'id="{fragment}"' not in body:
                broken.append(f"{target}: no element id {fragment!r} on the page")
    assert not broken, "\n".join(broken)
