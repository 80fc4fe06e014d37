"""The version chain of the dataset (DCAT 3 §11): one dated dataset per release, linked from the living one.

The living dataset (`{dataset}`, with the `latest` files) `dcat:hasVersion` every kept release and
`dcat:hasCurrentVersion` the newest; each release `{dataset}-{date}` is a `dcat:Dataset` with
its `dcat:version` (the release date), `adms:versionNotes`, `dcat:isVersionOf` the living dataset,
`dcat:previousVersion` the release before it, and its own dated dump files as distributions (they
stay downloadable while the release is kept: KEEP_RELEASES). Pure: no Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ..rdf.namespaces import ADMS
from ..rdf.uris import UriPolicy
from .dumps import Dump

_DCAT3 = "http://www.w3.org/ns/dcat#"
VERSION = URIRef(_DCAT3 + "version")
HAS_VERSION = URIRef(_DCAT3 + "hasVersion")
HAS_CURRENT_VERSION = URIRef(_DCAT3 + "hasCurrentVersion")
IS_VERSION_OF = URIRef(_DCAT3 + "isVersionOf")
PREVIOUS_VERSION = URIRef(_DCAT3 + "previousVersion")


@dataclass(frozen=True)
class Version:
    """One release of the dataset: its date and its dated files."""

    date: str
    dumps: tuple[Dump, ...]


def version_iri(u: UriPolicy, date: str) -> URIRef:
    """The dated dataset of the release of `date`."""
    return URIRef(f"{u.dataset}-{date}")


#: Adds the distributions of `dumps` to a dataset: (graph, dataset, dumps, date) (dataset.py's writer).
Distributions = Callable[[Graph, URIRef, list[Dump], str], None]
#: Adds what every dataset carries (publisher, licence, dates, keywords, contact): (graph, node, date).
Common = Callable[[Graph, URIRef, str], None]


def describe_versions(g: Graph, u: UriPolicy, versions: Sequence[Version], *, common: Common,
                      distributions: Distributions) -> None:  # fmt: skip
    """The chain, oldest first; the last of `versions` is the current release."""
    previous: URIRef | None = None
    for version in sorted(versions, key=lambda v: v.date):
        node = version_iri(u, version.date)
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.title, Literal(f"ÖMS – länkade öppna data, utgåva {version.date}", lang="sv")))
        g.add((node, DCTERMS.title, Literal(f"ÖMS – linked open data, release {version.date}", lang="en")))
        g.add((node, DCTERMS.description, Literal(
            f"Utgåvan {version.date} av datamängden: filerna med datum ändras aldrig.", lang="sv")))  # fmt: skip
        g.add((node, DCTERMS.description, Literal(
            f"The release of {version.date} of the dataset: its dated files never change.", lang="en")))  # fmt: skip
        common(g, node, version.date)
        g.add((node, VERSION, Literal(version.date)))
        g.add((node, ADMS.versionNotes, Literal(f"Utgåva {version.date}.", lang="sv")))
        g.add((node, ADMS.versionNotes, Literal(f"Release of {version.date}.", lang="en")))
        g.add((node, IS_VERSION_OF, u.dataset))
        g.add((u.dataset, HAS_VERSION, node))
        if previous is not None:
            g.add((node, PREVIOUS_VERSION, previous))
        distributions(g, node, list(version.dumps), version.date)
        previous = node
    if previous is not None:
        g.add((u.dataset, HAS_CURRENT_VERSION, previous))
