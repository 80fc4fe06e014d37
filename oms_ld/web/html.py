"""HTML pages: RDF terms as display values, and the resource, ontology and shapes views.

Everything here except `render_resource` is plain data preparation over rdflib graphs and strings;
the templates receive finished values and only lay them out (Jinja autoescapes every value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import cast

from flask import render_template
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from ..publishing.examples import permalink
from ..publishing.publication import INCOMING_MAX, Site
from ..rdf.formats import RDF_FORMATS
from ..rdf.kinds import Kinds, listing_key
from ..rdf.labels import Labels, local_name, prefixed_name
from ..rdf.namespaces import GEO, OMS, sparql_prologue
from ..rdf.queries import iri_ref, pointing_through
from ..rdf.uris import href as href_for
from .i18n import ui
from .nodemap import node_city_map

#: The properties shown under "Provenance" rather than with the other facts.
PROVENANCE = (DCTERMS.source, PROV.wasDerivedFrom, PROV.wasAttributedTo)
#: Shown first, in this order; the rest follow alphabetically by their label.
FIRST = [str(p) for p in (SH.path, RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title, DCTERMS.alternative,
                          DCTERMS.description, RDFS.comment)]  # fmt: skip
#: "Referred to by" lists at most this many things per property; the rest are counted, and a query lists them.
REFERRED_MAX = 100


def labels_for(site: Site) -> Labels:
    """The ontology's and vocabularies' labels, and the data's labels of IRIs outside the base (from the store)."""
    return site.names.known()


@dataclass(frozen=True)
class Value:
    """One displayable RDF term: text, an optional link, and a literal's language tag or datatype."""

    text: str
    href: str | None = None
    external: bool = False
    lang: str = ""
    datatype: str = ""
    iri: str = ""
    qname: str = ""
    code: bool = False
    #: What kind of thing the IRI is ("storregional nodstad"), shown when another thing has the same name.
    kind: str = ""
    #: The element id of this value: the fragment of a hash IRI on the page's thing (…/x#contact).
    anchor: str = ""


@dataclass
class Row:
    """A property with its values."""

    prop: Value
    values: list[Value] = field(default_factory=list)
    #: How many more values there are than shown, and the query page that lists them all.
    more: int = 0
    query: str = ""


def compact(graph: Graph, node: Node, depth: int = 0) -> str:
    """Turtle-like text for a term, expanding blank nodes and lists (for SHACL parameters)."""
    if isinstance(node, URIRef):
        return prefixed_name(str(node)) or f"<{node}>"
    if isinstance(node, Literal):
        return str(node) if node.datatype else f'"{node}"' + (f"@{node.language}" if node.language else "")
    if depth > 3:
        return "[ … ]"
    if (node, RDF.first, None) in graph:
        return "( " + " ".join(compact(graph, item, depth + 1) for item in Collection(graph, node)) + " )"
    pairs = sorted(graph.predicate_objects(node))
    inner = " ; ".join(f"{compact(graph, p)} {compact(graph, o, depth + 1)}" for p, o in pairs)
    return f"[ {inner} ]"


def term_value(node: Node, labels: Labels, lang: str, base: str, graph: Graph | None = None) -> Value:
    """A display value for an RDF term: IRIs get their label and a link, literals keep their tag."""
    if isinstance(node, Literal):
        datatype = ""
        if node.datatype is not None and node.datatype != XSD.string:
            datatype = prefixed_name(str(node.datatype)) or str(node.datatype)
        return Value(str(node), lang=node.language or "", datatype=datatype)
    if isinstance(node, BNode):
        return Value(compact(graph, node) if graph is not None else "[ ]", code=True)
    iri = str(node)
    href, external = href_for(iri, base)
    return Value(labels.label(iri, lang), href=href, external=external, iri=iri, qname=labels.prefixed(iri) or "")


