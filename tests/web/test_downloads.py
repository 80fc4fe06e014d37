"""The downloads blueprint: dump files, their index, /.well-known/void, /catalog, and `oms-ld dump`."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, VOID

from oms_ld.publishing.dataset import DCAT_AP, DCAT_AP_SE
from oms_ld.publishing.dumps import FORMATS, QUAD_FORMATS
from oms_ld.rdf.namespaces import SPDX
from oms_ld.web.downloads import choose_profile

from ..conftest import BASE, DATASET, GRAPHS, ROOT

#: rdflib parser names (RDF/XML is written by another serializer than rdflib's "pretty-xml").
PARSERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml", "trig": "trig", "nq": "nquads"}


@pytest.fixture(scope="module")
def site(app):  # type: ignore[no-untyped-def]
    return app.extensions["oms_ld"]


@pytest.fixture(scope="module")
def date(site) -> str:  # type: ignore[no-untyped-def]
    return str(site.settings.release_date)


def path_of(iri: object) -> str:
    """The request path for a published IRI: `{BASE}X` is served at `/X` (the w3id redirect keeps the rest)."""
    assert str(iri).startswith(BASE), iri
    return "/" + str(iri)[len(BASE) :]


@pytest.mark.parametrize("suffix", [m.suffix for m in FORMATS])
def test_dump_parses_back_to_the_published_graphs(client, site, date: str, suffix: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/download/oms-ld-{date}.{suffix}")
    assert response.status_code == 200
    if suffix in {m.suffix for m in QUAD_FORMATS}:
        dataset = Dataset()
        dataset.parse(data=response.data, format=PARSERS[suffix])
        names = {str(g.identifier) for g in dataset.graphs() if len(g)}
        assert names == set(GRAPHS.values())
        for group, iri in GRAPHS.items():
            assert isomorphic(dataset.graph(URIRef(iri)), getattr(site.sources, group)), group
    else:
        graph = Graph().parse(data=response.data, format=PARSERS[suffix])
        assert isomorphic(graph, site.sources.published())


def test_gzip_latest_and_dated_agree(client, site, date: str) -> None:  # type: ignore[no-untyped-def]
    for media_type in FORMATS:
        plain = client.get(f"/download/oms-ld-{date}.{media_type.suffix}").data
        packed = client.get(f"/download/oms-ld-{date}.{media_type.suffix}.gz", headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Type"] == "application/gzip"
        assert "Content-Encoding" not in packed.headers
        assert gzip.decompress(packed.data) == plain
        assert client.get(f"/download/oms-ld-latest.{media_type.suffix}").data == plain
        assert client.get(f"/download/oms-ld-latest.{media_type.suffix}.gz").data == packed.data


def test_headers_of_every_file(client, site, date: str) -> None:  # type: ignore[no-untyped-def]
    assert len(site.dumps) == 2 * 2 * len(FORMATS) + 4  # + the code crosswalk: CSV and CSVW metadata, dated and latest
    for name, dump in site.dumps.items():
        response = client.get(f"/download/{name}")
        assert response.status_code == 200
        expected_name = name.replace("latest", date)
        assert response.headers["Content-Disposition"] == f'attachment; filename="{expected_name}"'
        if name.endswith(".gz"):
            assert response.headers["Content-Type"] == "application/gzip"
        else:
            assert response.mimetype == dump.rdf_format.mime
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["ETag"] and response.headers["Last-Modified"]
        assert hashlib.sha256(response.data).hexdigest() == dump.sha256 and len(response.data) == dump.size


def test_conditional_and_head(client, date: str) -> None:  # type: ignore[no-untyped-def]
    first = client.get(f"/download/oms-ld-{date}.ttl")
    again = client.get(f"/download/oms-ld-{date}.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    head = client.head(f"/download/oms-ld-{date}.ttl")
    assert head.status_code == 200 and head.data == b""


@pytest.mark.parametrize(
    "path",
    [
        "/download/nope.ttl",
        "/download/oms-ld-1999-01-01.ttl",
        "/download/OMS-LD-LATEST.TTL",
        "/download/..%2Fpyproject.toml",
        "/download/%2e%2e/README.md",
    ],  # fmt: skip
)
def test_unknown_file_is_404(client, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404


def test_sizes_and_checksums_in_the_metadata_match_the_bytes_served(client) -> None:  # type: ignore[no-untyped-def]
    meta = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    distributions = list(meta.objects(DATASET, DCAT.distribution))
    assert distributions
    for dist in distributions:
        size = int(meta.value(dist, DCAT.byteSize))
        digest = str(meta.value(meta.value(dist, SPDX.checksum), SPDX.checksumValue))
        urls = [meta.value(dist, DCAT.accessURL), *meta.objects(dist, DCAT.downloadURL)]
        for url in urls:
            body = client.get(path_of(url)).data
            assert len(body) == size and hashlib.sha256(body).hexdigest() == digest, url


def test_index_lists_every_file(client, site) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/download/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.data.decode()
    for dump in site.dumps.values():
        assert f'href="/download/{dump.name}"' in text and dump.sha256 in text and str(dump.size) in text
    listing = json.loads(client.get("/download/", headers={"Accept": "application/json"}).data)
    assert {(r["name"], r["size"], r["sha256"]) for r in listing} == {
        (d.name, d.size, d.sha256) for d in site.dumps.values()
    }
    sums = client.get("/download/", headers={"Accept": "text/plain"}).data.decode().splitlines()
    assert sorted(sums) == sorted(f"{d.sha256}  {d.name}" for d in site.dumps.values())


def test_well_known_void(client, site) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert "Accept" in response.headers["Vary"]
    meta = Graph().parse(data=response.data, format="turtle")
    assert meta.value(DATASET, VOID.sparqlEndpoint) is not None
    assert meta.value(DATASET, VOID.uriSpace) is not None
    dumps = list(meta.objects(DATASET, VOID.dataDump))
    assert {path_of(d) for d in dumps} == {f"/download/{name}" for name, d in site.dumps.items() if not d.about[0]}
    for dump in dumps:
        answer = client.get(path_of(dump))
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == site.dumps[path_of(dump).rsplit("/", 1)[1]].content_type
    examples = list(meta.objects(DATASET, VOID.exampleResource))
    assert len(examples) == 3
    for example in examples:
        assert client.get(path_of(example)).status_code == 303


@pytest.mark.parametrize(
    ("accept", "query", "mime"),
    [
        ("application/ld+json", "", "application/ld+json"),
        ("application/rdf+xml", "", "application/rdf+xml"),
        ("", "?format=nt", "application/n-triples"),
        ("*/*", "", "text/turtle"),
    ],
)
def test_well_known_void_conneg(client, accept: str, query: str, mime: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/.well-known/void{query}", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == mime
    graph = Graph().parse(data=response.data, format={"application/ld+json": "json-ld",
                                                      "application/rdf+xml": "xml"}.get(mime, mime))  # fmt: skip
    assert (DATASET, VOID.sparqlEndpoint, None) in graph


@pytest.mark.parametrize(
    ("headers", "mime"),
    [
        ({}, "application/rdf+xml"),
        ({"Accept": "*/*"}, "application/rdf+xml"),
        ({"Accept": "text/turtle"}, "text/turtle"),
        ({"Accept": "application/ld+json"}, "application/ld+json"),
    ],
)
def test_catalog_formats(client, headers: dict[str, str], mime: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/catalog", headers=headers)
    assert response.status_code == 200 and response.mimetype == mime
    assert {"Accept", "Accept-Profile"} <= set(response.vary)
    assert f'<{DCAT_AP_SE.uri}>; rel="profile"' in response.headers.getlist("Link")


def test_catalog_profiles(client) -> None:  # type: ignore[no-untyped-def]
    default = Graph().parse(data=client.get("/catalog").data, format="xml")
    formats = set(default.objects(None, DCTERMS.format))
    assert formats and all(not isinstance(f, URIRef) for f in formats)
    eu = client.get("/catalog", headers={"Accept-Profile": f"<{DCAT_AP.uri}>", "Accept": "text/turtle"})
    assert f'<{DCAT_AP.uri}>; rel="profile"' in eu.headers.getlist("Link")
    graph = Graph().parse(data=eu.data, format="turtle")
    assert all(isinstance(f, URIRef) for f in graph.objects(None, DCTERMS.format))


@pytest.mark.parametrize(
    ("token", "header", "expected"),
    [
        (None, None, DCAT_AP_SE),
        ("dcat-ap", None, DCAT_AP),
        ("nonsense", None, DCAT_AP_SE),
        (None, f"<{DCAT_AP.uri}>", DCAT_AP),
        (None, f"<{DCAT_AP.uri}>;q=0.5, <{DCAT_AP_SE.uri}>;q=0.9", DCAT_AP_SE),
        (None, "<http://example.invalid/other>", DCAT_AP_SE),
    ],
)
def test_choose_profile(token: str | None, header: str | None, expected: object) -> None:
    assert choose_profile(token, header) is expected


def test_dataset_iri_dereferences(client) -> None:  # type: ignore[no-untyped-def]
    thing = client.get("/id/dataset/oms-ld")
    assert thing.status_code == 303 and thing.headers["Location"].endswith("/doc/dataset/oms-ld")
    for accept in ("text/html", "text/turtle"):
        assert client.get("/doc/dataset/oms-ld", headers={"Accept": accept}).status_code == 200


def test_cli_dump_matches_the_served_file(client, date: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "dump.nt"
    subprocess.run([sys.executable, "-m", "oms_ld", "dump", "--format", "nt", "-o", str(target)], check=True,
                   cwd=ROOT, capture_output=True, timeout=120)  # fmt: skip
    assert target.read_bytes() == client.get(f"/download/oms-ld-{date}.nt").data


def test_cli_dump_refuses_data_that_does_not_conform(tmp_path: Path) -> None:
    invalid = ROOT / "tests" / "data" / "invalid"
    env = {**os.environ, "OMS_LD_DATA_DIR": str(invalid)}
    target = tmp_path / "dump.nt"
    done = subprocess.run([sys.executable, "-m", "oms_ld", "dump", "--format", "nt", "-o", str(target)],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert done.returncode == 1 and "Does not conform" in done.stderr
    assert not target.exists()
