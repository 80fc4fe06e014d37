"""Batched validation over the store reports exactly what whole-graph pySHACL reports (issue #11)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from oms_ld.config import load_settings
from oms_ld.publishing.batched import validate_store
from oms_ld.publishing.shacl_compile import compile_shapes
from oms_ld.publishing.validation import ValidationReport, validate_graph
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


def same(files: list[Path], sources: Sources, batch_size: int, shapes: Graph | None = None) -> ValidationReport:
    """Assert that validating `files` from the store reports exactly what whole-graph pySHACL reports."""
    shapes = sources.shapes if shapes is None else shapes
    whole = validate_graph(parse_files(files), shapes, sources.ontology)
    view = store_of(files, sources)
    try:
        batched = validate_store(view, shapes, sources.ontology, batch_size=batch_size)
    finally:
        view.close()
    assert batched.conforms == whole.conforms
    assert sorted(batched.results, key=repr) == sorted(whole.results, key=repr)
    return whole


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_each_planted_fault_is_reported_as_whole_graph_pyshacl_reports_it(path: Path, sources: Sources) -> None:
    same([path], sources, batch_size=3)


def test_the_published_data_conforms_in_batches_too(sources: Sources) -> None:
    same(list(sources.files["data"]), sources, batch_size=50)


def test_the_valid_fixtures_conform_from_the_store_too(sources: Sources) -> None:
    same(sorted((FIXTURES / "valid").glob("*.ttl")), sources, batch_size=50)


def test_the_published_shapes_compile_entirely_to_sparql(sources: Sources) -> None:
    """Every shape of shapes/ runs as SPARQL over the store; none is left to pySHACL's batches."""
    plan = compile_shapes(sources.shapes)
    assert plan.fallback == set()
    assert len(plan.checks) > 50


#: Faults planted into synthetic data (triples added to what benchmarks.generate writes).
PLANTED = """
@prefix oms: <https://w3id.org/oms-ld/def/oms#> . @prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> . @base <https://w3id.org/oms-ld/synthetic/id/> .
<municipality/kommun-3000> oms:municipalityCode "3001" .
<place/ort-000001> owl:sameAs <https://example.org/ort-1> ; rdfs:label "Ort 1 (test)"@sv ;
    geo:hasGeometry <place/ort-000001-far> .
<place/ort-000001-far> a geo:Geometry ; geo:asWKT "POINT(2.35 48.85)"^^geo:wktLiteral .
<municipality/kommun-3100> a oms:Municipality ; rdfs:label "Kommun 3100"@sv , "Municipality 3100"@en ;
    oms:municipalityCode "3100" ; oms:county <county/lan-30> ; dct:source <source/benchmarks-generate> .
<county/lan-30> oms:countyCode "3" .
"""


def test_synthetic_data_with_planted_faults(tmp_path: Path, sources: Sources) -> None:
    from benchmarks import generate

    generate.write(3000, tmp_path)
    (tmp_path / "planted.ttl").write_text(PLANTED, encoding="utf-8")
    whole = same(sorted(tmp_path.iterdir()), sources, batch_size=400)
    assert len(whole.results) >= 7  # every planted fault is reported (the same way by both)


def test_shapes_not_compiled_fall_back_to_pyshacl(tmp_path: Path, sources: Sources) -> None:
    """A component the compiler does not translate (sh:minLength) is validated by pySHACL, never skipped."""
    extra = """
    @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix oms: <https://w3id.org/oms-ld/def/oms#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <urn:x:LongLabels> a sh:NodeShape ; sh:targetClass oms:County ;
        sh:property [ sh:path rdfs:label ; sh:minLength 40 ] .
    """
    shapes = Graph()
    shapes += sources.shapes
    shapes.parse(data=extra, format="turtle")
    assert compile_shapes(shapes).fallback == {URIRef("urn:x:LongLabels")}
    faulty = sources.files["data"]
    whole = same(list(faulty), sources, batch_size=50, shapes=shapes)
    assert whole.results  # the fallback shape found the short labels
