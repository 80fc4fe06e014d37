"""The web edge: the only place Flask lives. `register(site)` builds the WSGI app around a site."""

from __future__ import annotations

from flask import Flask

from ..publishing.current import CurrentSite
from ..publishing.publication import Site

#: The Flask application type, for modules outside web/ that hold an app (the export).
App = Flask


def site_of(app: Flask) -> Site:
    """The site an app built by `register` serves now."""
    from .context import CURRENT

    current = app.extensions[CURRENT]
    assert isinstance(current, CurrentSite)
    return current.site


def register(served: Site | CurrentSite) -> Flask:
    """A Flask app serving `served` (a fixed site, or one that follows new releases): blueprints, error
    mapping, request limits."""
    from . import codes, downloads, features, graphs, pages, reconcile, resources, search, sparql
    from .context import CURRENT, EXTENSION, Leasing
    from .cors import register_cors
    from .http import register_error_handlers
    from .lane import QueryLane
    from .lang import remember_language
    from .retired import register_retired

    current = served if isinstance(served, CurrentSite) else CurrentSite(served)
    site = current.site
    app = Flask("oms_ld.web", template_folder="templates", static_folder="static")
    app.config.update(TESTING=site.settings.testing, MAX_CONTENT_LENGTH=site.settings.max_request_bytes)
    app.extensions[EXTENSION] = site  # the site served now (tests and tools read it)
    app.extensions[CURRENT] = current

    def switched(new: Site) -> None:
        app.extensions[EXTENSION] = new

    current.on_switch = switched
    for module in (resources, pages, sparql, downloads, graphs, reconcile, codes, features, search):
        app.register_blueprint(module.bp)
    register_error_handlers(app)
    register_cors(app)
    register_retired(app)
    app.after_request(remember_language)
    app.wsgi_app = Leasing(QueryLane(app.wsgi_app), current)  # type: ignore[method-assign]
    return app
