"""Deterministic synthetic ÖMS-shaped data for the benchmarks (never written into `data/`).

The output folder is a complete DATA_DIR: a copy of the real `data/*.ttl` (the collaboration and its
member regions, which the shapes name by IRI: a node city must lie in a county whose regional
authority is an ÖMS member) plus `synthetic.nt`, counties, municipalities, places with WKT points
and node cities under the separate base `https://w3id.org/oms-ld/synthetic/`. Serve it with
`BASE_IRI` set to that base so `/id/…` paths reach the synthetic things.

The data conforms to our shapes: codes follow the SCB patterns (the synthetic counties use county
codes 30–99, which SCB does not use, and NUTS codes SE9nn, which Eurostat does not use), points lie
inside Sweden's bounding box, every resource has sv and en labels and a dct:source. The synthetic
resources have no owl:sameAs (there is nothing real to point at).

    python -m benchmarks.generate 100000 OUT_DIR     # about 100k triples (plus the real data)
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC_BASE = "https://w3id.org/oms-ld/synthetic/"
ID = SYNTHETIC_BASE + "id/"
SOURCE = SYNTHETIC_BASE + "id/source/benchmarks-generate"
REAL = "https://w3id.org/oms-ld/id/"
OMS = "https://w3id.org/oms-ld/def/oms#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
GEO = "http://www.opengis.net/ont/geosparql#"
SF_POINT = "http://www.opengis.net/ont/sf#Point"
SOURCE_P = "http://purl.org/dc/terms/source"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: The real ÖMS regional authorities: each is an org:hasMember of the collaboration in data/organisations.ttl.
REGIONS = ("stockholm", "uppsala", "gavleborg", "vastmanland", "orebro", "sormland", "ostergotland")
MUNICIPALITIES_PER_COUNTY = 60
NODE_CITIES_PER_COUNTY = 20
#: Triples per resource kind (see the writers below); used to size the output.
COUNTY_T, MUNICIPALITY_T, PLACE_T, NODE_CITY_T = 10, 8, 11, 15
SEED = 20261126


@dataclass(frozen=True)
class Plan:
    """How many of each kind make about `target` triples."""

    counties: int
    places_per_municipality: int

    @property
    def triples(self) -> int:
        per_municipality = MUNICIPALITY_T + self.places_per_municipality * PLACE_T
        per_county = COUNTY_T + MUNICIPALITIES_PER_COUNTY * per_municipality + NODE_CITIES_PER_COUNTY * NODE_CITY_T
        return self.counties * per_county


def plan(target: int) -> Plan:
    """Counties scale with the size (county codes 30–99 allow 70); places fill each municipality."""
    counties = min(70, max(1, round(target / 20_000)))
    fixed = COUNTY_T + NODE_CITIES_PER_COUNTY * NODE_CITY_T + MUNICIPALITIES_PER_COUNTY * MUNICIPALITY_T
    per_place = MUNICIPALITIES_PER_COUNTY * PLACE_T
    places = max(2, round((target / counties - fixed) / per_place))
    return Plan(counties, places)


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, lang: str = "") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{datatype}>'


class _Writer:
    """N-Triples lines into a list (joined once at the end)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def t(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> {o} .")

    def labels(self, s: str, sv: str, en: str) -> None:
        self.t(s, LABEL, _lit(sv, "sv"))
        self.t(s, LABEL, _lit(en, "en"))


def _letters(n: int) -> str:
    """Two capital letters for ISO 3166-2-like codes (SE-AA … SE-ZZ)."""
    return chr(65 + n // 26 % 26) + chr(65 + n % 26)


def generate(target: int, seed: int = SEED) -> tuple[bytes, int]:
    """N-Triples for about `target` synthetic triples, and how many there are. Same input, same bytes."""
    rng = random.Random(seed)
    shape = plan(target)
    w = _Writer()
    place_no = 0
    for c in range(shape.counties):
        code = f"{30 + c:02d}"
        county = f"{ID}county/lan-{code}"
        region = f"{REAL}region/{REGIONS[c % len(REGIONS)]}"
        county_places: list[tuple[str, str, str]] = []  # (place, municipality, geometry)
        for m in range(MUNICIPALITIES_PER_COUNTY):
            mcode = f"{code}{m:02d}"
            municipality = f"{ID}municipality/kommun-{mcode}"
            w.t(municipality, RDF_TYPE, _iri(OMS + "Municipality"))
            w.t(municipality, RDF_TYPE, _iri(GEO + "Feature"))
            w.labels(municipality, f"Syntetisk kommun {mcode}", f"Synthetic municipality {mcode}")
            w.t(municipality, OMS + "municipalityCode", _typed(mcode, XSD_STRING))
            w.t(municipality, OMS + "county", _iri(county))
            w.t(municipality, SOURCE_P, _iri(SOURCE))
            for _ in range(shape.places_per_municipality):
                place_no += 1
                slug = f"ort-{place_no:06d}"
                place = f"{ID}place/{slug}"
                geometry = f"{place}#geometry"
                lon = round(rng.uniform(11.0, 24.0), 4)
                lat = round(rng.uniform(55.5, 69.0), 4)
                w.t(place, RDF_TYPE, _iri(OMS + "Place"))
                w.t(place, RDF_TYPE, _iri(GEO + "Feature"))
                w.labels(place, f"Syntetisk ort {place_no}", f"Synthetic place {place_no}")
                w.t(place, OMS + "municipality", _iri(municipality))
                w.t(place, OMS + "county", _iri(county))
                w.t(place, GEO + "hasGeometry", _iri(geometry))
                w.t(place, SOURCE_P, _iri(SOURCE))
                w.t(geometry, RDF_TYPE, _iri(GEO + "Geometry"))
                w.t(geometry, RDF_TYPE, _iri(SF_POINT))
                w.t(geometry, GEO + "asWKT", _typed(f"POINT({lon} {lat})", GEO + "wktLiteral"))
                county_places.append((place, municipality, geometry))
        w.t(county, RDF_TYPE, _iri(OMS + "County"))
        w.t(county, RDF_TYPE, _iri(GEO + "Feature"))
        w.labels(county, f"Syntetiskt län {code}", f"Synthetic county {code}")
        w.t(county, OMS + "countyCode", _typed(code, XSD_STRING))
        w.t(county, OMS + "iso31662Code", _typed(f"SE-{_letters(c)}", XSD_STRING))
        w.t(county, OMS + "nuts3Region", _iri(f"http://data.europa.eu/nuts/code/SE9{c:02d}"))
        w.t(county, OMS + "seat", _iri(county_places[0][0]))
        w.t(county, OMS + "regionalAuthority", _iri(region))
        w.t(county, SOURCE_P, _iri(SOURCE))
        for n in range(NODE_CITIES_PER_COUNTY):
            city = f"{ID}node-city/nod-{code}-{n:02d}"
            kind = "MajorRegionalNodeCity" if n % 4 == 0 else "RegionalCityCore"
            (a, muni, ga), (b, _, gb) = rng.sample(county_places, 2)
            w.t(city, RDF_TYPE, _iri(OMS + "NodeCity"))
            w.t(city, RDF_TYPE, _iri(OMS + kind))
            w.t(city, RDF_TYPE, _iri(GEO + "Feature"))
            w.labels(city, f"Syntetisk nodstad {code}-{n:02d}", f"Synthetic node city {code}-{n:02d}")
            w.t(city, ALT, _lit(f"Nod {code}-{n:02d}", "sv"))
            w.t(city, ALT, _lit(f"Node {code}-{n:02d}", "en"))
            w.t(city, OMS + "region", _iri(region))
            w.t(city, OMS + "county", _iri(county))
            w.t(city, OMS + "municipality", _iri(muni))
            w.t(city, OMS + "constituentPlace", _iri(a))
            w.t(city, OMS + "constituentPlace", _iri(b))
            w.t(city, GEO + "hasGeometry", _iri(ga))
            w.t(city, GEO + "hasGeometry", _iri(gb))
            w.t(city, DERIVED, _iri(SOURCE))
            w.t(city, SOURCE_P, _iri(SOURCE))
    return ("\n".join(w.lines) + "\n").encode("utf-8"), len(w.lines)


def sample_paths(target: int) -> dict[str, str]:
    """Request paths (under BASE_IRI) of representative synthetic things of a dataset of `target` triples."""
    shape = plan(target)
    middle = shape.counties // 2
    code = f"{30 + middle:02d}"
    place = (middle * MUNICIPALITIES_PER_COUNTY + 7) * shape.places_per_municipality + 3
    return {
        "place": f"place/ort-{place:06d}",
        "municipality": f"municipality/kommun-{code}07",
        "county": f"county/lan-{code}",
        "node-city": f"node-city/nod-{code}-04",
    }


def write(target: int, out: Path, seed: int = SEED) -> int:
    """Write a DATA_DIR for about `target` synthetic triples into `out` (replacing it); the triple count."""
    body, count = generate(target, seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for real in sorted((ROOT / "data").glob("*.ttl")):
        shutil.copyfile(real, out / real.name)
    (out / "synthetic.nt").write_bytes(body)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("triples", type=int, help="about how many synthetic triples")
    parser.add_argument("out", type=Path, help="the DATA_DIR to write (replaced)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    count = write(args.triples, args.out, args.seed)
    print(f"{count} synthetic triples in {args.out / 'synthetic.nt'} (plus a copy of data/*.ttl)")


if __name__ == "__main__":
    main()
