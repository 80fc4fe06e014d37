"""What kind of thing a resource is, for display beside its name.

Labels are names ("Uppsala"); the kind lives in `rdf:type` and the ontology. Where several things
share a name (the node city Uppsala, the place Uppsala), pages show the kind beside the name,
"Uppsala — storregional nodstad", from the label of the thing's most specific ÖMS class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .labels import LABEL_PROPERTIES, Labels
from .namespaces import OMS

if TYPE_CHECKING:
    from .sources import Sources

#: Kinds per content version: built once (a pass over the data), then shared by every page render.
_BUILT: dict[str, Kinds] = {}


class Kinds:
    """The most specific ÖMS classes of every typed resource, and which names more than one thing has."""

    def __init__(self, ontology: Graph, data: Graph) -> None:
        supers: dict[str, set[str]] = {}
        for sub, sup in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                supers.setdefault(str(sub), set()).add(str(sup))
        #: iri → its ÖMS classes that are not a superclass of another of its classes.
        self._classes: dict[str, tuple[str, ...]] = {}
        typed: dict[str, set[str]] = {}
        for thing, cls in data.subject_objects(RDF.type):
            if isinstance(thing, URIRef) and str(cls).startswith(str(OMS)):
                typed.setdefault(str(thing), set()).add(str(cls))
        for iri, classes in typed.items():
            implied = set().union(*(_ancestors(c, supers) for c in classes))
            self._classes[iri] = tuple(sorted(classes - implied))
        names: dict[tuple[str, str], set[str]] = {}
        for prop in LABEL_PROPERTIES:
            for thing, name in data.subject_objects(prop):
                if isinstance(thing, URIRef) and isinstance(name, Literal):
                    names.setdefault((str(name).casefold(), name.language or ""), set()).add(str(thing))
        #: Names (casefolded) that more than one thing carries, in any language.
        self.shared = {name for (name, _), things in names.items() if len(things) > 1}
        #: The place of each numbered thing in its list (`oms:ordinal`: the strategic directions 1–5).
        self.ordinals = ordinals(data)

    def kind(self, iri: str, labels: Labels, lang: str) -> str:
        """The label of the most specific ÖMS class(es) of `iri` in `lang`, empty for an untyped IRI."""
        return ", ".join(labels.label(c, lang) for c in self._classes.get(iri, ()))

    def beside(self, iri: str, name: str, labels: Labels, lang: str) -> str:
        """The kind to show beside `name` when another thing has the same name, else empty."""
        return self.kind(iri, labels, lang) if name.casefold() in self.shared else ""


def kinds_of(sources: Sources) -> Kinds:
    """The kinds of the content of `sources`, built on first use per content version."""
    found = _BUILT.get(sources.version)
    if found is None:
        found = Kinds(sources.ontology, sources.data)
        if len(_BUILT) >= 4:
            _BUILT.clear()
        _BUILT[sources.version] = found
    return found


def ordinals(data: Graph) -> dict[str, int]:
    """`oms:ordinal` of every thing that has one: such things are listed in that order, not by name."""
    found: dict[str, int] = {}
    for thing, value in data.subject_objects(OMS.ordinal):
        if isinstance(thing, URIRef) and isinstance(value, Literal) and isinstance(value.toPython(), int):
            found[str(thing)] = min(int(value.toPython()), found.get(str(thing), int(value.toPython())))
    return found


def listing_key(iri: str, name: str, numbered: dict[str, int]) -> tuple[int, int, str, str]:
    """Sort key for a list of things: numbered things by their ordinal first, the rest by name, then IRI."""
    ordinal = numbered.get(iri)
    return (0, ordinal, "", iri) if ordinal is not None else (1, 0, name.casefold(), iri)


def _ancestors(cls: str, supers: dict[str, set[str]]) -> set[str]:
    """Every superclass of `cls` (transitively, without `cls` itself unless there is a cycle)."""
    found: set[str] = set()
    todo = list(supers.get(cls, ()))
    while todo:
        sup = todo.pop()
        if sup not in found:
            found.add(sup)
            todo.extend(supers.get(sup, ()))
    return found
