"""The application factory: typed settings in, a plain WSGI Flask app out."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import Settings, load_settings
from .errors import SourceError, StoreError, ValidationFailed
from .publishing.build import build_release
from .publishing.current import CurrentSite
from .publishing.publication import Site
from .publishing.release import Release, current_name, find_release, release_key, releases_dir
from .publishing.representation import RepresentationCache
from .publishing.retired import load_retired
from .publishing.validation import validate_sources
from .rdf.sources import Sources, load_sources
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
    if not settings.sparql_endpoint:  # embedded: serve the built release (built now when missing)
        release = (find_release(settings, sources)
                   or build_release(settings, sources, validate_again=False).release)  # fmt: skip
        return release_site(settings, release, sources, verify=False)  # found by the content's key
    cache = RepresentationCache(max_bytes=settings.cache_max_bytes)
    retired = load_retired(settings.retired_dir)
    report = validate_sources(sources, settings.cache_dir)
    if not report.conforms:
        raise ValidationFailed(report)
    store = open_store(settings, sources, uris)
    site = Site(settings=settings, uris=uris, sources=sources, store=store, report=report, cache=cache, retired=retired)
    if sources.size <= settings.precompute_max_bytes:
        try:
            site.metadata  # noqa: B018 -- build the dumps and dataset description now, while nobody waits
        except StoreError as exc:
            log.warning("the store does not answer at start (%s); the dataset description waits for it", exc.message)
    log.info("loaded %d bytes of content, version %s", sources.size, sources.version)  # no rdflib parse
    return site


def release_site(settings: Settings, release: Release, sources: Sources | None = None, *, verify: bool = True) -> Site:
    """The site of a built release: its store opened read-only, the release held against `prune` until
    the site is closed (publishing/current.py).

    Raises:
        SourceError: the content files are not those the release was built from (pages read them).
        StoreError: the release store cannot be opened.
    """
    uris = UriPolicy(settings.base_iri)
    sources = sources or load_sources(settings)
    if verify and release.key != release_key(settings, sources):
        raise SourceError(f"release {release.path.name} is not the build of the configured content and settings")
    release.hold()
    try:
        shared = open_release_store(settings, release, uris)
    except BaseException:
        release.let_go()
        raise
    log.info("serving release %s (%s)", release.path.name, release.version)
    return Site(settings=settings, uris=uris, sources=sources, store=shared, report=release.report(),
                cache=RepresentationCache(max_bytes=settings.cache_max_bytes),
                retired=load_retired(settings.retired_dir), release=release)  # fmt: skip


def following(settings: Settings, site: Site) -> CurrentSite:
    """`site`, switched to each new release `current` points at (a site without a release never changes)."""
    if site.release is None or settings.release_check_seconds <= 0:
        return CurrentSite(site)
    root = releases_dir(settings)
    return CurrentSite(site, watch=lambda: current_name(settings),
                       open_site=lambda name: release_site(settings, Release.open(root / name)),
                       every=settings.release_check_seconds)  # fmt: skip


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

    return register(following(settings, site))
