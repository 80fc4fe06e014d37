"""Human-readable names for IRIs, in Swedish or English, with a fallback chain that never comes up empty.

Labels come from the ontology, the data (asked of the store for the IRIs a page shows, see
`publishing/names.py`), and `vocab-labels.ttl` (names for the standard terms the
data reuses: rdf:type, skos:prefLabel, dct:source, …). Lookup order for `label(iri, lang)`:
a label in `lang`, a label in the other language, a label without language, the prefixed name
(`dct:source`), the local name, the IRI itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from importlib.resources import files

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from .namespaces import PREFIXES

#: Properties that name a resource, best first.
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, DCTERMS.title)
LANGUAGES = ("sv", "en")


@lru_cache(maxsize=1)
def vocab_graph() -> Graph:
    """The package's labels for standard vocabulary terms (parsed once; the file never changes)."""
    graph = Graph()
    graph.parse(data=files("oms_ld.rdf").joinpath("vocab-labels.ttl").read_text(encoding="utf-8"), format="turtle")
    return graph


def prefixed_name(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """`prefix:local` with the longest matching prefix, or None when no prefix fits."""
    best = max((ns for ns in prefixes.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len, default=None)
    if best is None:
        return None
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"


def local_name(iri: str) -> str:
    """The part after the last `#` or `/` (the IRI itself when that part is empty)."""
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in tail:
            tail = tail.rsplit(sep, 1)[1]
    return tail or iri


class Labels:
    """A label lookup: `labels.label(iri, "sv")`."""

    def __init__(self, prefixes: Mapping[str, str] = PREFIXES) -> None:
        #: The prefixes that name an IRI without a label (`prefix:local`).
        self.prefixes = prefixes
        #: iri → language ("" for none) → candidate labels, best property first, then sorted.
        self._names: dict[str, dict[str, list[str]]] = {}

    @classmethod
    def from_graphs(cls, *graphs: Graph, with_vocab: bool = True, prefixes: Mapping[str, str] = PREFIXES) -> Labels:
        """Labels from every `rdfs:label`, `skos:prefLabel` and `dct:title` in `graphs` (+ the vocab file)."""
        labels = cls(prefixes)
        sources: Iterable[Graph] = (vocab_graph(), *graphs) if with_vocab else graphs
        for graph in sources:
            labels.add_graph(graph)
        return labels

    def copy(self) -> Labels:
        """An independent copy (adding to it leaves this one as it is)."""
        other = Labels(self.prefixes)
        other._names = {
            iri: {lang: list(found) for lang, found in by_lang.items()} for iri, by_lang in self._names.items()
        }
        return other

    def add_graph(self, graph: Graph) -> None:
        """Add the labels found in `graph`."""
        for rank, prop in enumerate(LABEL_PROPERTIES):
            for subject, value in graph.subject_objects(prop):
                if isinstance(subject, URIRef) and isinstance(value, Literal):
                    self.add(str(subject), str(value), value.language or "", rank=rank)

    def add(self, iri: str, text: str, lang: str = "", *, rank: int = 0) -> None:
        """Record one label; within a language, lower `rank` wins, then alphabetical order."""
        by_lang = self._names.setdefault(iri, {})
        entries = by_lang.setdefault(lang.lower(), [])
        key = f"{rank}\0{text}"
        if key not in entries:
            entries.append(key)
            entries.sort()

    def texts(self, iri: str) -> list[str]:
        """Every label of `iri`, in any language."""
        return [entry.split("\0", 1)[1] for entries in self._names.get(iri, {}).values() for entry in entries]

    def exact(self, iri: str, lang: str) -> str | None:
        """The best label in exactly `lang` ("" for labels without a language tag), or None."""
        entries = self._names.get(iri, {}).get(lang.lower())
        return entries[0].split("\0", 1)[1] if entries else None

    def find(self, iri: str, lang: str) -> str | None:
        """A label in `lang`, else in the other language, else without language; None when there is none."""
        others = [code for code in LANGUAGES if code != lang]
        for code in (lang, *others, "", *sorted(self._names.get(iri, {}))):
            found = self.exact(iri, code)
            if found:
                return found
        return None

    def label(self, iri: str, lang: str) -> str:
        """The best name for `iri` in `lang`, falling back to the prefixed name, then the local name."""
        return self.find(iri, lang) or self.prefixed(iri) or local_name(iri)

    def prefixed(self, iri: str) -> str | None:
        """`prefix:local` for `iri` with these labels' prefixes (None when none fits)."""
        return prefixed_name(iri, self.prefixes)

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and iri in self._names

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        """Every IRI that has a name here."""
        return iter(self._names)
