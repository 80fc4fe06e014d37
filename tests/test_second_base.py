"""Another deployment: the same content rewritten under another base IRI and served with BASE_IRI set
to it. Every IRI it mints (things, documents, graphs, the dataset, its catalogue, service and dumps)
follows the configured base; only the ÖMS vocabulary (`def/oms#`, `def/shapes#`) keeps its own IRIs.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from oms_ld import create_app
from oms_ld.web import site_of
from oms_ld.web.representations import CATALOG_FORMATS, DEF_FORMATS, DOC_FORMATS, INDEX_FORMATS, VOID_FORMATS

from .conftest import BASE, ROOT

OTHER = "https://example.org/x/"
#: What the vocabulary keeps under the default base; anything else there would be a leak.
VOCABULARY = re.compile(re.escape(BASE) + r"def/(?:oms|shapes)\b")


def rewrite(tmp: Path) -> dict[str, str]:
    """The repository's content with every minted IRI moved to OTHER; the vocabulary stays."""
    dirs = {}
    for group in ("ontology", "data", "shapes"):
        target = tmp / group
        target.mkdir()
        for file in sorted((ROOT / group).glob("*.ttl")):
            text = file.read_text(encoding="utf-8")
            text = re.sub(re.escape(BASE) + r"(?!def/)", OTHER, text)
            (target / file.name).write_text(text, encoding="utf-8")
        dirs[f"{group.upper()}_DIR"] = str(target)
    return dirs


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("other-base")
    app = create_app({"TESTING": True, "BASE_IRI": OTHER, "CACHE_DIR": str(tmp / "cache"), **rewrite(tmp)})
    yield app
    site_of(app).store.close()


def leaks(body: bytes) -> list[str]:
    text = (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode("utf-8", "replace")
    return sorted({text[m.start() : m.start() + 60] for m in re.finditer(re.escape(BASE), text)
                   if not VOCABULARY.match(text, m.start())})  # fmt: skip


def paths(app: Flask) -> Iterator[str]:
    site = site_of(app)
    yield "/"
    yield "/map.svg"
    yield "/sparql?format=ttl"
    for m in INDEX_FORMATS:
        yield f"/download/?format={m.suffix}"
    yield from (f"/download/{name}" for name in site.dumps)
    yield from (f"/.well-known/void?format={m.suffix}" for m in VOID_FORMATS)
    for profile in ("dcat-ap-se", "dcat-ap"):
        yield from (f"/catalog?_profile={profile}&_mediatype={m.suffix}" for m in CATALOG_FORMATS)
    yield from (f"/def/oms.{m.suffix}" for m in DEF_FORMATS)
    for thing in ("node-city/uppsala", "region/stockholm", "strategy/oms-2050", "dataset/oms-ld"):
        yield from (f"/doc/{thing}.{m.suffix}" for m in DOC_FORMATS)


def test_nothing_names_the_default_base(other: Flask) -> None:
    client = other.test_client()
    found = {}
    for path in paths(other):
        response = client.get(path, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, (path, response.status_code)
        if leaks(response.data):
            found[path] = leaks(response.data)[:3]
    assert not found


def test_the_description_names_the_new_base(other: Flask) -> None:
    client = other.test_client()
    void = client.get("/.well-known/void?format=nt").data.decode()
    assert f'<{OTHER}id/dataset/oms-ld> <http://rdfs.org/ns/void#uriSpace> "{OTHER}id/"' in void
    assert f"<{OTHER}id/dataset/oms-ld> <http://rdfs.org/ns/void#sparqlEndpoint> <{OTHER}sparql>" in void
    assert f"<{OTHER}download/" in void


def test_things_resolve_under_the_new_base(other: Flask) -> None:
    client = other.test_client()
    response = client.get("/id/node-city/uppsala", headers={"Accept": "application/n-triples"})
    assert response.status_code == 303 and response.headers["Location"] == "/doc/node-city/uppsala"
    assert f"<{OTHER}id/node-city/uppsala>".encode() in response.data
    query = f"ASK {{ GRAPH <{OTHER}graph/data> {{ <{OTHER}id/node-city/uppsala> ?p ?o }} }}"
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.json == {"head": {}, "boolean": True}
