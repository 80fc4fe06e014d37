"""What a publication holds: the settings, the URI policy, the validated content, the store, the
dataset description and the representations computed from them. Flask-free: the web edge reads it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, VOID

from ..config import Settings
from ..errors import StoreError
from ..rdf import queries
from ..rdf.formats import MediaType
from ..rdf.namespaces import LICENSE
from ..rdf.serialize import to_rdflib
from ..rdf.sources import Sources
from ..rdf.uris import UriPolicy
from ..store import Store, select_rows
from .counts import class_counts
from .dataset import DCAT_AP_SE, Profile, build_metadata
from .dumpfiles import write_graph
from .dumps import Dump, build_dumps
from .linking.crosswalk import crosswalk_dumps
from .linking.index import build_index
from .names import Names
from .release import Release
from .representation import Flights, Representation, RepresentationCache, make_etag
from .retired import Retired
from .validation import ValidationReport

log = logging.getLogger(__name__)

#: How many "is this IRI published?" answers are remembered (they never change within one version).
KNOWN_MAX = 100_000
#: The kinds of `{base}id/` IRI that only the dataset description (not the data) holds.
DESCRIBED_KINDS = ("dataset", "catalog", "service")
#: A document holds at most this many of the triples pointing at its thing per property (the first by
#: subject IRI); over it, it links to a query listing all of them and says how many there are.
INCOMING_MAX = 100


@dataclass
class Site:
    """The published site: one per app, built once in `create_app`."""

    settings: Settings
    uris: UriPolicy
    sources: Sources
    store: Store
    report: ValidationReport
    cache: RepresentationCache = field(default_factory=RepresentationCache)
    #: Retired IRIs (answered 301 or 410), by IRI.
    retired: dict[str, Retired] = field(default_factory=dict)
    #: The built release the site reads its dumps and description from (None: computed in memory).
    release: Release | None = None
    _known: dict[str, bool] = field(default_factory=dict, repr=False)
    _counts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)
    _dumps: dict[str, Dump] | None = field(default=None, repr=False)
    _metadata: Graph | None = field(default=None, repr=False)
    _names: Names | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _flights: Flights = field(default_factory=Flights, repr=False)

    @property
    def dumps(self) -> dict[str, Dump]:
        """The download files by name, built from the content on first use (see dumps.py)."""
        if self._dumps is None and self.release is not None:
            self._dumps = self.release.dumps
        if self._dumps is None:
            with self._lock:
                if self._dumps is None:
                    date = self.settings.release_date
                    dumps = build_dumps(self.sources, date, self.uris)
                    # The code crosswalk comes from the store; when it does not answer, try again next time.
                    try:
                        crosswalk = crosswalk_dumps(build_index(self.store, self.base, coded_only=True), date)
                    except StoreError as exc:
                        log.warning("no code crosswalk: the store does not answer (%s)", exc.message)
                        return dumps
                    self._dumps = {**dumps, **crosswalk}
        return self._dumps

    @property
    def metadata(self) -> Graph:
        """The VoID + DCAT description (DCAT-AP-SE), built from the store on first use.

        Built at start when the store answers; when it does not (a remote store that is down), the
        first request that needs it tries again, so the app starts and serves what it can.

        Raises:
            StoreError: the store still does not answer.
        """
        if self._metadata is None:
            with self._lock:
                if self._metadata is None:
                    self._metadata = self.build_metadata()
        return self._metadata

    def build_metadata(self, profile: Profile = DCAT_AP_SE) -> Graph:
        """The dataset description in `profile`, precomputed in the release or computed through the store."""
        if self.release is not None:
            return self.release.metadata(profile)
        return build_metadata(
            self.store,
            self.dumps.values(),
            uris=self.uris,
            release_date=self.settings.release_date,
            contact_email=self.settings.contact_email,
            profile=profile,
        )

    @property
    def names(self) -> Names:
        """Labels and kinds of the IRIs a page shows, from the store (the data is never parsed to serve)."""
        names = self._names
        if names is None or names.store is not self.store:  # made again when the site opens another store
            ontology = self.sources.ontology  # small and fixed: parsed once; the data never is
            external = self.release.manifest.get("external_labels") if self.release is not None else None
            names = Names(self.store, self.uris.graphs["data"], ontology, self.base, prefixes=self.uris.prefixes,
                          external=external)  # fmt: skip
            self._names = names
        return names

    @property
    def base(self) -> str:
        """The persistent base IRI; request path `/X` is IRI `{base}X`."""
        return self.uris.base

    @property
    def version(self) -> str:
        """Fingerprint of the published data: part of every ETag."""
        return self.store.version

    def etag(self, *parts: str) -> str:
        """The strong ETag of the representation that `parts` name (with the data version)."""
        return make_etag(self.version, *parts)

    def represent(
        self,
        parts: tuple[str, ...],
        content_type: str,
        body: Callable[[], bytes],
        *,
        headers: tuple[tuple[str, str], ...] = (),
        keep: Callable[[Representation], bool] = lambda rep: True,
        again: bool = False,
    ) -> Representation:
        """The representation named by `parts`: cache key and ETag both come from them and the version.

        `body` runs only on a cache miss, and once for concurrent askings (they wait for the first: see
        representation.Flights); `keep` decides whether the result is worth caching. `again`:
        cache it only when it was asked for before (names from clients, such as query texts, have no
        bound: one-off ones would fill the cache and make its memory grow to the budget).
        """
        found = self.kept(parts)
        if found is not None:
            return found
        key = (self.version, *parts)
        rep, computed, shared = self._flights.run(
            key, lambda: Representation(body(), content_type, self.etag(*parts), self.sources.modified, headers)
        )
        # Asked for again: by a request that waited for this very answer, or one before it.
        if computed and keep(rep) and (not again or shared or self.cache.asked_before(key)):
            self.cache.put(key, rep)
        return rep

    def kept(self, parts: tuple[str, ...]) -> Representation | None:
        """The representation named by `parts` if the cache holds it now."""
        return self.cache.peek((self.version, *parts))

    def class_counts(self) -> dict[str, Any]:
        """The things of each class and in all (see counts.py): from the release, else asked once per version."""
        if self.release is not None and "class_counts" in self.release.manifest:
            return dict(self.release.manifest["class_counts"])
        key = ("class-counts", self.version)
        if key not in self._counts:
            self._counts.clear()
            self._counts[key] = class_counts(self.store, self.base, self.uris.graphs["data"])
        return self._counts[key]

    def graph_file(self, name: str, media_type: MediaType) -> Path | None:
        """The file of named graph `name` ("data", "ontology", "shapes") as `media_type`, for a built release.

        Written from the content files on first use, streaming in the dumps' canonical order (never
        an rdflib graph: the data may be millions of triples), into the release's `graphs/` folder, or
        CACHE_DIR when the release cannot be written. None without a release (a remote store).
        """
        if self.release is None:
            return None
        name_ = f"{name}.{media_type.suffix}"
        places = (self.release.path / "graphs" / name_,
                  Path(self.settings.cache_dir) / "graphs" / self.release.path.name / name_)  # fmt: skip
        for path in places:
            if path.is_file():
                return path
        with self._lock:
            for path in places:
                if path.is_file():
                    return path
                try:
                    write_graph(self.sources.files.get(name, ()), path, self.uris.prefixes, media_type, name[0])
                    return path
                except OSError as exc:
                    log.warning("cannot write %s (%s)", path, exc.strerror)
        return None

    def is_published(self, iri: str) -> bool:
        """Whether the store (or the dataset description) says anything about `iri`."""
        known = self._known.get(iri)
        if known is None:
            answer = bool(self.store.query(queries.exists(iri)).boolean)
            # Only the dataset's own IRIs live in the metadata; other misses must not build it (dumps, VoID).
            described = iri.startswith(tuple(f"{self.uris.id}{kind}/" for kind in DESCRIBED_KINDS))
            known = answer or (described and (URIRef(iri), None, None) in self.metadata)
            if len(self._known) < KNOWN_MAX:
                self._known[iri] = known
        return known

    def describe(self, thing: str) -> Graph | None:
        """The document graph about `thing` (None when nothing is known about it), with doc metadata."""
        return self.described(thing)[0]

    def described(self, thing: str) -> tuple[Graph | None, dict[str, int]]:
        """The document graph about `thing`, and how many triples point at it through each property.

        The thing's own triples are whole; of the triples pointing at it, at most INCOMING_MAX per
        property are in the graph (the first by subject IRI). When some are left out, the document says
        where all of them are: `rdfs:seeAlso` a SPARQL query listing them, whose `void:triples` is their
        number. Both the counts and the kept triples come from the store with bounded answers.
        """
        triples = list(self.store.query(queries.describe(thing)).triples or [])
        props = sorted(row["q"] for row in select_rows(self.store, queries.incoming_properties(thing)))
        counted = select_rows(self.store, queries.incoming_counts(thing, props)) if props else []
        counts = {row["q"]: int(row["n"]) for row in counted}
        if counts:
            triples += self.store.query(queries.incoming(thing, counts, INCOMING_MAX)).triples or []
        # One parse, in the store's order: the HTML lists equally named values in the graph's order.
        graph = to_rdflib(triples, self.uris.prefixes)
        subject = URIRef(thing)
        if (subject, None, None) not in graph:
            graph = self.uris.bind(Graph())
            for triple in self.metadata.triples((subject, None, None)):
                graph.add(triple)
            if not len(graph):
                return None, {}
        doc = URIRef(self.uris.document(thing))
        graph.add((doc, RDF.type, FOAF.Document))
        graph.add((doc, FOAF.primaryTopic, subject))
        graph.add((doc, VOID.inDataset, self.uris.dataset))
        graph.add((doc, DCTERMS.license, URIRef(LICENSE)))
        for label in graph.objects(subject, RDFS.label):
            graph.add((doc, RDFS.label, label))
        if any(n > INCOMING_MAX for n in counts.values()):  # say where all of them are, and how many
            every = URIRef(self.uris.sparql + "?query=" + quote(queries.all_incoming(thing), safe=""))
            graph.add((doc, RDFS.seeAlso, every))
            graph.add((every, RDF.type, VOID.Dataset))
            graph.add((every, VOID.triples, Literal(sum(counts.values()))))
        return graph, counts
