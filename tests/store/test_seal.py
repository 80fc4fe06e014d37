"""A release store's default graph (EmbeddedStore.seal): the union of the default graphs, blank nodes and all."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from oms_ld.store import embedded
from oms_ld.store.embedded import EmbeddedStore

DATA, ONTOLOGY, SHAPES = (ox.NamedNode(f"http://example.org/graph/{g}") for g in ("data", "ontology", "shapes"))


def test_the_default_graph_is_the_union_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "_CHUNK", 7)  # several chunks per graph
    store = ox.Store(str(tmp_path / "store"))
    p = ox.NamedNode("http://example.org/p")
    for i in range(20):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, ox.BlankNode(f"b{i}"), DATA))
        store.add(ox.Quad(ox.BlankNode(f"b{i}"), p, ox.Literal(str(i)), DATA))
    for i in range(9):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/c{i}"), p, ox.Literal("c"), ONTOLOGY))
    store.add(ox.Quad(ox.NamedNode("http://example.org/s0"), p, ox.BlankNode("b0"), ONTOLOGY))  # in both
    store.add(ox.Quad(ox.NamedNode("http://example.org/shape"), p, ox.Literal("no"), SHAPES))
    EmbeddedStore.seal(store, [DATA.value, ONTOLOGY.value])
    own = [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    union = {q.triple for g in (DATA, ONTOLOGY) for q in store.quads_for_pattern(None, None, None, g)}
    assert len(own) == len(set(own)) == len(union) == 49 and set(own) == union
    # The same blank nodes: a default-graph pattern joins a named graph's on them.
    joined = store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?b . GRAPH <http://example.org/graph/data> { ?b ?q ?o } }")
    assert isinstance(joined, ox.QuerySolutions)
    assert next(iter(joined))["n"].value == "20"


@pytest.mark.parametrize("blank", [False, True])
def test_from_files_the_default_graph_is_the_same(tmp_path: Path, blank: bool) -> None:
    """Without blank nodes the files are loaded again (faster); with them the quads are copied: the same graph."""
    data, ontology = tmp_path / "data.ttl", tmp_path / "ontology.ttl"
    obj = "[ <http://example.org/q> 1 ]" if blank else "<http://example.org/o>"
    data.write_text("".join(f"<http://example.org/s{i}> <http://example.org/p> {obj} .\n" for i in range(10)))
    ontology.write_text('<http://example.org/C> <http://example.org/label> "c" .\n')
    store = ox.Store(str(tmp_path / "store"))
    store.bulk_load(path=str(data), format=ox.RdfFormat.TURTLE, to_graph=DATA)
    store.bulk_load(path=str(ontology), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY)
    EmbeddedStore.seal(store, [DATA.value, ONTOLOGY.value], [data, ontology])
    own = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    union = {q.triple for g in (DATA, ONTOLOGY) for q in store.quads_for_pattern(None, None, None, g)}
    assert own == union and len(own) == (21 if blank else 11)
