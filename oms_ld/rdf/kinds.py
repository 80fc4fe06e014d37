"""What kind of thing a resource is, for display beside its name.

Labels are names ("Uppsala"); the kind lives in `rdf:type` and the ontology. Where several things
share a name (the node city Uppsala, the place Uppsala), pages show the kind beside the name,
"Uppsala — storregional nodstad", from the label of the thing's most specific ÖMS class.

`Kinds` holds only what one page needs: the classes, ordinals and shared names of the IRIs it shows
(`publishing/names.py` asks the store for them); `Kinds.from_graphs` computes the same over whole
graphs, for tests and small content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .labels import LABEL_PROPERTIES, Labels
from .namespaces import OMS


class Kinds:
    """The most specific ÖMS classes of typed resources, their ordinals, and which names more than one thing has."""

    def __init__(
        self,
        classes: Mapping[str, tuple[str, ...]],
        shared: Iterable[str] = (),
        ordinals: Mapping[str, int] | None = None,
    ) -> None:
        #: iri → its ÖMS classes that are not a superclass of another of its classes.
        self._classes = dict(classes)
        #: Names (casefolded) that more than one thing carries, in any language.
        self.shared = set(shared)
        #: The place of each numbered thing in its list (`oms:ordinal`: the strategic directions 1–5).
        self.ordinals = dict(ordinals or {})

    @classmethod
    def from_graphs(cls, ontology: Graph, data: Graph) -> Kinds:
        """The kinds of every typed resource of `data` (a pass over the whole graph)."""
        supers = superclasses(ontology)
        typed: dict[str, set[str]] = {}
        for thing, klass in data.subject_objects(RDF.type):
            if isinstance(thing, URIRef) and str(klass).startswith(str(OMS)):
                typed.setdefault(str(thing), set()).add(str(klass))
        names: dict[tuple[str, str], set[str]] = {}
        for prop in LABEL_PROPERTIES:
            for thing, name in data.subject_objects(prop):
                if isinstance(thing, URIRef) and isinstance(name, Literal):
                    names.setdefault((str(name).casefold(), name.language or ""), set()).add(str(thing))
        shared = {name for (name, _), things in names.items() if len(things) > 1}
        classes = {iri: most_specific(found, supers) for iri, found in typed.items()}
        return cls(classes, shared, ordinals(data))

    def classes(self, iri: str) -> tuple[str, ...]:
        """The most specific ÖMS classes of `iri` (empty when it has none)."""
        return self._classes.get(iri, ())

    def kind(self, iri: str, labels: Labels, lang: str) -> str:
        """The label of the most specific ÖMS class(es) of `iri` in `lang`, empty for an untyped IRI."""
        return ", ".join(labels.label(c, lang) for c in self._classes.get(iri, ()))

    def beside(self, iri: str, name: str, labels: Labels, lang: str) -> str:
        """The kind to show beside `name` when another thing has the same name, else empty."""
        return self.kind(iri, labels, lang) if name.casefold() in self.shared else ""


def superclasses(ontology: Graph) -> dict[str, set[str]]:
    """The direct `rdfs:subClassOf` superclasses of every class of `ontology`."""
    supers: dict[str, set[str]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            supers.setdefault(str(sub), set()).add(str(sup))
    return supers


def most_specific(classes: Iterable[str], supers: Mapping[str, set[str]]) -> tuple[str, ...]:
    """The ÖMS classes among `classes` that are not a superclass of another of them, sorted."""
    found = {c for c in classes if c.startswith(str(OMS))}
    implied = set().union(*(_ancestors(c, supers) for c in found))
    return tuple(sorted(found - implied))


def ordinals(data: Graph) -> dict[str, int]:
    """`oms:ordinal` of every thing that has one: such things are listed in that order, not by name."""
    found: dict[str, int] = {}
    for thing, value in data.subject_objects(OMS.ordinal):
        if isinstance(thing, URIRef) and isinstance(value, Literal) and isinstance(value.toPython(), int):
            found[str(thing)] = min(int(value.toPython()), found.get(str(thing), int(value.toPython())))
    return found


def listing_key(iri: str, name: str, numbered: Mapping[str, int]) -> tuple[int, int, str, str]:
    """Sort key for a list of things: numbered things by their ordinal first, the rest by name, then IRI."""
    ordinal = numbered.get(iri)
    return (0, ordinal, "", iri) if ordinal is not None else (1, 0, name.casefold(), iri)


def _ancestors(cls: str, supers: Mapping[str, set[str]]) -> set[str]:
    """Every superclass of `cls` (transitively, without `cls` itself unless there is a cycle)."""
    found: set[str] = set()
    todo = list(supers.get(cls, ()))
    while todo:
        sup = todo.pop()
        if sup not in found:
            found.add(sup)
            todo.extend(supers.get(sup, ()))
    return found
