"""Releases (issue #11): built once, idempotent, gated by validation, switched atomically, shared read-only."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oms_ld import create_app
from oms_ld.cli import main
from oms_ld.config import Settings, load_settings
from oms_ld.errors import ValidationFailed
from oms_ld.publishing.build import build_release
from oms_ld.publishing.dumps import build_dumps
from oms_ld.publishing.release import CURRENT, MANIFEST, current_release, list_releases, prune
from oms_ld.publishing.validation import validate_graph
from oms_ld.rdf.sources import load_sources, parse_files
from oms_ld.rdf.uris import UriPolicy

from ..conftest import FIXTURES, URIS


def settings(root: Path, **more: Any) -> Settings:
    return load_settings({"RELEASES_DIR": str(root), "CACHE_DIR": str(root / "cache"), **more})


def test_building_twice_is_a_no_op(tmp_path: Path) -> None:
    config = settings(tmp_path)
    first = build_release(config)
    assert first.built and (first.release.path / MANIFEST).is_file()
    stamps = {p: p.stat().st_mtime_ns for p in first.release.path.rglob("*")}
    again = build_release(config)
    assert not again.built and again.release.path == first.release.path
    assert stamps == {p: p.stat().st_mtime_ns for p in first.release.path.rglob("*")}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build-")]


def test_the_command_says_when_there_is_nothing_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_LD_RELEASES_DIR", str(tmp_path))
    runner = CliRunner()
    first = runner.invoke(main, ["build"])
    assert first.exit_code == 0 and "built in" in first.output, first.output
    second = runner.invoke(main, ["build"])
    assert second.exit_code == 0 and "already built: nothing to do" in second.output


def test_the_files_are_the_bytes_served_today(tmp_path: Path) -> None:
    """Each dump file is byte for byte the in-memory dump, and the manifest's sizes and digests are its own."""
    config = settings(tmp_path)
    release = build_release(config).release
    today = build_dumps(load_sources(config), config.release_date, UriPolicy(config.base_iri))
    for name, dump in today.items():
        built = release.dumps[name]
        assert built.path is not None and built.path.read_bytes() == dump.body, name
        assert (built.sha256, built.size) == (hashlib.sha256(dump.body).hexdigest(), len(dump.body))
    assert {n for n in release.dumps if n.endswith(".csv")}  # the code crosswalk is in it too
    assert release.graph_sizes and all(size > 0 for size in release.graph_sizes.values())


@pytest.mark.parametrize("validator", ["store", "pyshacl"])
def test_a_release_that_does_not_conform_never_replaces_the_current_one(tmp_path: Path, validator: str) -> None:
    good = build_release(settings(tmp_path, VALIDATOR=validator)).release
    bad = settings(tmp_path, DATA_DIR=str(FIXTURES / "invalid"), VALIDATOR=validator)
    with pytest.raises(ValidationFailed):
        build_release(bad)
    assert (tmp_path / CURRENT).resolve() == good.path
    assert [r.path for r in list_releases(bad)] == [good.path]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    result = CliRunner().invoke(main, ["build"], env={"OMS_LD_RELEASES_DIR": str(tmp_path),
                                                      "OMS_LD_VALIDATOR": validator,
                                                      "OMS_LD_DATA_DIR": str(FIXTURES / "invalid")})  # fmt: skip
    assert result.exit_code == 1 and "current release is unchanged" in result.output
    assert (tmp_path / CURRENT).resolve() == good.path


