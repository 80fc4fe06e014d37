"""Batched validation over the store reports exactly what whole-graph pySHACL reports (issue #11)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from oms_ld.config import load_settings
from oms_ld.publishing.batched import validate_store
from oms_ld.publishing.validation import validate_graph
from oms_ld.rdf.formats import PARSE_FORMATS
from oms_ld.rdf.sources import Sources, load_sources, parse_files
from oms_ld.store import EmbeddedStore

from ..conftest import FIXTURES, URIS

INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def sources() -> Sources:
    return load_sources(load_settings())


def store_of(files: list[Path], sources: Sources) -> EmbeddedStore:
    store = ox.Store()
    for group, paths in (("data", files), ("ontology", list(sources.files["ontology"]))):
        into = ox.NamedNode(URIS.graphs[group])
        for path in paths:
            store.bulk_load(path=str(path), format=PARSE_FORMATS[path.suffix], to_graph=into)
    return EmbeddedStore(store, version="test", default_graphs=list(URIS.default_graphs), max_rows=10**9)


def same(files: list[Path], sources: Sources, batch_size: int) -> None:
    whole = validate_graph(parse_files(files), sources.shapes, sources.ontology)
    view = store_of(files, sources)
    try:
        batched = validate_store(view, sources.shapes, sources.ontology, batch_size=batch_size)
    finally:
        view.close()
    assert batched.conforms == whole.conforms
    assert batched.results == whole.results


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_each_planted_fault_is_reported_as_whole_graph_pyshacl_reports_it(path: Path, sources: Sources) -> None:
    same([path], sources, batch_size=3)


def test_the_published_data_conforms_in_batches_too(sources: Sources) -> None:
    same(list(sources.files["data"]), sources, batch_size=50)


def test_synthetic_data_in_batches(tmp_path: Path, sources: Sources) -> None:
    from benchmarks import generate

    generate.write(3000, tmp_path)
    same(sorted(tmp_path.iterdir()), sources, batch_size=400)
