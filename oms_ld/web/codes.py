"""Blueprint "codes": `/code/{scheme}/{code}` answers 303 to the thing that has that code.

Codes are data, never part of an IRI (URI policy), so these lookups are how a register that keys on
kommunkod, länskod, NUTS, ISO 3166-2 or organisationsnummer reaches our IRIs.
"""

from __future__ import annotations

from flask import Blueprint, redirect
from werkzeug.wrappers import Response

from ..errors import NotFound
from ..publishing.linking.index import SCHEME_BY_NAME, SCHEMES
from .context import get_site
from .reconcile import get_index

bp = Blueprint("codes", __name__, url_prefix="/code")


@bp.route("/<scheme>/<path:code>", methods=["GET", "HEAD"])
def lookup(scheme: str, code: str) -> Response:
    """303 See Other to `/id/…` of the thing with `code` in `scheme`; 404 naming the scheme otherwise."""
    known = SCHEME_BY_NAME.get(scheme)
    if known is None:
        names = ", ".join(s.name for s in SCHEMES)
        raise NotFound(f"/code/{scheme[:40]}: no such code scheme (we publish {names})")
    thing = get_index().lookup(known, code)
    if thing is None:
        raise NotFound(f"no thing with {known.en} ({known.name}) {code[:40]!r} is published")
    response = redirect(f"/id/{thing.slug_path}", code=303)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = get_site().settings.cache_max_age
    return response