def test_a_server_on_release_a_keeps_answering_while_b_is_built_and_switched(tmp_path: Path) -> None:
    config_a = settings(tmp_path, TESTING=True, KEEP_RELEASES=1)
    app = create_app(config_a)
    try:
        client = app.test_client()
        before = client.get("/download/oms-ld-latest.nt").data
        a = current_release(config_a)
        assert a is not None
        b = build_release(config_a.replace(release_date="2026-12-24")).release
        assert current_release(config_a) == b and (tmp_path / CURRENT).resolve() == b.path
        # A is held by the app that serves it: pruning down to one release leaves it in place.
        assert a.path.is_dir() and not prune(config_a, 1)
        assert client.get("/download/oms-ld-latest.nt").data == before
        assert client.get("/download/oms-ld-2026-11-26.nt").status_code == 200
        answer = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                            headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert answer.status_code == 200 and json.loads(answer.data)["boolean"] is True
    finally:
        app.extensions["oms_ld"].store.close()
    newer = create_app(config_a.replace(release_date="2026-12-24"))
    try:
        assert newer.test_client().get("/download/oms-ld-2026-12-24.nt").status_code == 200
    finally:
        newer.extensions["oms_ld"].store.close()


def test_the_app_opens_the_release_store_read_only(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, TESTING=True))
    try:
        store = app.extensions["oms_ld"].store
        release = app.extensions["oms_ld"].release
        assert store.path == release.store_path
        assert store.graph_sizes() == release.graph_sizes
    finally:
        app.extensions["oms_ld"].store.close()


