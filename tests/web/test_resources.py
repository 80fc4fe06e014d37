"""Cool URIs over HTTP: the 303 contract, negotiated documents, caching validators and bad input."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef

from ..conftest import BASE, ID
from ..live import serve

THING = "/id/node-city/uppsala"
DOC = "/doc/node-city/uppsala"
VARIANTS = {"ttl": "text/turtle", "html": "text/html", "jsonld": "application/ld+json",
            "rdf": "application/rdf+xml", "nt": "application/n-triples"}  # fmt: skip
RDFLIB_FORMAT = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}


def test_thing_answers_303_to_its_document_with_vary(client) -> None:  # type: ignore[no-untyped-def]
    for accept in (None, "text/html", "text/turtle", "application/rdf+xml"):
        response = client.get(THING, headers={"Accept": accept} if accept else {})
        assert response.status_code == 303
        assert response.headers["Location"] == DOC
        assert "Accept" in response.headers["Vary"]


def test_unknown_thing_is_404_not_a_redirect(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/id/node-city/atlantis", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.content_type.startswith("text/plain")
    assert "atlantis" in response.text
    html = client.get("/id/node-city/atlantis", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.content_type.startswith("text/html")


@pytest.mark.parametrize(("suffix", "mime"), VARIANTS.items())
def test_negotiated_document_carries_content_location_and_alternates(client, suffix: str, mime: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(DOC, headers={"Accept": mime})
    assert response.status_code == 200
    assert response.mimetype == mime
    assert response.headers["Content-Location"] == f"{DOC}.{suffix}"
    assert {"Accept", "Accept-Language"} <= set(response.vary)
    links = response.headers.getlist("Link")
    for other_suffix, other_mime in VARIANTS.items():
        assert f'<{DOC}.{other_suffix}>; rel="alternate"; type="{other_mime}"' in links
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(("suffix", "mime"), VARIANTS.items())
def test_same_bytes_whichever_way_a_variant_is_chosen(client, suffix: str, mime: str) -> None:  # type: ignore[no-untyped-def]
    lang = {"Accept-Language": "en"}
    by_accept = client.get(DOC, headers={"Accept": mime, **lang})
    by_suffix = client.get(f"{DOC}.{suffix}", headers=lang)
    by_param = client.get(f"{DOC}?format={suffix}", headers=lang)
    assert by_accept.data == by_suffix.data == by_param.data
    assert by_accept.headers["ETag"] == by_suffix.headers["ETag"] == by_param.headers["ETag"]


@pytest.mark.parametrize("suffix", RDFLIB_FORMAT)
def test_every_rdf_variant_parses_and_states_its_primary_topic(client, suffix: str) -> None:  # type: ignore[no-untyped-def]
    graph = Graph().parse(data=client.get(f"{DOC}.{suffix}").data, format=RDFLIB_FORMAT[suffix])
    thing = URIRef(BASE + THING[1:])
    assert (URIRef(BASE + DOC[1:]), URIRef("http://xmlns.com/foaf/0.1/primaryTopic"), thing) in graph
    assert (URIRef(BASE + DOC[1:]), URIRef("http://rdfs.org/ns/void#inDataset"), None) in graph
    assert len(list(graph.predicate_objects(thing))) >= 8


def test_etag_and_last_modified_give_304(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get(f"{DOC}.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith('W/')
    assert client.get(f"{DOC}.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"{DOC}.ttl", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(f"{DOC}.ttl", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(f"{DOC}.nt").headers["ETag"] != etag


def test_head_works_wherever_get_does(client) -> None:  # type: ignore[no-untyped-def]
    assert client.head(THING).status_code == 303
    head = client.head(f"{DOC}.ttl")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == client.get(f"{DOC}.ttl").headers["ETag"]


def test_large_bodies_are_gzipped_with_their_own_etag(client) -> None:  # type: ignore[no-untyped-def]
    plain = client.get("/doc/collaboration/oms.ttl")
    zipped = client.get("/doc/collaboration/oms.ttl", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in zipped.vary


def test_406_lists_the_alternatives(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(DOC, headers={"Accept": "image/png"})
    assert response.status_code == 406
    for mime in VARIANTS.values():
        assert mime in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/doc/../../etc/passwd",
        "/doc/%2e%2e/%2e%2e/etc/passwd",
        "/doc/..%2f..%2fetc%2fpasswd",
        "/id/node-city/UPPSALA",
        "/doc/node-city/uppsala.exe",
        "/doc/node-city/uppsala.ttl.ttl",
        "/id/" + "a" * 5000,
        "/doc/node-city/%ff%fe",
        "/id/node-city/uppsala%00",
        "/doc/node-city/uppsala/",
    ],
)
def test_bad_paths_get_a_clear_4xx(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert 400 <= response.status_code < 500, path
    assert response.text.strip()


def test_non_utf8_accept_header_is_harmless(client) -> None:  # type: ignore[no-untyped-def]
    raw = "text/turtle\udcff".encode("utf-8", "surrogateescape").decode("latin-1")
    response = client.get(DOC, headers=[("Accept", raw)])
    assert response.status_code in (200, 406)


def test_every_thing_in_the_data_resolves(app, client) -> None:  # type: ignore[no-untyped-def]
    """A crawl: every {BASE}id/ IRI in the published data answers 303, then 200."""
    site = app.extensions["oms_ld"]
    things = {str(s).split("#")[0] for s in site.sources.published().subjects() if str(s).startswith(str(ID))}
    assert len(things) > 60
    for iri in sorted(things):
        path = "/" + iri.removeprefix(BASE)
        redirect = client.get(path, headers={"Accept": "text/turtle"})
        assert redirect.status_code == 303, path
        assert client.get(redirect.headers["Location"], headers={"Accept": "text/turtle"}).status_code == 200


@pytest.fixture(scope="module")
def live_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app behind a real HTTP server on loopback, for real clients."""
    with serve(app) as url:
        yield url


def test_rdflib_parses_a_thing_iri_through_the_running_server(live_url: str) -> None:
    graph = Graph().parse(live_url + THING)
    thing = URIRef(BASE + THING[1:])
    assert (thing, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in graph
    assert len(list(graph.predicate_objects(thing))) >= 8


@pytest.mark.parametrize("name", ["oms", "shapes"])
def test_every_format_of_a_definition_holds_the_same_graph(client, name: str) -> None:  # type: ignore[no-untyped-def]
    """No serializer drops triples (rdflib's pretty RDF/XML did, on the shapes' blank nodes)."""
    from rdflib.compare import isomorphic

    turtle = Graph().parse(data=client.get(f"/def/{name}.ttl").data, format="turtle")
    assert len(turtle) > 100
    for suffix in ("rdf", "nt", "jsonld"):
        other = Graph().parse(data=client.get(f"/def/{name}.{suffix}").data, format=RDFLIB_FORMAT[suffix])
        assert isomorphic(turtle, other), suffix


def test_a_303_carries_the_document_for_rdf_clients_that_do_not_follow(client) -> None:  # type: ignore[no-untyped-def]
    """`curl -H 'Accept: text/turtle' /id/…` (no -L) shows the triples; the status stays 303."""
    response = client.get(THING, headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and response.headers["Location"] == DOC
    assert response.mimetype == "text/turtle"
    assert response.data == client.get(f"{DOC}.ttl").data
    browser = client.get(THING, headers={"Accept": "text/html"})
    assert browser.status_code == 303 and browser.mimetype == "text/html"
