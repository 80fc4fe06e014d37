"""Site search over every published thing's Swedish and English names: prefix- and diacritic-insensitive,
ranked. No Flask; the page and the JSON are `search_views.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from .index import Index, Thing, core, fold, our_types_local

#: Ties go to the things people look for most (then by name).
KIND_ORDER = ("municipality", "county", "region", "node-city", "place", "collaboration", "organization")


@dataclass(frozen=True)
class Hit:
    thing: Thing
    score: float
    types: tuple[str, ...]


def _score(thing: Thing, query: str) -> float:
    """How well the folded `query` names `thing` (0–100)."""
    words, kernel = query.split(), core(query)
    best = 0.0
    for folded, name_core in thing.keys:
        name_words = folded.split()
        if folded == query:
            score = 100.0
        elif name_core == kernel:  # another form of the name: "Stockholms kommun", "Stockholm"
            score = 95.0
        elif folded.startswith(query):
            score = 90.0
        elif all(any(w.startswith(q) for w in name_words) for q in words):
            score = 80.0 if name_words and name_words[0].startswith(words[0]) else 70.0
        elif len(query) >= 4:  # a typo: close to the whole name or to one of its words
            similar = max([fuzz.ratio(query, folded), *(fuzz.ratio(query, w) for w in name_words)])
            score = round(similar * 0.6, 1) if similar >= 80 else 0.0
        else:
            score = 0.0
        best = max(best, score)
    return best


def search(index: Index, text: str, limit: int = 50) -> list[Hit]:
    """Things whose names match `text`, best first."""
    query = fold(text)
    if not query:
        return []
    hits = []
    for thing in index.things.values():
        score = _score(thing, query)
        if score > 0:
            hits.append(Hit(thing, score, tuple(our_types_local(index, thing))))
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    hits.sort(key=lambda h: (-h.score, order.get(h.thing.kind, len(order)), fold(h.thing.label("sv")), h.thing.iri))
    return hits[:limit]


def as_json(index: Index, text: str, hits: list[Hit]) -> dict[str, object]:
    """The JSON answer: IRIs, names in both languages, types (full IRIs), scores."""
    return {
        "query": text,
        "results": [{"id": h.thing.iri, "name": {"sv": h.thing.label("sv"), "en": h.thing.label("en")},
                     "types": [index.oms + t for t in h.types], "document": f"/doc/{h.thing.slug_path}",
                     "score": h.score} for h in hits],
    }  # fmt: skip
