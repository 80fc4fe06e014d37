"""VoID statistics, partitions, linksets and examples, computed with SPARQL through the store.

Counted over the distinct triples of the default graph (data + ontology), so a remote store answers
the same as the embedded one. Pure: no Flask.
"""

from __future__ import annotations

import hashlib
import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS, VOID, XSD

from ..rdf.namespaces import NUTS, OMS, PREFIXES, WD, sparql_prologue
from ..rdf.uris import UriPolicy
from ..store import Store, select_rows

EXAMPLES = ("region/stockholm", "node-city/uppsala", "strategy/oms-2050")
#: External datasets our links point into: (slug, predicate, target dataset, its IRI prefix, title, homepage).
LINKSETS = (
    ("wikidata-same-as", OWL.sameAs, URIRef(str(WD)), str(WD), "Wikidata", "https://www.wikidata.org/"),
    ("wikidata-close-match", SKOS.closeMatch, URIRef(str(WD)), str(WD), "Wikidata", "https://www.wikidata.org/"),
    ("wikidata-related", SKOS.related, URIRef(str(WD)), str(WD), "Wikidata", "https://www.wikidata.org/"),
    ("nuts", OMS.nuts3Region, URIRef("http://data.europa.eu/nuts"), str(NUTS),
     "NUTS – Nomenclature of territorial units for statistics", "https://ec.europa.eu/eurostat/web/nuts"),
)  # fmt: skip


def rows(store: Store, sparql: str) -> list[dict[str, str]]:
    """SELECT rows (with every prefix declared) as {variable: lexical value}."""
    return select_rows(store, sparql_prologue() + sparql)


def _count(store: Store, sparql: str) -> int:
    return int(rows(store, sparql)[0].get("n", "0"))


def namespace_of(iri: str) -> str:
    """The namespace part of `iri`: up to the last `#`, else up to the last `/`."""
    cut = iri.rfind("#") if "#" in iri else iri.rfind("/")
    return iri[: cut + 1]


_PREFIX_OF = {namespace: prefix for prefix, namespace in PREFIXES.items()}


def slug(iri: str) -> str:
    """A path-safe name for a class or property: `oms:NodeCity` → `oms-node-city`."""
    namespace = namespace_of(iri)
    prefix = _PREFIX_OF.get(namespace) or "ns-" + hashlib.sha256(namespace.encode()).hexdigest()[:8]
    local = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", iri[len(namespace) :])
    return re.sub(r"[^a-z0-9]+", "-", f"{prefix}-{local}".lower()).strip("-")


def _partitions(g: Graph, u: UriPolicy, rows: list[dict[str, str]], kind: str) -> int:
    """Class (kind "class") or property partitions from rows of (?x, ?n); returns how many."""
    link, term, stat = {
        "class": (VOID.classPartition, VOID["class"], VOID.entities),
        "property": (VOID.propertyPartition, VOID.property, VOID.triples),
    }[kind]
    used: set[str] = set()
    for row in sorted(rows, key=lambda r: r["x"]):
        name = slug(row["x"])
        while name in used:
            name += "-x"
        used.add(name)
        part = URIRef(f"{u.dataset}/{kind}/{name}")
        g.add((u.dataset, link, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, term, URIRef(row["x"])))
        g.add((part, stat, Literal(int(row["n"]), datatype=XSD.integer)))
    return len(rows)


def _statistics(g: Graph, store: Store, u: UriPolicy) -> None:
    """VoID statistics, partitions and vocabularies, counted over distinct triples of the default graph."""
    distinct = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    totals = rows(store, "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
                          f"(COUNT(DISTINCT ?o) AS ?objects) WHERE {distinct}")[0]  # fmt: skip
    entities = _count(store, f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && '
                             f'STRSTARTS(STR(?s), "{u.id}")) }}')  # fmt: skip
    classes = rows(store, "SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?x FILTER(isIRI(?x)) } GROUP BY ?x")
    properties = rows(store, "SELECT ?x (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s (?p AS ?x) ?o WHERE "
                              "{ ?s ?p ?o } } GROUP BY ?x")  # fmt: skip
    for prop, value in ((VOID.triples, totals["triples"]), (VOID.distinctSubjects, totals["subjects"]),
                        (VOID.distinctObjects, totals["objects"]), (VOID.entities, entities),
                        (VOID.classes, _partitions(g, u, classes, "class")),
                        (VOID.properties, _partitions(g, u, properties, "property"))):  # fmt: skip
        g.add((u.dataset, prop, Literal(int(value), datatype=XSD.integer)))
    for namespace in sorted({namespace_of(row["x"]) for row in (*classes, *properties)}):
        g.add((u.dataset, VOID.vocabulary, URIRef(namespace)))


def _linksets(g: Graph, store: Store, u: UriPolicy) -> None:
    """One void:Linkset per external target and link predicate that the data uses."""
    for name, predicate, target, prefix, title, homepage in LINKSETS:
        n = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{predicate}> ?o "
                          f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{prefix}")) }} }}')  # fmt: skip
        if not n:
            continue
        linkset = URIRef(f"{u.dataset}/linkset/{name}")
        g.add((u.dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, u.dataset))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.linkPredicate, predicate))
        g.add((linkset, VOID.triples, Literal(n, datatype=XSD.integer)))
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, DCTERMS.title, Literal(title, lang="en")))
        g.add((target, FOAF.homepage, URIRef(homepage)))
        g.add((target, VOID.uriSpace, Literal(prefix)))


def _examples(g: Graph, store: Store, u: UriPolicy) -> None:
    """void:exampleResource for each example the store knows about."""
    values = " ".join(f"<{u.id[path]}>" for path in EXAMPLES)
    for row in rows(store, f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} FILTER EXISTS {{ ?x ?p ?o }} }}"):
        g.add((u.dataset, VOID.exampleResource, URIRef(row["x"])))


def describe_void(g: Graph, store: Store, u: UriPolicy) -> None:
    """Add the dataset's VoID statistics, partitions, vocabularies, linksets and examples to `g`."""
    _statistics(g, store, u)
    _linksets(g, store, u)
    _examples(g, store, u)
