"""The storage seam: `open_store(settings, sources, uris)` is the one place a backend is chosen."""

from __future__ import annotations

from typing import Protocol

from ..config import Settings
from ..rdf.sources import Sources
from ..rdf.uris import UriPolicy
from .base import Result, Store, select_rows
from .embedded import EmbeddedStore, Limits
from .remote import RemoteStore

__all__ = ["EmbeddedStore", "RemoteStore", "Result", "Store", "open_release_store", "open_store", "select_rows"]


def _limits(settings: Settings) -> Limits:
    return Limits(
        processes=settings.query_processes,
        max_bytes=settings.max_result_bytes,
        memory_budget=settings.query_memory_bytes,
        max_queries=settings.query_process_max_queries,
        queue=settings.query_queue,
        wait=settings.query_queue_wait,
        express=settings.query_express_processes,
        quick=settings.query_quick_seconds,
    )


class _BuiltRelease(Protocol):
    """What the store needs of a built release (publishing/release.py): its store and recorded sizes."""

    @property
    def store_path(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def graph_sizes(self) -> dict[str, int]: ...


def open_release_store(settings: Settings, release: _BuiltRelease, uris: UriPolicy) -> EmbeddedStore:
    """The embedded store of a built release, opened read-only (shared by every worker through the page cache)."""
    return EmbeddedStore.open_release(
        release.store_path,
        version=release.version,
        default_graphs=list(uris.default_graphs),
        graph_sizes=release.graph_sizes,
        max_rows=settings.max_result_rows,
        base_iri=str(uris.sparql),
        limits=_limits(settings),
    )


def open_store(settings: Settings, sources: Sources, uris: UriPolicy) -> Store:
    """The embedded store, or the remote one when SPARQL_ENDPOINT is set."""
    if settings.sparql_endpoint:
        return RemoteStore(
            settings.sparql_endpoint,
            timeout=settings.remote_timeout,
            default_graphs=list(uris.default_graphs),
            named_graphs=[*uris.graphs.values(), *settings.extra_graphs],
            version=sources.version,
            max_rows=settings.max_result_rows,
            user=settings.sparql_user,
            password=settings.sparql_password,
            base_iri=str(uris.sparql),
        )
    return EmbeddedStore.from_sources(
        sources,
        uris.graphs,
        max_rows=settings.max_result_rows,
        extra=settings.extra_graphs,
        base_iri=str(uris.sparql),
        limits=_limits(settings),
    )
