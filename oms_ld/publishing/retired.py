"""Retired IRIs are data: `retired/*.ttl` lists them (owl:deprecated, dct:isReplacedBy, rdfs:comment).

Read once per app; the web edge answers them with 301 to the replacement or 410 Gone. Flask-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS

from ..rdf.sources import content_files, parse_files


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
