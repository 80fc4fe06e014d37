"""The application factory: typed settings in, a plain WSGI Flask app out."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import Settings, load_settings
from .errors import StoreError, ValidationFailed
from .publishing.build import build_release
from .publishing.publication import Site
from .publishing.release import find_release
from .publishing.representation import RepresentationCache
from .publishing.retired import load_retired
from .publishing.validation import validate_sources
from .rdf.sources import load_sources
from .rdf.uris import UriPolicy
from .store import open_release_store, open_store

log = logging.getLogger(__name__)


def build_site(settings: Settings) -> Site:
    """Content → validation gate → store → publication (no Flask: the CLI and the export use it too).

    Raises:
        ValidationFailed: the data does not conform; nothing is published.
        SourceError: a content file cannot be read.
    """
    uris = UriPolicy(settings.base_iri)
    sources = load_sources(settings)
    cache = RepresentationCache(max_bytes=settings.cache_max_bytes)
    retired = load_retired(settings.retired_dir)
    if not settings.sparql_endpoint:  # embedded: serve the built release (built now when missing)
        release = (find_release(settings, sources)
                   or build_release(settings, sources, validate_again=False).release)  # fmt: skip
        release.hold()  # kept for the process's life: no later build prunes a release it serves
        shared = open_release_store(settings, release, uris)
        log.info("serving release %s (%s)", release.path.name, release.version)
        return Site(settings=settings, uris=uris, sources=sources, store=shared, report=release.report(),
                    cache=cache, retired=retired, release=release)  # fmt: skip
    report = validate_sources(sources, settings.cache_dir)
    if not report.conforms:
        raise ValidationFailed(report)
    store = open_store(settings, sources, uris)
    site = Site(settings=settings, uris=uris, sources=sources, store=store, report=report, cache=cache,
                retired=retired)
    if sources.size <= settings.precompute_max_bytes:
        try:
            site.metadata  # noqa: B018 -- build the dumps and dataset description now, while nobody waits
        except StoreError as exc:
            log.warning("the store does not answer at start (%s); the dataset description waits for it", exc.message)
    log.info("loaded %d bytes of content, version %s", sources.size, sources.version)  # no rdflib parse
    return site


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings → site (validated content, store, metadata) → blueprints → error mapping.

    `config` is a `Settings`, or a mapping of upper-case setting names applied over the defaults and
    the OMS_LD_* environment.

    Raises:
        ValidationFailed: the data does not conform; nothing is published.
        SourceError: a content file cannot be read.
        ConfigError: a setting cannot work.
    """
    settings = config if isinstance(config, Settings) else load_settings(config)
    site = build_site(settings)
    from .web import register

    return register(site)
