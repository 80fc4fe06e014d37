"""Labels and kinds of the IRIs one page shows, asked of the store: serving never parses the data.

The ontology (small, fixed, parsed once) gives the class labels and the subclass hierarchy. What the
data says about an IRI (its labels, ÖMS types and `oms:ordinal`) comes from the store with a VALUES
query over exactly the IRIs a page shows, and whether another thing carries the same name from a
VALUES query over those names. Both answers are remembered per content version in caches bounded in
bytes, so the cost of a page follows what it shows, not the size of the data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from ..rdf.kinds import Kinds, most_specific, superclasses
from ..rdf.labels import LABEL_PROPERTIES, LANGUAGES, Labels
from ..rdf.namespaces import OMS
from ..store import Store

#: Bytes of store answers each cache (facts per IRI, shared names) may hold per site.
MAX_BYTES = 16 * 1024 * 1024
#: Terms per VALUES block: big pages are asked in several queries of this size.
CHUNK = 1000
#: Labels of IRIs outside the base kept for the query page (names for the vocabularies the data reuses).
EXTERNAL_MAX = 10_000
_LABELS = {str(p): rank for rank, p in enumerate(LABEL_PROPERTIES)}
_TYPE, _ORDINAL = str(RDF.type), str(OMS.ordinal)
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: The datatypes whose values rdflib reads as Python ints (what `oms:ordinal` may be).
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                "unsignedShort", "unsignedByte")}  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """What the data says about one IRI that a page shows beside it."""

    #: (rank of the label property, language, text).
    labels: tuple[tuple[int, str, str], ...] = ()
    #: Its ÖMS classes (all of them; `most_specific` picks the ones shown).
    classes: tuple[str, ...] = ()
    ordinal: int | None = None

    def size(self) -> int:
        """About how many bytes this entry holds (for the cache bound)."""
        return 200 + sum(80 + len(text) + len(lang) for _, lang, text in self.labels) + 60 * len(self.classes)


class _Bounded:
    """A least-recently-used mapping whose entries together stay under `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[str, tuple[object, int]] = OrderedDict()

    def get(self, key: str) -> object | None:
        found = self._items.get(key)
        if found is None:
            return None
        self._items.move_to_end(key)
        return found[0]

    def put(self, key: str, value: object, size: int) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        self._items[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes and self._items:
            _, (_, dropped) = self._items.popitem(last=False)
            self.bytes -= dropped

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)


def _each(props: Iterable[str], pattern: str) -> str:
    """`pattern` (with ?p) once per property, as a UNION binding ?p: engines join VALUES ?p badly."""
    return " UNION ".join(f"{{ {pattern.replace('?p', f'<{p}>')} BIND(<{p}> AS ?p) }}" for p in props)


def _chunks(terms: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(terms), CHUNK):
        yield terms[start : start + CHUNK]


def variants(name: str) -> set[str]:
    """Spellings of `name` that fold to the same text (the store matches names exactly, pages by case-folding)."""
    found = {name, name.lower(), name.upper(), name.capitalize(), name.title(), name.casefold()}
    return {v for v in found if v.casefold() == name.casefold()}


class Names:
    """One per site: the ontology's labels and hierarchy, and bounded caches of the store's answers."""

    def __init__(self, store: Store, data_graph: str, ontology: Graph, base: str, *, max_bytes: int = MAX_BYTES,
                 prefixes: dict[str, str] | None = None,
                 external: Sequence[Sequence[str]] | None = None) -> None:  # fmt: skip
        self.store = store
        #: `external_labels` as the release's build found them (None: asked of the store on first use).
        self._precomputed = external
        self.data_graph = data_graph
        self.base = base
        self._labels = Labels.from_graphs(ontology, prefixes=prefixes) if prefixes else Labels.from_graphs(ontology)
        self._supers = superclasses(ontology)
        self._facts = _Bounded(max_bytes)
        self._shared = _Bounded(max_bytes)
        self._external: tuple[str, Labels] | None = None
        self._version = ""
        self._lock = threading.Lock()

    def _select(self, sparql: str) -> Iterator[ox.QuerySolution]:
        solutions = self.store.query(sparql, default_graphs=[self.data_graph]).solutions
        yield from solutions or ()

    def _current(self) -> None:
        """Forget the answers of an older content version (a store switched to a new release)."""
        if self.store.version != self._version:
            self._facts.clear()
            self._shared.clear()
            self._version = self.store.version

    def facts(self, iris: Iterable[str]) -> dict[str, Facts]:
        """What the data says about each of `iris` (from the cache, the rest in one query per CHUNK)."""
        with self._lock:
            self._current()
            found = {iri: self._facts.get(iri) for iri in set(iris)}
        missing = sorted(iri for iri, facts in found.items() if facts is None)
        asked: dict[str, tuple[list[tuple[int, str, str]], list[str], list[int]]] = {i: ([], [], []) for i in missing}
        props = _each((*_LABELS, _TYPE, _ORDINAL), "?s ?p ?o")
        for chunk in _chunks(missing):
            values = " ".join(str(ox.NamedNode(iri)) for iri in chunk)
            query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} {props} }}"
            for row in self._select(query):
                s, p, o = (t.value for t in (row["s"], row["p"], row["o"]))
                labels, classes, numbers = asked[s]
                term = row["o"]
                if p in _LABELS and isinstance(term, ox.Literal):
                    labels.append((_LABELS[p], term.language or "", o))
                elif p == _TYPE and isinstance(term, ox.NamedNode):
                    classes.append(o)
                elif p == _ORDINAL and isinstance(term, ox.Literal) and term.datatype.value in _INTEGERS:
                    numbers.append(int(o))
        with self._lock:
            for iri, (labels, classes, numbers) in asked.items():
                facts = Facts(tuple(sorted(set(labels))), tuple(sorted(set(classes))), min(numbers, default=None))
                self._facts.put(iri, facts, facts.size())
                found[iri] = facts
        return {iri: facts for iri, facts in found.items() if isinstance(facts, Facts)}

    def shared(self, names: Iterable[str], tags: Iterable[str] = ()) -> set[str]:
        """The casefolded names among `names` that more than one thing of the data carries in one language."""
        with self._lock:
            self._current()
            known = {n.casefold(): self._shared.get(n.casefold()) for n in names if n}
        missing = sorted(n for n, answer in known.items() if answer is None)
        spellings = sorted({v for n in missing for v in variants(n)} | set(missing))
        carriers: dict[tuple[str, str], set[str]] = {}
        props = _each(_LABELS, "?s ?p ?l")
        tags = sorted({"", *LANGUAGES, *tags})
        terms = [str(ox.Literal(text, language=tag) if tag else ox.Literal(text)) for text in spellings for tag in tags]
        for chunk in _chunks(terms):
            query = f"SELECT DISTINCT ?s ?l WHERE {{ VALUES ?l {{ {' '.join(chunk)} }} {props} FILTER(isIRI(?s)) }}"
            for row in self._select(query):
                term = row["l"]
                lang = term.language or "" if isinstance(term, ox.Literal) else ""
                carriers.setdefault((term.value.casefold(), lang), set()).add(row["s"].value)
        answers = {n: any(len(things) > 1 for (name, _), things in carriers.items() if name == n) for n in missing}
        with self._lock:
            for name, answer in answers.items():
                self._shared.put(name, answer, 100 + len(name))
        known.update(answers)
        return {name for name, answer in known.items() if answer}

    def lookup(self, iris: Iterable[str], graph: Graph | None = None) -> tuple[Labels, Kinds]:
        """Labels and kinds for `iris` (plus the labels in `graph`, a page's own document)."""
        wanted = set(iris)
        facts = self.facts(wanted)
        classes = {iri: most_specific(f.classes, self._supers) for iri, f in facts.items() if f.classes}
        unnamed = {c for found in classes.values() for c in found if c not in self._labels} - wanted
        if unnamed:
            facts.update(self.facts(unnamed))
        labels = self._labels.copy()
        for iri, found in facts.items():
            for rank, lang, text in found.labels:
                labels.add(iri, text, lang, rank=rank)
        if graph is not None:
            labels.add_graph(graph)
        names = {text for iri in wanted for text in (*labels.texts(iri), *(labels.label(iri, c) for c in LANGUAGES))}
        ordinals = {iri: f.ordinal for iri, f in facts.items() if f.ordinal is not None}
        tags = {lang for f in facts.values() for _, lang, _ in f.labels}
        return labels, Kinds(classes, self.shared(names, tags), ordinals)

    def known(self) -> Labels:
        """The ontology's and vocabularies' labels, with the data's labels of IRIs outside the base."""
        with self._lock:
            self._current()
            if self._external is not None and self._external[0] == self._version:
                return self._external[1]
        labels = self._labels.copy()
        found = self._precomputed if self._precomputed is not None else external_labels(self.store, self.data_graph,
                                                                                          self.base)  # fmt: skip
        for iri, prop, lang, text in found:
            labels.add(iri, text, lang, rank=_LABELS[prop])
        with self._lock:
            self._external = (self._version, labels)
        return labels


def external_labels(store: Store, data_graph: str, base: str) -> list[list[str]]:
    """[IRI, label property, language, text] of the data's labels of IRIs outside `base`, at most EXTERNAL_MAX.

    The query reads every label of the data (2 s at 1M triples), so a release computes it once when it is
    built (`manifest.json` → `external_labels`) and a server reads it from there.
    """
    props = _each(_LABELS, "?s ?p ?l")
    query = (f"SELECT ?s ?p ?l WHERE {{ {props} FILTER(isIRI(?s) && isLiteral(?l) "
             f"&& !STRSTARTS(STR(?s), {ox.Literal(base)})) }} ORDER BY ?s ?p ?l LIMIT {EXTERNAL_MAX}")  # fmt: skip
    found = []
    for row in store.query(query, default_graphs=[data_graph]).solutions or ():
        term = row["l"]
        lang = term.language or "" if isinstance(term, ox.Literal) else ""
        found.append([row["s"].value, row["p"].value, lang, term.value])
    return found
