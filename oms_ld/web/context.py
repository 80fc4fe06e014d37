"""The site of the app serving the current request."""

from __future__ import annotations

from flask import current_app

from ..publishing.publication import Site

EXTENSION = "oms_ld"


def get_site() -> Site:
    """The current app's site."""
    site = current_app.extensions[EXTENSION]
    assert isinstance(site, Site)
    return site
