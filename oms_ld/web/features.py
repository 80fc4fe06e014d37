"""Blueprint "features": OGC API – Features – Part 1 at /features (documents built in linking/features.py).

JSON (GeoJSON for features) by default, HTML with `f=html` or for browsers; `f=json` is accepted
everywhere, as GDAL sends it. Links are absolute, to this server.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from ..errors import InvalidRequest, NotAcceptable
from ..publishing.linking import features as ft
from ..rdf.formats import HTML, MediaType
from .conneg import negotiate
from .reconcile import get_index, root_url

bp = Blueprint("features", __name__, url_prefix="/features")
JSON = MediaType("application/json", "json", "JSON")
GEOJSON = MediaType("application/geo+json", "geojson", "GeoJSON")
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"



def _media(json_type: MediaType) -> MediaType:
    """`f=` first (json, geojson, html), else Accept between JSON and HTML (JSON for `*/*` and none)."""
    fmt = request.args.get("f", "")
    if fmt in ("json", "geojson"):
        return json_type
    if fmt == "html":
        return HTML
    if fmt:
        raise InvalidRequest(f"f: json or html, not {fmt[:20]!r}")
    try:
        return negotiate(request.headers.get("Accept"), (json_type, HTML, JSON))
    except NotAcceptable:
        return json_type


def _send(doc: dict[str, Any], title: str, json_type: MediaType = JSON) -> Response:
    media = _media(json_type)
    if media is HTML:
        feats = doc.get("features") if "features" in doc else [doc] if doc.get("type") == "Feature" else None
        body = render_template("features.html", doc=doc, title=title, features=feats, lang="en")
        response = Response(body, content_type="text/html; charset=utf-8")
    else:
        mime = GEOJSON.mime if media is GEOJSON else JSON.mime
        response = Response(json.dumps(doc, ensure_ascii=False), content_type=mime)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _only_f() -> None:
    unknown = sorted(set(request.args) - {"f"})
    if unknown:
        raise InvalidRequest(f"unknown query parameter(s) {', '.join(unknown)}; this resource takes only f")


@bp.route("", methods=["GET", "HEAD"])
@bp.route("/", methods=["GET", "HEAD"])
def landing() -> Response:
    """The landing page."""
    _only_f()
    doc = ft.landing(root_url())
    return _send(doc, doc["title"])


@bp.route("/api", methods=["GET", "HEAD"])
def api() -> Response:
    """The OpenAPI 3.0 definition."""
    body = json.dumps(ft.openapi(root_url()), ensure_ascii=False)
    response = Response(body, content_type=OPENAPI)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/conformance", methods=["GET", "HEAD"])
def conformance() -> Response:
    """The conformance classes."""
    _only_f()
    doc = {**ft.conformance(), "links": [{"href": f"{root_url()}/features/conformance", "rel": "self",
                                          "type": JSON.mime}]}  # fmt: skip
    return _send(doc, "Conformance")


@bp.route("/collections", methods=["GET", "HEAD"])
def collections() -> Response:
    """Every collection."""
    _only_f()
    return _send(ft.collections(get_index(), root_url()), "Collections")


@bp.route("/collections/<collection_id>", methods=["GET", "HEAD"])
def collection(collection_id: str) -> Response:
    """One collection."""
    _only_f()
    found = ft.get_collection(collection_id)
    return _send(ft.collection_doc(get_index(), found, root_url()), found.title)


@bp.route("/collections/<collection_id>/items", methods=["GET", "HEAD"])
def items(collection_id: str) -> Response:
    """A page of features (limit, offset, bbox)."""
    found = ft.get_collection(collection_id)
    doc = ft.items(get_index(), found, request.args.to_dict(), root_url())
    return _send(doc, found.title, GEOJSON)


@bp.route("/collections/<collection_id>/items/<feature_id>", methods=["GET", "HEAD"])
def item(collection_id: str, feature_id: str) -> Response:
    """One feature."""
    _only_f()
    found = ft.get_collection(collection_id)
    doc = ft.one_item(get_index(), found, feature_id, root_url())
    return _send(doc, doc["properties"]["name_en"], GEOJSON)
