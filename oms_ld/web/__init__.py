"""The web edge: the only place Flask lives. `register(site)` builds the WSGI app around a site."""

from __future__ import annotations

from flask import Flask

from ..publishing.publication import Site

#: The Flask application type, for modules outside web/ that hold an app (the export).
App = Flask


def site_of(app: Flask) -> Site:
    """The site an app built by `register` serves."""
    from .context import EXTENSION

    site = app.extensions[EXTENSION]
    assert isinstance(site, Site)
    return site


def register(site: Site) -> Flask:
    """A Flask app serving `site`: blueprints, error mapping, request limits."""
    from . import codes, downloads, features, graphs, pages, reconcile, resources, search, sparql
    from .context import EXTENSION
    from .cors import register_cors
    from .http import register_error_handlers
    from .lang import remember_language
    from .retired import register_retired

    app = Flask("oms_ld.web", template_folder="templates", static_folder="static")
    app.config.update(TESTING=site.settings.testing, MAX_CONTENT_LENGTH=site.settings.max_request_bytes)
    app.extensions[EXTENSION] = site
    for module in (resources, pages, sparql, downloads, graphs, reconcile, codes, features, search):
        app.register_blueprint(module.bp)
    register_error_handlers(app)
    register_cors(app)
    register_retired(app)
    app.after_request(remember_language)
    return app