def rows(
    pairs: Iterable[tuple[Node, Node]], labels: Labels, lang: str, base: str, graph: Graph | None = None
) -> list[Row]:
    """Group (property, value) pairs into rows: the usual naming properties first, then by label."""
    grouped: dict[str, Row] = {}
    for prop, obj in pairs:
        row = grouped.setdefault(str(prop), Row(term_value(prop, labels, lang, base)))
        row.values.append(term_value(obj, labels, lang, base, graph))
    for row in grouped.values():
        row.values.sort(key=lambda v: (0 if v.lang in ("", lang) else 1, v.text.casefold()))

    def order(row: Row) -> tuple[int, str]:
        return (FIRST.index(row.prop.iri) if row.prop.iri in FIRST else len(FIRST), row.prop.text.casefold())

    return sorted(grouped.values(), key=order)


def in_lang(graph: Graph, subject: Node, props: Iterable[URIRef], lang: str) -> str:
    """The first literal of `props` on `subject` in `lang` (empty when there is none)."""
    for prop in props:
        found = sorted(str(o) for o in graph.objects(subject, prop) if isinstance(o, Literal) and o.language == lang)
        if found:
            return found[0]
    return ""


def split_properties(graph: Graph, thing: URIRef, base: str) -> dict[str, list[tuple[Node, Node]]]:
    """The thing's own triples sorted into the page's sections."""
    sections: dict[str, list[tuple[Node, Node]]] = {"types": [], "facts": [], "refers_to": [], "external": [],
                                                     "provenance": []}  # fmt: skip
    for prop, obj in graph.predicate_objects(thing):
        if prop == RDF.type:
            section = "types"
        elif prop in PROVENANCE:
            section = "provenance"
        elif isinstance(obj, Literal):
            section = "facts"
        else:
            section = "refers_to" if str(obj).startswith(base) else "external"
        sections[section].append((prop, obj))
    return sections


def with_kinds(found: list[Row], kinds: Kinds, labels: Labels, lang: str) -> list[Row]:
    """`found` with the kind beside every linked name that another thing shares, numbered things in order."""
    for row in found:
        row.values = [replace(v, kind=kinds.beside(v.iri, v.text, labels, lang)) if v.iri else v for v in row.values]
        if any(v.iri in kinds.ordinals for v in row.values):
            row.values.sort(key=lambda v: listing_key(v.iri, v.text, kinds.ordinals))
    return found


def anchor_hash_iris(found: list[Row], thing: str, taken: set[str]) -> None:
    """Give the first value that is a hash IRI on `thing` (…/x#contact) its fragment as element id,
    so a link to the hash IRI lands on it (fragments in `taken` have their element elsewhere)."""
    used = set(taken)
    for row in found:
        for i, v in enumerate(row.values):
            fragment = v.iri[len(thing) + 1 :] if v.iri.startswith(thing + "#") else ""
            if fragment and fragment not in used:
                used.add(fragment)
                row.values[i] = replace(v, anchor=fragment)


def referred(graph: Graph, thing: str, base: str, limit: int | None = None,
             counts: Mapping[str, int] | None = None) -> tuple[list[tuple[Node, Node]], dict[str, int]]:  # fmt: skip
    """(property, subject) of the triples pointing at `thing`, at most `limit` (REFERRED_MAX) per property, the
    first by IRI, and how many each property leaves out (`counts`: how many the store holds per property,
    of which the document graph holds the first INCOMING_MAX)."""
    limit = REFERRED_MAX if limit is None else limit
    counts = counts or {}
    subject = URIRef(thing)
    doc = URIRef(thing.replace(f"{base}id/", f"{base}doc/", 1))
    by_prop: dict[Node, list[Node]] = {}
    for s, p in graph.subject_predicates(subject):
        if s not in (doc, subject):
            by_prop.setdefault(p, []).append(s)
    pairs: list[tuple[Node, Node]] = []
    more: dict[str, int] = {}
    for prop, subjects in by_prop.items():
        outside = max(0, counts.get(str(prop), 0) - INCOMING_MAX)  # in the store, not in the document
        if len(subjects) > limit or outside:
            more[str(prop)] = max(0, len(subjects) - limit) + outside
            subjects = sorted(subjects, key=str)[:limit]
        pairs += [(prop, s) for s in subjects]
    return pairs, more


