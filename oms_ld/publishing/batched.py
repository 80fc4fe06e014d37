"""Validation in bounded memory, from the store: SHACL compiled to SPARQL, pySHACL in batches for the rest.

Whole-graph pySHACL (validation.py) needs the data as one rdflib graph, which at millions of triples
costs gigabytes. Here the data stays in the store:

* the SHACL Core constraints the shapes use are compiled into SPARQL (shacl_compile.py lists the
  components and paths), one query per (shape, path, component) over all the shape's focus nodes;
* the SHACL-SPARQL constraints run once each, `$this` joined to the shape's targets (shacl_sparql.py);
* a node shape the compiler does not translate is validated with pySHACL, `batch_size` focus nodes at
  a time, each batch against the triples within three steps out of its nodes and one step in (what
  paths, `sh:class`, `sh:node` and qualified shapes reach), fetched with CONSTRUCT; only the results
  about the batch's own nodes are kept. No shape is ignored.

The report lists the same results as whole-graph pySHACL (tests/publishing/test_batched.py checks it
on the planted faults, the published data and synthetic data). Limits: blank-node focus nodes of a
pySHACL-validated shape are not validated; a value typed `xsd:string` is reported as a simple literal
(the store keeps no difference); language tags are lower-cased by the store. Pure: no Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import pyoxigraph as ox
from rdflib import Graph, Node, URIRef
from rdflib.namespace import RDF, SH

from ..errors import QueryError
from ..rdf.serialize import to_rdflib
from ..store import EmbeddedStore
from .shacl_compile import compile_shapes
from .shacl_sparql import rows, run_check, sparql_constraints
from .validation import ValidationReport, Violation, _short, validate_graph

log = logging.getLogger(__name__)
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
#: Out-steps fetched around each focus node (and one step in).
DEPTH = 3


def _targets(store: EmbeddedStore, shapes: Graph, shape: Node) -> set[Node]:
    """The focus nodes of one shape, from the store."""
    found: set[Node] = set(shapes.objects(shape, SH.targetNode))
    queries = [f"SELECT DISTINCT ?f WHERE {{ ?f a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> }}"
               for c in shapes.objects(shape, SH.targetClass)]  # fmt: skip
    queries += [f"SELECT DISTINCT ?f WHERE {{ ?f <{p}> ?o }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    queries += [f"SELECT DISTINCT ?f WHERE {{ ?s <{p}> ?f }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    for query in queries:
        found |= {row["f"] for row in rows(store, query)}
    return found


def _only(shapes: Graph, keep: set[Node]) -> Graph:
    """The shapes without SHACL-SPARQL constraints, and with targets only on the shapes in `keep`."""
    local = Graph()
    for prefix, namespace in shapes.namespaces():
        local.bind(prefix, namespace, override=True, replace=True)
    for triple in shapes:
        if triple[1] != SH.sparql and not (triple[1] in TARGETS and triple[0] not in keep):
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


def validate_store(store: EmbeddedStore, shapes: Graph, ontology: Graph, *, batch_size: int = 2000) -> ValidationReport:
    """Validate the store's default graph (data + ontology) against `shapes`: compiled SPARQL, pySHACL for the rest.

    `batch_size` is the number of focus nodes per pySHACL batch, for the shapes not compiled.
    """
    plan = compile_shapes(shapes)
    found: dict[Node | None, list[Violation]] = {}
    for check in plan.checks:
        if check.root in plan.fallback:
            continue
        try:
            found.setdefault(check.root, []).extend(run_check(store, check))
        except QueryError as exc:  # e.g. a pattern the store's regular expressions do not read: pySHACL decides
            log.warning("shape %s left to pySHACL: %s", check.root, exc)
            plan.fallback.add(check.root or shapes.identifier)
    results = [v for root, violations in found.items() if root not in plan.fallback for v in violations]
    if plan.fallback:
        log.info(
            "validating %d shape(s) with pySHACL in batches: %s", len(plan.fallback), sorted(map(str, plan.fallback))
        )
        results += _batched(store, _only(shapes, plan.fallback), ontology, batch_size)
    results += sparql_constraints(store, shapes)
    results.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(conforms=not results, graph=Graph(), results=tuple(results))


def _batched(store: EmbeddedStore, local: Graph, ontology: Graph, batch_size: int) -> list[Violation]:
    """pySHACL over the neighbourhoods of the focus nodes of `local`'s targeted shapes, `batch_size` at a time.

    Focus nodes that are blank nodes cannot be named in a query, so they are not validated here.
    """
    focus: set[Node] = set()
    for shape in set(local.subjects(RDF.type, SH.NodeShape)) | set(local.subjects(RDF.type, SH.PropertyShape)):
        focus |= _targets(store, local, shape)
    named: list[Node] = sorted((n for n in focus if isinstance(n, URIRef)), key=str)
    results: list[Violation] = []
    for batch in _chunks(named, batch_size):
        mine = {_short(node) for node in batch}
        report = validate_graph(_neighbourhood(store, [URIRef(str(n)) for n in batch]), local, ontology)
        results += [r for r in report.results if r.focus in mine]
    return results
