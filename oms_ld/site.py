"""What the views share: the loaded content, the store, dataset metadata and the representation cache."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, VOID

from . import queries
from .cache import RepresentationCache
from .dataset import DCAT_AP_SE, Profile, build_metadata
from .dumps import Dump, build_dumps
from .errors import StoreError
from .linking.crosswalk import crosswalk_dumps
from .linking.index import build_index
from .namespaces import DATASET, LICENSE, bind_prefixes
from .render import to_rdflib
from .sources import Sources
from .store import Store
from .validation import ValidationReport

log = logging.getLogger(__name__)


@dataclass
class Site:
    """The published site: one per app, built once in `create_app`."""

    config: dict[str, Any]
    sources: Sources
    store: Store
    report: ValidationReport
    cache: RepresentationCache = field(default_factory=RepresentationCache)
    #: Whether a thing IRI is published, remembered (the data never changes within one version).
    known: dict[str, bool] = field(default_factory=dict)
    _dumps: dict[str, Dump] | None = field(default=None, repr=False)
    _metadata: Graph | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def dumps(self) -> dict[str, Dump]:
        """The download files by name, built from the content on first use (see dumps.py)."""
        if self._dumps is None:
            with self._lock:
                if self._dumps is None:
                    date = str(self.config["RELEASE_DATE"])
                    dumps = build_dumps(self.sources, date)
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
        """The dataset description in `profile`, computed through the store."""
        return build_metadata(
            self.store,
            self.dumps.values(),
            release_date=str(self.config["RELEASE_DATE"]),
            contact_email=str(self.config["CONTACT_EMAIL"]),
            profile=profile,
        )

    @property
    def base(self) -> str:
        """The persistent base IRI; request path `/X` is IRI `{base}X`."""
        return str(self.config["BASE_IRI"])

    @property
    def version(self) -> str:
        """Fingerprint of the published data: part of every ETag."""
        return self.store.version

    def describe(self, thing: str) -> Graph | None:
        """The document graph about `thing` (None when nothing is known about it), with doc metadata."""
        result = self.store.query(queries.describe(thing))
        graph = to_rdflib(result.triples or [])
        subject = URIRef(thing)
        if (subject, None, None) not in graph:
            graph = bind_prefixes(Graph())
            for triple in self.metadata.triples((subject, None, None)):
                graph.add(triple)
            if not len(graph):
                return None
        doc = URIRef(thing.replace(f"{self.base}id/", f"{self.base}doc/", 1))
        graph.add((doc, RDF.type, FOAF.Document))
        graph.add((doc, FOAF.primaryTopic, subject))
        graph.add((doc, VOID.inDataset, DATASET))
        graph.add((doc, DCTERMS.license, URIRef(LICENSE)))
        for label in graph.objects(subject, RDFS.label):
            graph.add((doc, RDFS.label, label))
        return graph


def get_site() -> Site:
    """The current app's site."""
    site = current_app.extensions["oms_ld"]
    assert isinstance(site, Site)
    return site