def page_iris(graph: Graph, thing: str, pointing: list[tuple[Node, Node]]) -> set[str]:
    """The IRIs the page about `thing` names: its own properties and values, and what points at it."""
    found = {thing}
    for pair in (*graph.predicate_objects(URIRef(thing)), *pointing):
        found.update(str(n) for n in pair if isinstance(n, URIRef))
    return found


def resource_view(
    graph: Graph, thing: str, labels: Labels, lang: str, base: str, kinds: Kinds | None = None,
    taken: set[str] | None = None, counts: Mapping[str, int] | None = None,
) -> dict[str, object]:
    """Everything the resource template shows, as display values (with kinds beside shared names)."""
    subject = URIRef(thing)
    sections = split_properties(graph, subject, base)
    view: dict[str, object] = {name: rows(pairs, labels, lang, base) for name, pairs in sections.items()}
    view["types"] = sorted((term_value(o, labels, lang, base) for _, o in sections["types"]), key=lambda v: v.text)
    pointing, more = referred(graph, thing, base, counts=counts)
    view["referred_by"] = rows(pointing, labels, lang, base)
    for row in cast(list[Row], view["referred_by"]):
        if row.prop.iri in more:
            row.more = more[row.prop.iri]
            row.query = permalink(pointing_through(thing, row.prop.iri))
    anchor_hash_iris([r for name in ("facts", "refers_to", "external", "provenance")
                      for r in cast(list[Row], view[name])], thing, taken or set())  # fmt: skip
    view["title"] = labels.label(thing, lang)
    view["kind"] = kinds.beside(thing, str(view["title"]), labels, lang) if kinds is not None else ""
    if kinds is not None:
        for name in ("refers_to", "referred_by"):
            view[name] = with_kinds(cast(list[Row], view[name]), kinds, labels, lang)
    view["lead"] = in_lang(graph, subject, (DCTERMS.description, RDFS.comment), lang)
    return view


def term_entry(graph: Graph, term: Node, labels: Labels, lang: str, base: str, hidden: set[Node]) -> dict[str, object]:
    """An ontology term or shape as a section: anchor, name, comment, and its other triples as rows."""
    iri = str(term)
    pairs = [(p, o) for p, o in graph.predicate_objects(term) if p not in hidden]
    return {
        "id": local_name(iri),
        "title": in_lang(graph, term, (SH.name, RDFS.label), lang) or labels.label(iri, lang),
        "iri": iri,
        "comment": in_lang(graph, term, (RDFS.comment,), lang),
        "message": in_lang(graph, term, (SH.message,), lang),
        "rows": rows(pairs, labels, lang, base, graph),
    }


def document_head(graph: Graph, iri: str, labels: Labels, lang: str, base: str) -> dict[str, object]:
    """Title, description and metadata rows of an ontology or shapes document."""
    head = URIRef(iri)
    hidden = {RDF.type, DCTERMS.title, DCTERMS.description, RDFS.label, SH.declare}
    return {
        "title": in_lang(graph, head, (DCTERMS.title, RDFS.label), lang) or labels.label(iri, lang),
        "lead": in_lang(graph, head, (DCTERMS.description, RDFS.comment), lang),
        "metadata": rows(((p, o) for p, o in graph.predicate_objects(head) if p not in hidden), labels, lang, base),
        "thing": iri,
    }


def by_label(nodes: Iterable[Node], labels: Labels, lang: str) -> list[URIRef]:
    """The IRIs among `nodes`, sorted by their label in `lang`."""
    return sorted({n for n in nodes if isinstance(n, URIRef)}, key=lambda n: labels.label(str(n), lang).casefold())


def ontology_view(graph: Graph, iri: str, labels: Labels, lang: str, base: str) -> dict[str, object]:
    """The ontology page: header metadata, then classes, object and datatype properties (pyLODE-like)."""
    hidden: set[Node] = {RDF.type, RDFS.label, RDFS.comment, RDFS.isDefinedBy}
    kinds = {"terms_classes": OWL.Class, "terms_object": OWL.ObjectProperty, "terms_datatype": OWL.DatatypeProperty}
    groups = []
    for key, kind in kinds.items():
        terms = by_label(graph.subjects(RDF.type, kind), labels, lang)
        groups.append((key, [term_entry(graph, term, labels, lang, base, hidden) for term in terms]))
    return {**document_head(graph, iri, labels, lang, base), "groups": groups}


