"""Reconciliation Service API 0.2: matching names and codes to our things, suggest, data extension.

Everything here builds plain JSON-able dicts from the index; the HTTP side is `reconcile_views.py`.
Scores: an exact code is 100; an exact name (any label, folded for case and diacritics) 100; the
same name in another form ("Stockholms stad", "Stockholm", "Region Sörmland" for its county) 95, or
90 when it comes through a linked thing; typos score by rapidfuzz, at most 85. `match` is true only
for a unique best candidate at 90 or more, with no other at the same score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from ...errors import InvalidRequest
from .index import AS_WKT, RDFS_LABEL, SCHEME_BY_NAME, SCHEMES, Index, Scheme, Thing, core, fold

MATCH_MIN = 90.0
FUZZY_MIN = 75.0
#: Types offered as good generic choices (local names in the ontology), in this order.
DEFAULT_TYPES = ("Municipality", "County", "RegionalAuthority", "NodeCity", "Place")
#: Properties a client can ask for in data extension (local names in oms:), then rdfs:label and WKT.
EXTEND_LOCAL = ("municipalityCode", "countyCode", "nuts3Region", "iso31662Code", "organizationNumber",
                "county", "region", "regionalAuthority", "territory", "municipality", "seat")  # fmt: skip
EXTERNAL_NAMES = {RDFS_LABEL: ("namn", "label"), AS_WKT: ("geometri (WKT)", "geometry (WKT)")}


@dataclass(frozen=True)
class Candidate:
    thing: Thing
    score: float


def manifest(index: Index, root: str) -> dict[str, Any]:
    """The service manifest; `root` is the absolute URL of this server without a trailing slash."""
    service = f"{root}/reconcile"
    return {
        "versions": ["0.2"],
        "name": "oms-ld: ÖMS (Östra Mellansverige) linked open data",
        "identifierSpace": f"{index.base}id/",
        "schemaSpace": index.oms,
        "documentation": f"{root}/",
        "view": {"url": "{{id}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": 400, "height": 120},
        "defaultTypes": [type_entry(index, index.oms + name) for name in DEFAULT_TYPES],
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/propose_properties"},
            "property_settings": [],
        },
    }


def type_entry(index: Index, iri: str) -> dict[str, str]:
    """`{id, name}` of a class."""
    return {"id": iri, "name": index.term_label(iri)}


def our_types(index: Index, thing: Thing) -> list[dict[str, str]]:
    """The thing's classes from our ontology (not geo:Feature and friends)."""
    return [type_entry(index, t) for t in sorted(thing.types) if t.startswith(index.oms)]


def scheme_for(index: Index, pid: str) -> Scheme | None:
    """The code scheme a query property names: full IRI, `oms:local`, local name or scheme name."""
    pid = pid.strip()
    local = pid.removeprefix(index.oms).removeprefix("oms:")
    for scheme in SCHEMES:
        if local in (scheme.local, scheme.name) or fold(pid) in (fold(scheme.sv), fold(scheme.en)):
            return scheme
    return SCHEME_BY_NAME.get(pid.lower())


def _values(v: Any) -> list[str]:
    """Property values of a query as strings (a string, an {id}, a number or a list of them)."""
    if isinstance(v, list):
        return [s for item in v for s in _values(item)]
    if isinstance(v, dict):
        return [str(v["id"])] if "id" in v else []
    return [str(v)] if v is not None else []


def _type_ids(index: Index, query: Mapping[str, Any]) -> list[str]:
    raw = query.get("type")
    raw_list = raw if isinstance(raw, list) else [raw] if raw else []
    ids = [str(t["id"]) if isinstance(t, dict) else str(t) for t in raw_list]
    return [t if "://" in t else index.oms + t.removeprefix("oms:") for t in ids]


def name_score(index: Index, thing: Thing, text: str) -> float:
    """How well `text` names `thing` (0–100), see the module docstring."""
    folded, kernel = fold(text), core(text)
    if not folded:
        return 0.0
    best = 0.0
    for name_fold, name_core in thing.keys:
        if name_fold == folded:
            return 100.0
        if name_core == kernel:
            best = max(best, 95.0)
        elif kernel and name_core:
            best = max(best, min(85.0, fuzz.ratio(name_core, kernel) * 0.85))
    if thing.iri in index.by_linked_core.get(kernel, ()):
        best = max(best, 90.0)
    return best


