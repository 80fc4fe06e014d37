"""The linking index: every published thing with its names, types, codes, links and geometry.

Built once per data version from a few SPARQL SELECTs through the store (never by parsing files),
then shared by reconciliation, code lookups, search and the features API. Flask-free.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ...rdf.namespaces import OMS
from ...store import Store, select_rows

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GEO = "http://www.opengis.net/ont/geosparql#"
AS_WKT = GEO + "asWKT"
NUTS_NS = "http://data.europa.eu/nuts/code/"


@dataclass(frozen=True)
class Scheme:
    """A code scheme: its URL name (`/code/{name}/…`), the property that carries it, and its labels."""

    name: str
    local: str  # the oms: property's local name
    sv: str
    en: str

    def normalise(self, value: str) -> str:
        """A code as the data spells it, from the forms other registers use ("180", "0001", "se110")."""
        value = value.strip()
        if self.name == "nuts":
            value = value.removeprefix(NUTS_NS).upper().replace(" ", "")
        elif self.name == "iso3166-2":
            value = value.upper().replace(" ", "").replace("_", "-")
            if re.fullmatch(r"[A-Z]{1,2}", value):
                value = "SE-" + value
        elif self.name == "kommunkod" and value.isdigit() and len(value) < 4:
            value = value.zfill(4)
        elif self.name == "lanskod" and value.isdigit():
            # SCB's two digits; Kolada writes counties as "0001".
            value = value[-2:] if len(value) == 4 and value.startswith("00") else value.zfill(2)
        elif self.name == "orgnr":
            digits = re.sub(r"\D", "", value)
            value = f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 else value
        return value


#: The code schemes we publish, in the order of the crosswalk.
SCHEMES: tuple[Scheme, ...] = (
    Scheme("kommunkod", "municipalityCode", "kommunkod", "municipality code"),
    Scheme("lanskod", "countyCode", "länskod", "county code"),
    Scheme("nuts", "nuts3Region", "NUTS 3-kod", "NUTS 3 code"),
    Scheme("iso3166-2", "iso31662Code", "ISO 3166-2-kod", "ISO 3166-2 code"),
    Scheme("orgnr", "organizationNumber", "organisationsnummer", "organisation number"),
)
SCHEME_BY_NAME = {s.name: s for s in SCHEMES}
#: Links between things that linkers ask for (data extension) besides the codes.
LINK_PROPERTIES = ("county", "region", "regionalAuthority", "territory", "municipality", "seat")


def fold(text: str) -> str:
    """Case-, diacritic- and punctuation-insensitive form: "Södermanlands län" → "sodermanlands lan"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped).split())


#: Words that say which kind of thing a name is, not which one ("Stockholms kommun", "Region Uppsala").
_FORM_PREFIXES = ("region ", "landstinget ", "landsting ")
_FORM_SUFFIXES = (" kommun", " stad", " lan", " municipality", " county", " city", " region", " landsting")


def core(text: str) -> str:
    """The distinctive part of a name, without its form: "Stockholms stad", "Stockholm" → "stockholm"."""
    name = fold(re.sub(r"\([^)]*\)", " ", text))
    changed = True
    while changed:
        changed = False
        for prefix in _FORM_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name, changed = name[len(prefix) :], True
        for suffix in _FORM_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name, changed = name[: -len(suffix)], True
    # The Swedish genitive ("Stockholms", "Södermanlands"); done on both sides, so "Västerås" still matches.
    return name[:-1] if name.endswith("s") and len(name) > 3 else name


@dataclass
class Thing:
    """One published thing, as the linking features see it."""

    iri: str
    types: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # rdfs:label per language
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (property, language, text): every name
    values: dict[str, list[str]] = field(default_factory=dict)  # property IRI → values (codes, links)
    wkt: list[str] = field(default_factory=list)
    #: (folded, core) of every name, computed once when the index is built.
    keys: list[tuple[str, str]] = field(default_factory=list)

    def label(self, lang: str = "sv") -> str:
        """The name in `lang`, else in the other language, else any name, else the IRI."""
        for code in (lang, "sv", "en", ""):
            if code in self.labels:
                return self.labels[code]
        return self.names[0][2] if self.names else self.iri

    @property
    def slug_path(self) -> str:
        """`node-city/uppsala` for `{base}id/node-city/uppsala`."""
        return self.iri.split("/id/", 1)[1]

    @property
    def kind(self) -> str:
        """The type segment of the IRI: `node-city`, `municipality`, …"""
        return self.slug_path.split("/", 1)[0]


