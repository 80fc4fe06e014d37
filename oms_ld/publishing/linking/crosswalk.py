"""The code crosswalk: every code we publish (kommunkod, länskod, NUTS, ISO 3166-2, organisationsnummer)
with its scheme, our IRI and the Swedish and English names, as CSV with CSVW metadata.

Built from the linking index (so from the store), byte for byte the same for the same data. No Flask.
"""

from __future__ import annotations

import csv
import io
import json

from ...rdf.formats import MediaType
from ...rdf.namespaces import LICENSE
from ..dumps import Dump, make_dump
from .index import SCHEMES, Index

CSV = MediaType("text/csv", "csv", "CSV")
CSVW_JSON = MediaType("application/json", "json", "CSVW metadata")
COLUMNS = ("code", "scheme", "iri", "name_sv", "name_en")
ABOUT = ("kodnyckel: koder (kommunkod, länskod, NUTS, ISO 3166-2, organisationsnummer) till IRI:er",
         "crosswalk: codes (kommunkod, länskod, NUTS, ISO 3166-2, organisation number) to IRIs")  # fmt: skip


def rows(index: Index) -> list[dict[str, str]]:
    """One row per (scheme, code), in scheme order, then by code."""
    found = []
    for scheme in SCHEMES:
        for (name, code), iri in sorted(index.codes.items()):
            if name == scheme.name:
                thing = index.things[iri]
                found.append({"code": code, "scheme": scheme.name, "iri": iri,
                              "name_sv": thing.label("sv"), "name_en": thing.label("en")})  # fmt: skip
    return found


def crosswalk_csv(index: Index) -> bytes:
    """The crosswalk as CSV (RFC 4180, CRLF line ends, a header row)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(index))
    return buffer.getvalue().encode("utf-8")


def crosswalk_metadata(index: Index, csv_name: str) -> bytes:
    """CSVW metadata (W3C Metadata Vocabulary for Tabular Data) describing `csv_name`."""
    titles = {"code": ("kod", "code"), "scheme": ("kodsystem", "scheme"), "iri": ("IRI", "IRI"),
              "name_sv": ("namn (svenska)", "name (Swedish)"),
              "name_en": ("namn (engelska)", "name (English)")}  # fmt: skip
    columns: list[dict[str, object]] = []
    for name in COLUMNS:
        column: dict[str, object] = {"name": name, "titles": name, "dc:description": [
            {"@value": titles[name][0], "@language": "sv"}, {"@value": titles[name][1], "@language": "en"}],
            "datatype": "anyURI" if name == "iri" else "string", "required": True}  # fmt: skip
        if name == "name_sv":
            column.update({"propertyUrl": "rdfs:label", "lang": "sv"})
        elif name == "name_en":
            column.update({"propertyUrl": "rdfs:label", "lang": "en"})
        elif name in ("iri", "scheme"):
            column.update({"suppressOutput": True})
        else:
            column.update({"propertyUrl": "dct:identifier"})
        columns.append(column)
    document = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": csv_name,
        "dc:title": [{"@value": ABOUT[0], "@language": "sv"}, {"@value": ABOUT[1], "@language": "en"}],
        "dc:license": {"@id": LICENSE},
        "dc:source": {"@id": f"{index.base}id/dataset/oms-ld"},
        "dialect": {"header": True, "encoding": "utf-8"},
        "tableSchema": {"columns": columns, "primaryKey": ["scheme", "code"], "aboutUrl": "{+iri}"},
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def crosswalk_dumps(index: Index, release_date: str) -> dict[str, Dump]:
    """The crosswalk CSV and its CSVW metadata, dated and as `latest` aliases (same bytes)."""
    csv_name = f"oms-ld-codes-{release_date}.csv"
    meta_name = f"{csv_name}-metadata.json"
    files = [
        make_dump(csv_name, crosswalk_csv(index), CSV, csv_name, ABOUT),
        make_dump(meta_name, crosswalk_metadata(index, csv_name), CSVW_JSON, meta_name, ABOUT),
    ]
    aliases = [make_dump(d.name.replace(release_date, "latest", 1), d.body, d.rdf_format, d.filename, ABOUT)
               for d in files]  # fmt: skip
    return {d.name: d for d in (*files, *aliases)}
