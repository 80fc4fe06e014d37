"""The one table of what each URL can be: its formats (in the server's order of preference), the
headers its answers vary on, and the slug syntax of resource paths. The views, the static export, the
nginx configuration and the tests all read it, so they cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..rdf.formats import (
    HTML,
    JSONLD,
    NTRIPLES,
    RDF_FORMATS,
    RDFXML,
    RESULTS_CSV,
    RESULTS_JSON,
    RESULTS_TSV,
    RESULTS_XML,
    TURTLE,
    MediaType,
)

#: Error pages and the checksum listing come as plain text to non-browsers.
TEXT = MediaType("text/plain", "txt", "Text")
JSON = MediaType("application/json", "json", "JSON")
#: The page languages; the first is the default.
LANGUAGES = ("sv", "en")
#: Slug paths: lowercase ASCII words separated by `/` (the URI policy); nothing else reaches the store.
SLUG_PATH = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*){0,4}")
MAX_PATH = 200
#: Every dataset file points at its description.
DESCRIBED_BY = ("Link", '</.well-known/void>; rel="describedby"; type="text/turtle"')


@dataclass(frozen=True)
class Kind:
    """One kind of URL: where it lives, what it can be, and what its answers vary on."""

    name: str
    path: str
    formats: tuple[MediaType, ...]
    vary: tuple[str, ...]


#: `/doc/…` documents: Turtle for `*/*` and no Accept, HTML for browsers.
DOCUMENT = Kind("document", "/doc/{path}", (TURTLE, HTML, *RDF_FORMATS[1:]), ("Accept", "Accept-Language"))
#: `/def/oms` and `/def/shapes`: negotiated like documents.
DEFINITION = Kind("definition", "/def/{name}", (TURTLE, HTML, JSONLD, RDFXML, NTRIPLES), ("Accept", "Accept-Language"))
#: The download index: a page for people, a JSON listing, and a `sha256sum -c` file as plain text.
DOWNLOAD_INDEX = Kind("download-index", "/download/", (HTML, JSON, TEXT), ("Accept", "Accept-Language"))
#: The VoID description: Turtle unless asked otherwise.
VOID = Kind("void", "/.well-known/void", RDF_FORMATS, ("Accept",))
#: The catalogue: RDF/XML for clients that do not say (the Swedish data portal harvests RDF/XML).
CATALOG = Kind("catalog", "/catalog", (RDFXML, TURTLE, JSONLD, NTRIPLES), ("Accept", "Accept-Profile"))
#: The SPARQL endpoint without a query: its service description, or the query page for a browser.
SERVICE = Kind("service", "/sparql", (TURTLE, *RDF_FORMATS[1:], HTML), ("Accept",))
#: ASK answers. CSV and TSV define no boolean (SPARQL 1.1 CSV/TSV §1: SELECT results only); like Oxigraph
#: and Fuseki, an ASK asked for in them is answered with the one word `true` or `false`.
BOOLEAN_FORMATS: tuple[MediaType, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)

TABLE: tuple[Kind, ...] = (DOCUMENT, DEFINITION, DOWNLOAD_INDEX, VOID, CATALOG, SERVICE)
DOC_FORMATS = DOCUMENT.formats
DEF_FORMATS = DEFINITION.formats
INDEX_FORMATS = DOWNLOAD_INDEX.formats
VOID_FORMATS = VOID.formats
CATALOG_FORMATS = CATALOG.formats
SD_FORMATS = SERVICE.formats