@dataclass
class Index:
    """Every published thing, its codes and the ontology terms' names, for one data version."""

    base: str
    version: str
    things: dict[str, Thing]
    #: class or property IRI → {language: label}
    terms: dict[str, dict[str, str]]
    #: (scheme name, code) → thing IRI
    codes: dict[tuple[str, str], str]
    #: folded name → IRIs, core of a name → IRIs, and the core of a linked thing's name (a county answers
    #: to its regional authority's name and back) → IRIs: the candidates of a name query without a scan.
    by_fold: dict[str, set[str]] = field(default_factory=dict)
    by_core: dict[str, set[str]] = field(default_factory=dict)
    by_linked_core: dict[str, set[str]] = field(default_factory=dict)

    @property
    def oms(self) -> str:
        """The ontology namespace: the vocabulary keeps its IRI whatever base the things use (the
        synthetic benchmark data, under another base, uses the same oms: terms)."""
        return str(OMS)

    def term_label(self, iri: str, lang: str = "en") -> str:
        """A class's or property's name, or its local name when the ontology has none."""
        labels = self.terms.get(iri, {})
        return labels.get(lang) or labels.get("en") or labels.get("sv") or re.split(r"[#/]", iri)[-1]

    def scheme_property(self, scheme: Scheme) -> str:
        """The full IRI of a scheme's property."""
        return self.oms + scheme.local

    def code_of(self, thing: Thing, scheme: Scheme) -> str | None:
        """The thing's code in `scheme` as a string (NUTS as its code, not its Eurostat IRI)."""
        values = thing.values.get(self.scheme_property(scheme))
        return values[0].removeprefix(NUTS_NS) if values else None

    def lookup(self, scheme: Scheme, code: str) -> Thing | None:
        """The thing that has `code` in `scheme`."""
        iri = self.codes.get((scheme.name, scheme.normalise(code)))
        return self.things.get(iri) if iri else None


def build_index(store: Store, base: str, *, coded_only: bool = False) -> Index:
    """Read every thing under `{base}id/` from the store: five trusted SELECTs.

    With `coded_only`, only the things that have a code (what the crosswalk needs, cheap on big data).
    """
    oms = str(OMS)
    ident = f"{base}id/"
    under = f'FILTER(STRSTARTS(STR(?s), "{ident}"))'
    if coded_only:  # the coded subjects first: a FILTER EXISTS per typed subject costs minutes at 10M triples
        code_props = " ".join(f"<{oms}{s.local}>" for s in SCHEMES)
        under = f"{{ SELECT DISTINCT ?s WHERE {{ VALUES ?cp {{ {code_props} }} ?s ?cp ?cv }} }} {under}"
    things: dict[str, Thing] = {}

    def thing(iri: str) -> Thing:
        return things.setdefault(iri, Thing(iri))

    for row in select_rows(store, f"SELECT ?s ?t WHERE {{ ?s a ?t . {under} }}"):
        thing(row["s"]).types.add(row["t"])
    name_query = f"""SELECT ?s ?p ?l (LANG(?l) AS ?lang) WHERE {{
        VALUES ?p {{ <{RDFS_LABEL}> <{SKOS}prefLabel> <{SKOS}altLabel> }} ?s ?p ?l . {under} }}"""
    for row in select_rows(store, name_query):
        if row["s"] not in things:
            continue
        t = things[row["s"]]
        t.names.append((row["p"], row.get("lang", ""), row["l"]))
        if row["p"] == RDFS_LABEL:
            t.labels.setdefault(row.get("lang", ""), row["l"])
    props = " ".join(f"<{oms}{p}>" for p in (*(s.local for s in SCHEMES), *LINK_PROPERTIES))
    for row in select_rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?o . {under} }}"):
        if row["s"] in things:
            things[row["s"]].values.setdefault(row["p"], []).append(row["o"])
    geometry = f"SELECT ?s ?w WHERE {{ ?s <{GEO}hasGeometry> ?g . ?g <{AS_WKT}> ?w . {under} }} ORDER BY ?s ?w"
    for row in select_rows(store, geometry):
        if row["s"] in things:
            things[row["s"]].wkt.append(row["w"])
    terms: dict[str, dict[str, str]] = {}
    term_query = f"""SELECT ?t ?l (LANG(?l) AS ?lang) WHERE {{ ?t <{RDFS_LABEL}> ?l .
        FILTER(STRSTARTS(STR(?t), "{oms}")) }}"""
    for row in select_rows(store, term_query):
        terms.setdefault(row["t"], {})[row.get("lang", "")] = row["l"]
    index = Index(base=base, version=store.version, things=dict(sorted(things.items())), terms=terms, codes={})
    for t in index.things.values():
        t.names.sort()
        t.keys = [(fold(name), core(name)) for _p, _lang, name in t.names]
        for values in t.values.values():
            values.sort()
        for folded, kernel in t.keys:
            index.by_fold.setdefault(folded, set()).add(t.iri)
            index.by_core.setdefault(kernel, set()).add(t.iri)
    for t in index.things.values():
        for prop in ("regionalAuthority", "territory"):
            for other in t.values.get(oms + prop, []):
                for _folded, kernel in index.things[other].keys if other in index.things else []:
                    index.by_linked_core.setdefault(kernel, set()).add(t.iri)
    for iri in index.things:
        for scheme in SCHEMES:
            for value in things[iri].values.get(oms + scheme.local, []):
                index.codes.setdefault((scheme.name, value.removeprefix(NUTS_NS)), iri)
    return index


_LOCK = threading.Lock()


def shared_index(holder: MutableMapping[str, Any], store: Store, base: str) -> Index:
    """The index kept in `holder` (the app's extensions), built on first use, rebuilt when the data changes."""
    index = holder.get("oms_ld.linking")
    if isinstance(index, Index) and index.version == store.version:
        return index
    with _LOCK:
        index = holder.get("oms_ld.linking")
        if not (isinstance(index, Index) and index.version == store.version):
            index = build_index(store, base)
            holder["oms_ld.linking"] = index
        return index


def our_types_local(index: Index, thing: Thing) -> list[str]:
    """The local names of the thing's classes from our ontology, sorted."""
    return sorted(t.removeprefix(index.oms) for t in thing.types if t.startswith(index.oms))