def test_the_release_store_s_default_graph_is_the_data_and_ontology(tmp_path: Path) -> None:
    """Its own default graph holds the union (queried instead of the two graphs), answering as the union does."""
    import pyoxigraph as ox

    from oms_ld.publishing.release import LAYOUT

    built = build_release(settings(tmp_path))
    assert built.release.manifest["versions"]["layout"] == str(LAYOUT) == "2"
    raw = ox.Store.read_only(built.release.store_path)
    union = {q.triple for g in URIS.default_graphs for q in raw.quads_for_pattern(None, None, None, ox.NamedNode(g))}
    own = [q.triple for q in raw.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    assert set(own) == union and len(own) == len(union) > 0
    app = create_app(settings(tmp_path, TESTING=True))
    try:
        store = app.extensions["oms_ld"].store
        assert store.merged_default
        query = "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
        rows = [(r["c"].value, r["n"].value) for r in store.query(query, timeout=10).solutions]
        named = [ox.NamedNode(g) for g in URIS.default_graphs]
        assert rows == [(r["c"].value, r["n"].value) for r in raw.query(query, default_graph=named)] and rows
    finally:
        app.extensions["oms_ld"].store.close()


def test_dated_releases_form_a_version_chain(tmp_path: Path, reference: Path) -> None:
    """B links back to A (DCAT 3 versions), A's dated files stay downloadable from B, DCAT-AP still holds."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS

    from oms_ld.publishing.versions import HAS_CURRENT_VERSION, HAS_VERSION, IS_VERSION_OF, PREVIOUS_VERSION, VERSION

    from .test_dataset import DCAT_AP, SE_FORMAT, catalog, results, shapes

    config = settings(tmp_path, TESTING=True, KEEP_RELEASES=3)
    a = build_release(config).release
    app = create_app(config.replace(release_date="2026-12-24"))
    try:
        client = app.test_client()
        meta = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
        dataset = URIRef(URIS.dataset)
        old, new = URIRef(f"{dataset}-2026-11-26"), URIRef(f"{dataset}-2026-12-24")
        assert set(meta.objects(dataset, HAS_VERSION)) == {old, new}
        assert meta.value(dataset, HAS_CURRENT_VERSION) == new
        assert meta.value(new, PREVIOUS_VERSION) == old and meta.value(old, PREVIOUS_VERSION) is None
        assert meta.value(new, IS_VERSION_OF) == dataset and meta.value(new, VERSION) == Literal("2026-12-24")
        assert meta.value(new, URIRef("http://www.w3.org/ns/adms#versionNotes")) is not None
        old_file = URIRef(f"{URIS.base}download/oms-ld-2026-11-26.ttl")
        assert old_file in set(meta.objects(None, URIRef("http://www.w3.org/ns/dcat#downloadURL")))
        served = client.get("/download/oms-ld-2026-11-26.ttl")
        assert served.status_code == 200 and served.data == a.dumps["oms-ld-2026-11-26.ttl"].body
        assert "oms-ld-2026-11-26.ttl" in client.get("/download/", headers={"Accept": "text/plain"}).text
        assert client.get("/doc/dataset/oms-ld-2026-11-26", headers={"Accept": "text/turtle"}).status_code == 200
        assert meta.value(old, DCTERMS.issued) == Literal("2026-11-26", datatype=URIRef(
            "http://www.w3.org/2001/XMLSchema#date"))  # fmt: skip
        found = results(catalog(client, DCAT_AP.token), shapes(reference, "shapes.ttl", "range.ttl"))
        assert [r for r in found if r[0] == "Violation"] == []
        se = results(catalog(client, "dcat-ap-se"), shapes(reference, "shapes.ttl", "range.ttl"))
        assert all(p == str(DCTERMS.format) and SE_FORMAT.match(v) for s, _, p, v in se if s == "Violation")
    finally:
        app.extensions["oms_ld"].store.close()


def test_a_batched_validation_gates_the_build_too(tmp_path: Path) -> None:
    """The default validator checks the store being compiled, in batches; a fault still refuses the release."""
    good = build_release(settings(tmp_path, VALIDATION_BATCH_SIZE=100))
    assert good.built and "Conforms" in (good.release.path / "report.txt").read_text()
    bad = settings(tmp_path, DATA_DIR=str(FIXTURES / "invalid"), VALIDATION_BATCH_SIZE=5)
    with pytest.raises(ValidationFailed) as refused:
        build_release(bad)
    whole = validate_graph(parse_files(sorted((FIXTURES / "invalid").glob("*.ttl"))), *_graphs(bad))
    # Shape paths that are blank nodes get other labels in the process that built the release.
    anonymous = re.compile(r"_:\w+")

    def seen(results: Any) -> list[tuple[str, ...]]:
        return sorted((r.focus, anonymous.sub("_:b", r.path), r.value, r.message, r.severity) for r in results)

    assert seen(refused.value.report.results) == seen(whole.results)
    assert (tmp_path / CURRENT).resolve() == good.release.path
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build-")]


def _graphs(config: Settings) -> tuple[Any, Any]:
    sources = load_sources(config)
    return sources.shapes, sources.ontology


def test_dump_files_are_sent_from_disk_with_ranges_and_validators(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from oms_ld.web import downloads

    monkeypatch.setattr(downloads, "SMALL_FILE", 0)  # every file streamed from disk, as big ones are
    app = create_app(settings(tmp_path, TESTING=True))
    try:
        client = app.test_client()
        dump = app.extensions["oms_ld"].dumps["oms-ld-latest.nt"]
        with client.get("/download/oms-ld-latest.nt", headers={"Range": "bytes=0-99"}) as part:
            assert part.status_code == 206 and part.data == dump.body[:100]
            assert part.headers["Content-Range"] == f"bytes 0-99/{dump.size}"
        with client.get("/download/oms-ld-latest.nt", headers={"Accept-Encoding": "identity"}) as whole:
            assert whole.status_code == 200 and whole.data == dump.body
            assert whole.headers["ETag"] == f'"{dump.sha256}"'
            assert whole.headers["Content-Type"] == dump.content_type
            assert whole.headers["Access-Control-Allow-Origin"] == "*"
        with client.get("/download/oms-ld-latest.nt", headers={"If-None-Match": f'"{dump.sha256}"',
                                                                "Accept-Encoding": "identity"}) as again:  # fmt: skip
            assert again.status_code == 304
        with client.get("/download/oms-ld-latest.nt", headers={"Accept-Encoding": "gzip"}) as packed:
            assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["ETag"] == f'"{dump.sha256}-gzip"'
    finally:
        app.extensions["oms_ld"].store.close()