def candidates(index: Index, text: str, codes: list[tuple[Scheme, str]]) -> list[Thing]:
    """Things worth scoring: same name, same core, a close core (rapidfuzz), a linked name, a code."""
    folded, kernel = fold(text), core(text)
    iris: set[str] = set()
    if folded:
        iris |= index.by_fold.get(folded, set()) | index.by_core.get(kernel, set())
        iris |= index.by_linked_core.get(kernel, set())
        cutoff = FUZZY_MIN / 0.85  # the lowest ratio whose score still reaches FUZZY_MIN
        for close, _ratio, _key in process.extract(kernel, list(index.by_core), scorer=fuzz.ratio,
                                                   score_cutoff=cutoff, limit=50):  # fmt: skip
            iris |= index.by_core[close]
    for scheme, value in codes:
        found = index.lookup(scheme, value)
        if found is not None:
            iris.add(found.iri)
    return [index.things[i] for i in sorted(iris)]


def reconcile_one(index: Index, query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Candidates for one query, best first."""
    text = str(query.get("query") or "")
    types = _type_ids(index, query)
    strict = str(query.get("type_strict") or "any")
    try:
        limit = max(1, min(100, int(query.get("limit") or 10)))
    except (TypeError, ValueError):
        raise InvalidRequest(f"limit: a number, not {query.get('limit')!r:.40}") from None
    properties = query.get("properties") or []
    if not isinstance(properties, list) or not all(isinstance(p, dict) for p in properties):
        raise InvalidRequest('properties: a list of {"pid": …, "v": …}')
    codes: list[tuple[Scheme, str]] = []
    for prop in properties:
        scheme = scheme_for(index, str(prop.get("pid") or prop.get("p") or ""))
        if scheme is not None:
            codes.extend((scheme, v) for v in _values(prop.get("v")))
    if text and not codes:  # a bare code as the query: "0180", "SE-AB", "SE110"
        codes = [(s, text) for s in SCHEMES if index.lookup(s, text) is not None]
    scored: list[Candidate] = []
    for thing in candidates(index, text, codes):
        typed = not types or bool(thing.types & set(types)) if strict != "all" else set(types) <= thing.types
        if not typed and strict != "should":
            continue
        score = name_score(index, thing, text) if text else 0.0
        for scheme, value in codes:
            own = index.code_of(thing, scheme)
            if own is not None and own == scheme.normalise(value):
                score = 100.0
            elif own is not None:  # the thing has this kind of code and it differs: not the one asked for
                score = min(score, 50.0)
        if not typed:
            score *= 0.8
        if score >= FUZZY_MIN:
            scored.append(Candidate(thing, round(score, 1)))
    scored.sort(key=lambda c: (-c.score, c.thing.iri))
    results = []
    for i, cand in enumerate(scored[:limit]):
        unique = i == 0 and (len(scored) == 1 or scored[1].score < cand.score)
        results.append({
            "id": cand.thing.iri,
            "name": cand.thing.label("sv"),
            "description": cand.thing.label("en"),
            "score": cand.score,
            "match": unique and cand.score >= MATCH_MIN,
            "type": our_types(index, cand.thing),
        })  # fmt: skip
    return results


def reconcile_batch(index: Index, queries: Mapping[str, Any]) -> dict[str, Any]:
    """Answer a batch `{"q0": {...}, …}`."""
    return {key: {"result": reconcile_one(index, q if isinstance(q, dict) else {"query": q})}
            for key, q in queries.items()}  # fmt: skip


def _prefix_rank(names: Iterable[str], prefix: str) -> int | None:
    """0 when a name starts with `prefix`, 1 when one of its words does, None otherwise (all folded)."""
    ranks = [0 if n.startswith(prefix) else 1 if any(w.startswith(prefix) for w in n.split()) else 2 for n in names]
    best = min(ranks, default=2)
    return best if best < 2 else None


def suggest_entities(index: Index, prefix: str, cursor: int = 0, limit: int = 10) -> dict[str, Any]:
    """Things whose Swedish or English names start with `prefix` (case- and diacritic-insensitive)."""
    wanted = fold(prefix)
    hits = []
    for thing in index.things.values():
        rank = _prefix_rank([folded for folded, _core in thing.keys], wanted) if wanted else 0
        if rank is not None:
            hits.append((rank, fold(thing.label("sv")), thing))
    hits.sort(key=lambda h: (h[0], h[1], h[2].iri))
    page = hits[cursor : cursor + limit]
    return {"result": [entity_entry(index, t) for _r, _n, t in page]}


def entity_entry(index: Index, t: Thing) -> dict[str, Any]:
    """A suggested thing: id, Swedish name, English name as description, our types."""
    return {"id": t.iri, "name": t.label("sv"), "description": t.label("en"), "notable": our_types(index, t)}


def _terms(index: Index, kind: str) -> list[str]:
    """Our classes (`kind` = "class", capitalised local names) or properties, sorted."""
    local = [t.removeprefix(index.oms) for t in index.terms if t.startswith(index.oms)]
    chosen = [n for n in local if (n[:1].isupper()) == (kind == "class")]
    return [index.oms + n for n in sorted(chosen)]


def _suggest_terms(index: Index, iris: list[str], prefix: str, cursor: int, limit: int) -> dict[str, Any]:
    wanted = fold(prefix)
    hits = []
    for iri in iris:
        names = [fold(label) for label in index.terms.get(iri, {}).values()] + [fold(iri.rsplit("#", 1)[-1])]
        rank = _prefix_rank(names, wanted) if wanted else 0
        if rank is not None:
            hits.append((rank, iri))
    hits.sort()
    return {"result": [{"id": iri, "name": term_name(index, iri), "description": index.term_label(iri, "sv")}
                       for _r, iri in hits[cursor : cursor + limit]]}  # fmt: skip


def suggest_types(index: Index, prefix: str, cursor: int = 0, limit: int = 10) -> dict[str, Any]:
    """Classes whose names start with `prefix`."""
    return _suggest_terms(index, _terms(index, "class"), prefix, cursor, limit)


def extension_properties(index: Index) -> list[str]:
    """Every property data extension answers, as full IRIs."""
    return [*(index.oms + p for p in EXTEND_LOCAL), RDFS_LABEL, AS_WKT]


def suggest_properties(index: Index, prefix: str, cursor: int = 0, limit: int = 10) -> dict[str, Any]:
    """Properties whose names start with `prefix`."""
    return _suggest_terms(index, extension_properties(index), prefix, cursor, limit)


def term_name(index: Index, iri: str, lang: str = "en") -> str:
    """A property's or class's name, including rdfs:label and geo:asWKT."""
    if iri in EXTERNAL_NAMES:
        return EXTERNAL_NAMES[iri][0 if lang == "sv" else 1]
    return index.term_label(iri, lang)


def propose_properties(index: Index, type_id: str, limit: int | None = None) -> dict[str, Any]:
    """Properties worth fetching for things of `type_id`: those its members actually have."""
    members = [t for t in index.things.values() if type_id in t.types]

    def has(t: Thing, p: str) -> bool:
        return p in t.values or (p == RDFS_LABEL and bool(t.labels)) or (p == AS_WKT and bool(t.wkt))

    present = [p for p in extension_properties(index) if any(has(t, p) for t in members)]
    chosen = present[:limit] if limit else present
    answer: dict[str, Any] = {"type": type_id, "properties": [{"id": p, "name": term_name(index, p)} for p in chosen]}
    if limit:
        answer["limit"] = limit
    return answer


def extend(index: Index, request: Mapping[str, Any]) -> dict[str, Any]:
    """Data extension: the asked properties' values of the asked things."""
    if not isinstance(request.get("ids"), list) or not isinstance(request.get("properties"), list):
        raise InvalidRequest('extend: {"ids": […], "properties": [{"id": …}, …]}')
    ids = [str(i) for i in request["ids"]]
    pids = [str(p.get("id", "")) if isinstance(p, dict) else str(p) for p in request["properties"]]
    pids = [p if "://" in p else index.oms + p.removeprefix("oms:") for p in pids]
    schemes = {index.scheme_property(s): s for s in SCHEMES}
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for iri in ids:
        thing = index.things.get(iri)
        row: dict[str, list[dict[str, Any]]] = {}
        for pid in pids:
            values: list[dict[str, Any]] = []
            if thing is None:
                pass
            elif pid in schemes:
                code = index.code_of(thing, schemes[pid])
                values = [{"str": code}] if code is not None else []
            elif pid == RDFS_LABEL:
                values = [{"str": text} for p, _lang, text in thing.names if p == RDFS_LABEL]
            elif pid == AS_WKT:
                values = [{"str": w} for w in thing.wkt]
            else:
                for other in thing.values.get(pid, []):
                    linked = index.things.get(other)
                    values.append({"id": other, "name": linked.label("sv") if linked else other})
            row[pid] = values
        rows[iri] = row
    meta = [{"id": p, "name": term_name(index, p)} for p in pids]
    return {"meta": meta, "rows": rows}


def resolve_id(index: Index, raw: str) -> Thing | None:
    """A thing from an id as clients send it: the IRI, percent-encoded once more, or `type/slug`."""
    from urllib.parse import unquote

    candidates = [raw, unquote(raw), unquote(unquote(raw))]
    for value in candidates:
        value = value.strip()
        if not re.match(r"https?://", value):
            value = f"{index.base}id/{value.removeprefix('/').removeprefix('id/')}"
        if value in index.things:
            return index.things[value]
    return None
