"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import load_config
from .cors import register_cors
from .errors import StoreError, ValidationFailed
from .http import register_error_handlers
from .retired import register_retired
from .site import Site
from .sources import load_sources
from .store import open_store
from .validation import validate_sources

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings → content → validation gate → store → metadata → blueprints → errors.

    Raises:
        ValidationFailed: the data does not conform; nothing is published.
        SourceError: a content file cannot be read.
    """
    app = Flask(__name__)
    app.config.update(load_config(config))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    sources = load_sources(app.config)
    report = validate_sources(sources, app.config["CACHE_DIR"])
    if not report.conforms:
        raise ValidationFailed(report)
    site = Site(config=dict(app.config), sources=sources, store=open_store(app.config, sources), report=report)
    if sources.size <= int(app.config["PRECOMPUTE_MAX_BYTES"]):
        try:
            site.metadata  # noqa: B018 -- build the dumps and dataset description now, while nobody waits
        except StoreError as exc:
            log.warning("the store does not answer at start (%s); the dataset description waits for it", exc.message)
    app.extensions["oms_ld"] = site

    from . import downloads, graphs, pages, resources, sparql_endpoint

    app.register_blueprint(resources.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql_endpoint.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(graphs.bp)
    register_error_handlers(app)
    register_cors(app)
    register_retired(app)
    log.info("loaded %d bytes of content, version %s", sources.size, sources.version)  # no rdflib parse
    return app
