"""The storage seam: `open_store(config, sources)` is the one place a backend is chosen."""

from __future__ import annotations

from typing import Any

from ..namespaces import DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from ..sources import Sources
from .base import Result, Store, select_rows
from .embedded import EmbeddedStore, Limits
from .remote import RemoteStore

__all__ = ["GRAPHS", "EmbeddedStore", "RemoteStore", "Result", "Store", "open_store", "select_rows"]

#: Content group → named graph IRI.
GRAPHS: dict[str, str] = {"ontology": str(ONTOLOGY_GRAPH), "data": str(DATA_GRAPH), "shapes": str(SHAPES_GRAPH)}


def open_store(config: dict[str, Any], sources: Sources) -> Store:
    """The embedded store, or the remote one when SPARQL_ENDPOINT is set."""
    if config["SPARQL_ENDPOINT"]:
        return RemoteStore(
            config["SPARQL_ENDPOINT"],
            timeout=float(config["REMOTE_TIMEOUT"]),
            default_graphs=[GRAPHS["data"], GRAPHS["ontology"]],
            named_graphs=[*GRAPHS.values(), *(config.get("EXTRA_GRAPHS") or {})],
            version=sources.version,
            max_rows=int(config["MAX_RESULT_ROWS"]),
            user=config["SPARQL_USER"],
            password=config["SPARQL_PASSWORD"],
            base_iri=str(config["BASE_IRI"]) + "sparql",
        )
    return EmbeddedStore.from_sources(
        sources,
        GRAPHS,
        max_rows=int(config["MAX_RESULT_ROWS"]),
        extra=config.get("EXTRA_GRAPHS") or {},
        base_iri=str(config["BASE_IRI"]) + "sparql",
        limits=Limits(
            processes=int(config["QUERY_PROCESSES"]),
            max_bytes=int(config["MAX_RESULT_BYTES"]),
            memory_budget=int(config["QUERY_MEMORY_BYTES"]),
            max_queries=int(config["QUERY_PROCESS_MAX_QUERIES"]),
        ),
    )