def shapes_view(graph: Graph, iri: str, labels: Labels, lang: str, base: str) -> dict[str, object]:
    """The shapes page: each node shape with its targets, property constraints and SPARQL checks."""
    hidden: set[Node] = {RDF.type, RDFS.label, RDFS.comment, SH.message, SH.name, SH.property, SH.sparql}
    seen: set[str] = set()
    shapes = []
    for shape in by_label(graph.subjects(RDF.type, SH.NodeShape), labels, lang):
        entry = term_entry(graph, shape, labels, lang, base, hidden)
        props = [term_entry(graph, p, labels, lang, base, hidden) for p in graph.objects(shape, SH.property)]
        props.sort(key=lambda p: str(p["title"]).casefold())
        for prop in props:  # a shared property shape is shown in full once, then linked to
            prop["ref"] = prop["iri"] in seen
            seen.add(str(prop["iri"]))
        entry["properties"] = props
        entry["sparql"] = [(in_lang(graph, c, (SH.message,), lang), str(graph.value(c, SH.select) or "").strip())
                           for c in graph.objects(shape, SH.sparql)]  # fmt: skip
        shapes.append(entry)
    return {**document_head(graph, iri, labels, lang, base), "shapes": shapes}


def geometries(site: Site, thing: str) -> list[tuple[Value, str]]:
    """The thing's point geometries (its own or its constituent places') as (geometry link, WKT)."""
    query = sparql_prologue("geo") + (
        f"SELECT ?g ?wkt WHERE {{ {iri_ref(thing)} geo:hasGeometry ?g . ?g geo:asWKT ?wkt }}"
    )
    found = []
    for row in site.store.query(query).solutions or []:
        iri, wkt = str(row["g"].value), str(row["wkt"].value)
        found.append((Value(iri.removeprefix(site.base + "id/"), href=href_for(iri, site.base)[0], iri=iri), wkt))
    return sorted(found, key=lambda pair: pair[0].text)


def page(lang: str, here: str, **context: object) -> dict[str, object]:
    """The context every page template needs: language, UI strings, and the path for the language switch."""
    return {"lang": lang, "t": ui(lang), "here": here, "alternates": (), **context}


def alternates(stem: str) -> list[tuple[str, str, str]]:
    """(href, media type, label) of each RDF variant of the document at `stem` (`/doc/x` → `/doc/x.ttl`…)."""
    return [(f"{stem}.{m.suffix}", m.mime, m.label) for m in RDF_FORMATS]


def render_resource(site: Site, graph: Graph, thing: str, lang: str, counts: Mapping[str, int] | None = None) -> str:
    """The HTML page about `thing`, from its document graph and incoming counts (`site.described`)."""
    labels, kinds = site.names.lookup(page_iris(graph, thing, referred(graph, thing, site.base, counts=counts)[0]),
                                      graph)  # fmt: skip
    path = thing.removeprefix(site.base + "id/")
    subject = URIRef(thing)
    found = geometries(site, thing) if (subject, GEO.hasGeometry, None) in graph else []
    map_svg = ""
    if (subject, RDF.type, OMS.NodeCity) in graph:
        map_svg = node_city_map(site, lang, highlight=thing)
    own = {g.iri[len(thing) + 1 :] for g, _ in found if g.iri.startswith(thing + "#")}  # rows of the geometry table
    return render_template(
        "resource.html",
        **page(lang, f"/doc/{path}", alternates=alternates(f"/doc/{path}")),
        **resource_view(graph, thing, labels, lang, site.base, kinds, own, counts),
        thing=thing,
        geometries=found,
        wkt_elsewhere=any((URIRef(g.iri), GEO.asWKT, None) not in graph for g, _ in found),
        map_svg=map_svg,
    )
