"""Validation in bounded memory: focus nodes in batches, each with the part of the graph its shapes read.

Whole-graph pySHACL (validation.py) needs the data as one rdflib graph, which at millions of triples
costs gigabytes. Here the data stays in the store:

* the focus nodes of every shape (`sh:targetClass` with `rdfs:subClassOf*`, `sh:targetNode`,
  `sh:targetSubjectsOf`, `sh:targetObjectsOf`) are found with SPARQL;
* they are validated `batch_size` at a time, each batch against the triples within three steps out
  of its nodes and one step in (what the shapes' paths, `sh:class`, `sh:node` and qualified shapes
  reach), fetched with CONSTRUCT; only the results about the batch's own nodes are kept;
* the SHACL-SPARQL constraints, which are cross-checks over the whole graph, run as SPARQL over the
  store for each of their focus nodes, with their messages filled in as pySHACL does.

The report lists the same results as whole-graph pySHACL (tests/publishing/test_batched.py checks it
on the planted faults and on synthetic data). Pure: no Flask.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, SH

from ..rdf.serialize import to_rdflib
from ..store import EmbeddedStore
from .validation import ValidationReport, Violation, _english, _short, validate_graph

#: Out-steps fetched around each focus node (and one step in).
DEPTH = 3


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        datatype = None if term.language else URIRef(term.datatype.value)
        return Literal(term.value, lang=term.language, datatype=datatype)
    raise TypeError(f"unexpected term {term!r}")


def _select(store: EmbeddedStore, sparql: str) -> list[dict[str, Node]]:
    result = store.query(sparql)
    assert result.solutions is not None
    names = [v.value for v in result.solutions.variables]
    return [{n: _term(row[n]) for n in names if row[n] is not None} for row in result.solutions]


def _targets(store: EmbeddedStore, shapes: Graph, shape: Node) -> set[Node]:
    """The focus nodes of one shape, from the store."""
    found: set[Node] = set(shapes.objects(shape, SH.targetNode))
    queries = [f"SELECT DISTINCT ?f WHERE {{ ?f a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> }}"
               for c in shapes.objects(shape, SH.targetClass)]  # fmt: skip
    queries += [f"SELECT DISTINCT ?f WHERE {{ ?f <{p}> ?o }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    queries += [f"SELECT DISTINCT ?f WHERE {{ ?s <{p}> ?f }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    for query in queries:
        found |= {row["f"] for row in _select(store, query)}
    return found


def _without_sparql(shapes: Graph) -> Graph:
    """The shapes without their SHACL-SPARQL constraints (those run over the store instead)."""
    local = Graph()
    for prefix, namespace in shapes.namespaces():
        local.bind(prefix, namespace, override=True, replace=True)
    for triple in shapes:
        if triple[1] != SH.sparql:
            local.add(triple)
    return local


def _neighbourhood(store: EmbeddedStore, batch: Sequence[URIRef]) -> Graph:
    """The triples up to DEPTH steps out of `batch` and one step in, as one rdflib graph."""
    values = "VALUES ?n0 { " + " ".join(f"<{node}>" for node in batch) + " }"
    triples: list[ox.Triple] = []
    for depth in range(DEPTH):
        chain = " ".join(f"?n{i} ?p{i} ?n{i + 1} ." for i in range(depth))
        query = f"CONSTRUCT {{ ?n{depth} ?p ?o }} WHERE {{ {values} {chain} ?n{depth} ?p ?o }}"
        triples += store.query(query).triples or []
    triples += store.query(f"CONSTRUCT {{ ?i ?p ?n0 }} WHERE {{ {values} ?i ?p ?n0 }}").triples or []
    return to_rdflib(triples)


def _chunks(nodes: list[Node], size: int) -> Iterator[list[Node]]:
    for start in range(0, len(nodes), size):
        yield nodes[start : start + size]


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for declared in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declared, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _sparql_results(store: EmbeddedStore, shapes: Graph) -> list[Violation]:
    """The SHACL-SPARQL constraints, evaluated over the store for each focus node of their shape."""
    found: list[Violation] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if shapes.value(constraint, SH.deactivated) == Literal(True):
            continue
        severity = shapes.value(shape, SH.severity) or SH.Violation
        select = str(shapes.value(constraint, SH.select))
        template = _english([m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)])
        for focus in sorted(_targets(store, shapes, shape), key=str):
            query = _prefixes(shapes, constraint) + "\n" + select.replace("$this", focus.n3())
            for row in _select(store, query):
                value = row.get("value", focus)
                message = str(template).replace("{?value}", _short(value)).replace("{$this}", _short(focus)) \
                    if template is not None else "(no message)"  # fmt: skip
                path = row.get("path")
                found.append(Violation(focus=_short(focus), path=_short(path), value=_short(value), message=message,
                                       severity=_short(severity).removeprefix("sh:")))  # fmt: skip
    return found


def validate_store(store: EmbeddedStore, shapes: Graph, ontology: Graph, *, batch_size: int = 2000) -> ValidationReport:
    """Validate the store's default graph (data + ontology) against `shapes`, `batch_size` focus nodes at a time.

    Focus nodes that are blank nodes cannot be named in a query, so they are not validated here (a
    limitation: the data here has no blank nodes; whole-graph validation remains for data that has).
    """
    local = _without_sparql(shapes)
    focus: set[Node] = set()
    for shape in set(local.subjects(RDF.type, SH.NodeShape)) | set(local.subjects(RDF.type, SH.PropertyShape)):
        focus |= _targets(store, local, shape)
    named: list[Node] = sorted((n for n in focus if isinstance(n, URIRef)), key=str)
    results: list[Violation] = []
    for batch in _chunks(named, batch_size):
        mine = {_short(node) for node in batch}
        report = validate_graph(_neighbourhood(store, [URIRef(str(n)) for n in batch]), local, ontology)
        results += [r for r in report.results if r.focus in mine]
    results += _sparql_results(store, shapes)
    results.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(conforms=not results, graph=Graph(), results=tuple(results))
