"""Blueprint "search": `/search?q=` as a page for people and as JSON (`Accept: application/json`)."""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from ..errors import NotAcceptable
from ..publishing.linking.search import as_json, search
from ..rdf.formats import HTML, MediaType
from .conneg import negotiate
from .lang import language
from .reconcile import get_index

bp = Blueprint("search", __name__)
JSON = MediaType("application/json", "json", "JSON")
MAX_QUERY = 200


@bp.route("/search", methods=["GET", "HEAD"])
def search_page() -> Response:
    """Ranked matches of `q` over every thing's Swedish and English names."""
    text = request.args.get("q", "")[:MAX_QUERY]
    index = get_index()
    hits = search(index, text)
    try:
        media = JSON if request.args.get("format") == "json" else negotiate(request.headers.get("Accept"), (HTML, JSON))
    except NotAcceptable:
        media = HTML
    if media is JSON:
        response = Response(json.dumps(as_json(index, text, hits), ensure_ascii=False), content_type=JSON.mime)
    else:
        lang = language()
        title = ("Sök" if lang == "sv" else "Search") + (f": {text}" if text else "")
        body = render_template("search.html", lang=lang, title=title, q=text, hits=hits)
        response = Response(body, content_type="text/html; charset=utf-8")
    response.vary.update(["Accept", "Accept-Language"])
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
