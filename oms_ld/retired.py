"""Retired IRIs: `410 Gone` with an explanation, or `301 Moved Permanently` to the replacement.

The URI policy says a published IRI is never reused; a thing that is withdrawn keeps answering, so
links to it fail clearly rather than with a 404. The list is data, in Turtle files under
`RETIRED_DIR` (default `retired/`, beside `data/` but not published or validated): each retired IRI
has `owl:deprecated true`, an `rdfs:comment` per language saying why, and optionally
`dct:isReplacedBy` with its replacement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, redirect, request
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS
from werkzeug.wrappers import Response

from .formats import BY_SUFFIX
from .http import error_response
from .sources import content_files, parse_files

log = logging.getLogger(__name__)
EXTENSION = "oms_ld.retired"


@dataclass(frozen=True)
class Retired:
    """One retired IRI."""

    iri: str
    replaced_by: str | None = None
    #: Why it was retired, by language.
    notes: dict[str, str] = field(default_factory=dict)


def load_retired(directory: str | Path | None) -> dict[str, Retired]:
    """The retired IRIs listed in the Turtle files of `directory` (none when it is unset or missing).

    Raises:
        SourceError: a file cannot be parsed.
    """
    if not directory or not Path(directory).is_dir():
        return {}
    graph = parse_files(content_files(directory))
    found: dict[str, Retired] = {}
    for subject in graph.subjects(OWL.deprecated, Literal(True)):
        if not isinstance(subject, URIRef):
            continue
        replacement = graph.value(subject, DCTERMS.isReplacedBy)
        notes = {o.language or "": str(o) for o in graph.objects(subject, RDFS.comment) if isinstance(o, Literal)}
        found[str(subject)] = Retired(str(subject), str(replacement) if replacement is not None else None, notes)
    return found


def _local(iri: str, base: str) -> str:
    """A path on this server for an IRI under `base`, else the IRI."""
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def answer_retired() -> Response | None:
    """Before routing: a request for a retired `/id/…` or `/doc/…` gets 301 or 410 (None for the rest)."""
    retired: dict[str, Retired] = current_app.extensions.get(EXTENSION) or {}
    path = request.path
    if not retired or not path.startswith(("/id/", "/doc/")):
        return None
    base = str(current_app.config["BASE_IRI"])
    kind, rest = path[1:].split("/", 1)
    stem, dot, suffix = rest.rpartition(".")
    variant = f".{suffix}" if kind == "doc" and dot and suffix in BY_SUFFIX else ""
    entry = retired.get(f"{base}id/{stem if variant else rest}")
    if entry is None:
        return None
    if entry.replaced_by is not None:
        target = _local(entry.replaced_by, base)
        if kind == "doc" and target.startswith("/id/"):
            target = "/doc/" + target.removeprefix("/id/") + variant
        response = redirect(target, code=301)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    from .resources import language

    lang = language()
    note = entry.notes.get(lang) or entry.notes.get("en") or entry.notes.get("") or ""
    policy = {"sv": "IRI:n har dragits tillbaka och återanvänds aldrig för något annat.",
              "en": "This IRI has been retired; it is never reused for anything else."}  # fmt: skip
    return error_response(410, "Gone", f"{entry.iri}: {policy.get(lang, policy['en'])}", extra=[note] if note else [])


def register_retired(app: Flask) -> None:
    """Read the retired IRIs named by `RETIRED_DIR` and answer for them before any view runs."""
    retired = load_retired(app.config.get("RETIRED_DIR"))
    if retired:
        log.info("%d retired IRI(s) answer 301/410", len(retired))
    app.extensions[EXTENSION] = retired
    app.before_request(answer_retired)
