"""Configuration: the one place settings enter (defaults, then OMS_LD_* environment, then the caller).

Settings are a frozen, typed object. Keys outside (environment variables, the mapping given to
`create_app`) are the upper-case field names: `OMS_LD_QUERY_TIMEOUT=2.5` sets `query_timeout`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_PREFIX = "OMS_LD_"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_IRI = "https://w3id.org/oms-ld/"


def _cache_home() -> str:
    return str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "oms-ld")


@dataclass(frozen=True)
class Settings:
    """Every setting the publisher reads; see the README's Configuration table."""

    base_iri: str = DEFAULT_BASE_IRI
    ontology_dir: str = str(ROOT / "ontology")
    data_dir: str = str(ROOT / "data")
    shapes_dir: str = str(ROOT / "shapes")
    queries_dir: str = str(ROOT / "oms_ld" / "publishing" / "example_queries")
    #: Retired IRIs (410 Gone, or 301 to a replacement); read by the server, not published.
    retired_dir: str = str(ROOT / "retired")
    #: A remote SPARQL endpoint; empty means the embedded store.
    sparql_endpoint: str = ""
    sparql_user: str = ""
    sparql_password: str = ""
    remote_timeout: float = 10.0
    query_timeout: float = 5.0
    max_result_rows: int = 10000
    #: Bigger answers are refused whole (400), never cut; the worker holds at most this much per query.
    max_result_bytes: int = 50_000_000
    #: Query processes per server worker: queries beyond them get 503 + Retry-After at once. Keep it
    #: below the worker's threads, so that pages always find a free thread; queries use a core each.
    query_processes: int = 2
    #: Slow queries per worker that may wait (at most QUERY_QUEUE_WAIT seconds) for a busy query process;
    #: more get 503 + Retry-After at once (quick ones wait for the express process, uncounted). Processes,
    #: express processes and queue (2 + 1 + 12) stay below the worker's threads (16), for pages and quick
    #: queries. Workers share no queue and the kernel spreads connections unevenly: with a queue of 4, 8
    #: clients asking heavy queries at once found one worker's queue full and got hundreds of 503s a second.
    query_queue: int = 12
    #: Twice the default QUERY_TIMEOUT: under a burst of heavy queries (the GROUP BY over every place at
    #: 1M takes about a second, 8 of them on one worker's 2 processes 4–5 s) a queued query waits for
    #: its turn rather than getting 503.
    query_queue_wait: float = 10.0
    #: Query processes per worker beyond QUERY_PROCESSES that answer only quick queries: those whose
    #: template (the query with its IRIs and values left out) last ran in at most QUERY_QUICK_SECONDS
    #: of engine time. A point lookup then never waits behind GROUP BYs that fill the others.
    query_express_processes: int = 1
    query_quick_seconds: float = 0.02
    #: Memory a query process may map beyond the store it shares (RLIMIT_DATA; see store/confine.py).
    query_memory_bytes: int = 1 << 30
    #: A query process is replaced after this many answers (a backstop: it is replaced when its own memory
    #: has grown by 64 MiB, and after any answer over 8 MiB; a fork costs tens of milliseconds).
    query_process_max_queries: int = 100_000
    #: The representation cache's budget (bodies counted twice: room for their gzip copies).
    cache_max_bytes: int = 256 << 20
    max_request_bytes: int = 64 * 1024
    #: Per server worker: answers the front keeps and gives again without Flask (web/memo.py); 0: none.
    front_memo_bytes: int = 32 << 20
    release_date: str = "2026-11-26"
    #: The dataset's contact point (DCAT-AP-SE vcard:hasEmail): a placeholder every deployment must set.
    contact_email: str = "mailto:contact@oms-ld.invalid"
    #: Further named graphs to load ({graph IRI: file}); queryable, not validated, not published.
    extra_graphs: Mapping[str, str] = field(default_factory=dict)
    cache_max_age: int = 3600
    #: Where conforming validation results are recorded (keyed by the content's SHA-256).
    cache_dir: str = field(default_factory=_cache_home)
    #: Where built releases live (empty: `releases/` in CACHE_DIR); see publishing/release.py.
    releases_dir: str = ""
    #: How `oms-ld build` validates: "store" (the shapes compiled to SPARQL over the store just loaded,
    #: bounded memory; see publishing/shacl_compile.py) or "pyshacl" (pySHACL over one rdflib graph).
    validator: str = "store"
    #: Focus nodes per pySHACL batch, for shapes VALIDATOR=store cannot compile (0: the builder's default).
    validation_batch_size: int = 0
    #: How many built releases (their store and dated dumps) are kept; the current one always is.
    keep_releases: int = 3
    #: Above this many data triples the name index (search, reconciliation, features) is not built (held in memory).
    linking_max_triples: int = 2_000_000
    #: How often (seconds) a server looks whether `current` points at a new release, and switches to it.
    release_check_seconds: float = 2.0
    #: Content up to this many bytes gets its dumps and dataset description built at start;
    #: bigger content builds them on first use, so it starts as fast as the store loads.
    precompute_max_bytes: int = 10_000_000
    testing: bool = False

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(Settings)
        for f in dataclasses.fields(self):
            value, kind = getattr(self, f.name), hints[f.name]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, f.name, float(value))
            elif not _is_a(value, kind):
                raise ConfigError(f"{f.name.upper()} must be {_describe(kind)}, not {value!r}")
        if not self.base_iri.endswith("/"):
            raise ConfigError("BASE_IRI must end with '/'")
        for name in ("query_queue", "query_queue_wait", "query_express_processes", "query_quick_seconds",
                     "front_memo_bytes"):  # fmt: skip
            if getattr(self, name) < 0:
                raise ConfigError(f"{name.upper()} must not be negative")
        for name in ("query_timeout", "remote_timeout", "release_check_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name.upper()} must be a positive number of seconds")
        for name in ("max_result_rows", "max_request_bytes", "max_result_bytes", "query_processes",
                     "query_memory_bytes", "query_process_max_queries", "cache_max_bytes",
                     "keep_releases", "linking_max_triples"):  # fmt: skip
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name.upper()} must be a positive integer")

        if self.validator not in VALIDATORS:
            raise ConfigError(f"VALIDATOR must be one of {', '.join(VALIDATORS)}, not {self.validator!r}")
        if self.validation_batch_size < 0:
            raise ConfigError("VALIDATION_BATCH_SIZE must not be negative")

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes` (field names), checked again."""
        return dataclasses.replace(self, **changes)


#: The validators `oms-ld build` can use (see Settings.validator).
VALIDATORS = ("store", "pyshacl")


def _is_a(value: object, kind: object) -> bool:
    origin = typing.get_origin(kind) or kind
    if origin is Mapping or origin is dict:
        return isinstance(value, Mapping)
    if origin is float:
        return isinstance(value, float)
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(origin, type):
        return isinstance(value, origin)
    return not isinstance(kind, types.UnionType)


def _describe(kind: object) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names.get(kind, "a JSON object") if isinstance(kind, type) else "a JSON object"


FIELDS = frozenset(f.name for f in dataclasses.fields(Settings))


def _coerce(raw: str) -> Any:
    """Read an environment value as JSON when it is JSON (numbers, booleans), else as a string."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _key(name: str) -> str:
    key = name.lower()
    if key not in FIELDS:
        raise ConfigError(f"unknown setting {name!r} (known: {', '.join(sorted(k.upper() for k in FIELDS))})")
    return key


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Merge defaults, OMS_LD_* environment variables and `overrides` (upper-case names), then check."""
    values: dict[str, Any] = {}
    for name, raw in os.environ.items():
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() in FIELDS:
            value = _coerce(raw)
            # A string setting keeps its text even when it looks like JSON (a date, a number-like password).
            field_type = typing.get_type_hints(Settings)[name[len(ENV_PREFIX) :].lower()]
            values[name[len(ENV_PREFIX) :].lower()] = raw if field_type is str else value
    for name, value in (overrides or {}).items():
        values[_key(name)] = value
    return Settings(**values)
