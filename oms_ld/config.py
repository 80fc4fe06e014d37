"""Configuration: the one place settings enter (defaults, then OMS_LD_* environment, then the caller)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_PREFIX = "OMS_LD_"
ROOT = Path(__file__).resolve().parent.parent


def defaults() -> dict[str, Any]:
    """Default settings: content directories beside the package, the embedded store, safe limits."""
    return {
        "BASE_IRI": "https://w3id.org/oms-ld/",
        "ONTOLOGY_DIR": str(ROOT / "ontology"),
        "DATA_DIR": str(ROOT / "data"),
        "SHAPES_DIR": str(ROOT / "shapes"),
        "QUERIES_DIR": str(ROOT / "oms_ld" / "queries"),
        # Retired IRIs (410 Gone, or 301 to a replacement); read by the server, not published.
        "RETIRED_DIR": str(ROOT / "retired"),
        # Remote SPARQL endpoint; empty means the embedded store.
        "SPARQL_ENDPOINT": "",
        "SPARQL_USER": "",
        "SPARQL_PASSWORD": "",
        "REMOTE_TIMEOUT": 10.0,
        "QUERY_TIMEOUT": 5.0,
        "MAX_RESULT_ROWS": 10000,
        "MAX_REQUEST_BYTES": 64 * 1024,
        "RELEASE_DATE": "2026-11-26",
        # The dataset's contact point (DCAT-AP-SE vcard:hasEmail): a placeholder every deployment must set.
        "CONTACT_EMAIL": "mailto:contact@oms-ld.invalid",
        # Further named graphs to load ({graph IRI: file}); queryable, not validated, not published.
        "EXTRA_GRAPHS": {},
        "CACHE_MAX_AGE": 3600,
        # Where conforming validation results are recorded (keyed by the content's SHA-256).
        "CACHE_DIR": str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "oms-ld"),
        # Content up to this many bytes gets its dumps and dataset description built at start;
        # bigger content builds them on first use, so it starts as fast as the store loads.
        "PRECOMPUTE_MAX_BYTES": 10_000_000,
        "TESTING": False,
    }


def _coerce(raw: str) -> Any:
    """Read an environment value as JSON when it is JSON (numbers, booleans), else as a string."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, OMS_LD_* environment variables and `overrides`, then check the result."""
    config = defaults()
    for key, raw in os.environ.items():
        if key.startswith(ENV_PREFIX):
            config[key[len(ENV_PREFIX) :]] = _coerce(raw)
    config.update(overrides or {})
    check_config(config)
    return config


def check_config(config: Mapping[str, Any]) -> None:
    """Fail fast on settings that cannot work."""
    if not str(config["BASE_IRI"]).endswith("/"):
        raise ConfigError("BASE_IRI must end with '/'")
    for key in ("QUERY_TIMEOUT", "REMOTE_TIMEOUT"):
        if not isinstance(config[key], int | float) or config[key] <= 0:
            raise ConfigError(f"{key} must be a positive number of seconds")
    for key in ("MAX_RESULT_ROWS", "MAX_REQUEST_BYTES"):
        if not isinstance(config[key], int) or config[key] <= 0:
            raise ConfigError(f"{key} must be a positive integer")
