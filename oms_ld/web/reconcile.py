"""Blueprint "reconcile": the Reconciliation Service API 0.2 over HTTP (logic in linking/reconcile.py)."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from flask import Blueprint, current_app, request
from werkzeug.wrappers import Response

from ..errors import InvalidRequest, NotAvailable, NotFound
from ..publishing.linking import reconcile as rc
from ..publishing.linking.index import SCHEMES, Index, shared_index
from .context import get_site

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")
_CALLBACK = re.compile(r"[A-Za-z_$][\w$.]{0,99}")


def get_index() -> Index:
    """The app's linking index (built on first use)."""
    site = get_site()
    if site.release is not None:  # the index holds every thing in memory: refuse to build it for huge content
        triples = site.release.graph_sizes.get(site.uris.graphs["data"], 0)
        if triples > site.settings.linking_max_triples:
            limit = site.settings.linking_max_triples
            raise NotAvailable(f"search, reconciliation and features are not offered for {triples} data triples "
                               f"(LINKING_MAX_TRIPLES is {limit}); use /sparql")  # fmt: skip
    return shared_index(current_app.extensions, site.store, site.base)


def root_url() -> str:
    """This server's absolute URL, without the trailing slash."""
    return request.host_url.rstrip("/")


def send_json(data: Any, status: int = 200) -> Response:
    """JSON, or JSONP when `callback` is given (the 0.2 spec asks services to support it)."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.values.get("callback", "")
    if callback:
        if not _CALLBACK.fullmatch(callback):
            raise InvalidRequest("callback must be a JavaScript identifier")
        return Response(f"/**/{callback}({body});", status, content_type="text/javascript; charset=utf-8")
    return Response(body, status, content_type="application/json; charset=utf-8")


def json_param(name: str) -> Any:
    """A JSON-valued form or query parameter."""
    raw = request.values.get(name, "")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidRequest(f"{name}: not JSON ({exc})") from None


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Access-Control-Allow-Headers", "Content-Type")
    return response


@bp.route("", methods=["GET", "POST"])
@bp.route("/", methods=["GET", "POST"])
def service() -> Response:
    """The manifest, or the answers to `queries`, or a data extension for `extend`."""
    index = get_index()
    if "queries" in request.values:
        queries = json_param("queries")
        if not isinstance(queries, dict):
            raise InvalidRequest("queries: expected a JSON object {\"q0\": {\"query\": …}, …}")
        return send_json(rc.reconcile_batch(index, queries))
    if "extend" in request.values:
        ask = json_param("extend")
        if not isinstance(ask, dict):
            raise InvalidRequest("extend: expected a JSON object {\"ids\": […], \"properties\": […]}")
        return send_json(rc.extend(index, ask))
    return send_json(rc.manifest(index, root_url()))


def _paging() -> tuple[str, int, int]:
    try:
        cursor = max(0, int(request.args.get("cursor", 0)))
        limit = min(100, max(1, int(request.args.get("limit", 10))))
    except ValueError:
        raise InvalidRequest("cursor and limit must be integers") from None
    return request.args.get("prefix", ""), cursor, limit


@bp.route("/suggest/entity")
def suggest_entity() -> Response:
    """Autocomplete things by name."""
    return send_json(rc.suggest_entities(get_index(), *_paging()))


@bp.route("/suggest/type")
def suggest_type() -> Response:
    """Autocomplete our classes."""
    return send_json(rc.suggest_types(get_index(), *_paging()))


@bp.route("/suggest/property")
def suggest_property() -> Response:
    """Autocomplete the properties data extension answers."""
    return send_json(rc.suggest_properties(get_index(), *_paging()))


@bp.route("/propose_properties")
def propose_properties() -> Response:
    """The properties worth fetching for a type."""
    type_id = request.args.get("type", "")
    if not type_id:
        raise InvalidRequest("type is required")
    limit = request.args.get("limit", type=int)
    index = get_index()
    if "://" not in type_id:
        type_id = index.oms + type_id.removeprefix("oms:")
    return send_json(rc.propose_properties(index, type_id, limit))


@bp.route("/preview")
def preview() -> Response:
    """A small HTML card about one thing (for the client's iframe)."""
    index = get_index()
    raw = request.args.get("id", "")
    thing = rc.resolve_id(index, raw)
    if thing is None:
        raise NotFound(f"no thing with id {raw[:200]}")
    types = ", ".join(t["name"] for t in rc.our_types(index, thing))
    codes = [f"{escape(s.sv)} {escape(c)}" for s in SCHEMES if (c := index.code_of(thing, s))]
    body = (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>'
        f"{escape(thing.label('sv'))}</title></head>"
        '<body style="font:14px sans-serif;margin:6px">'
        f'<p><a href="/doc/{escape(thing.slug_path)}" target="_blank"><strong>{escape(thing.label("sv"))}</strong></a>'
        f' <span lang="en">({escape(thing.label("en"))})</span></p>'
        f"<p>{escape(types)}{' · ' + ' · '.join(codes) if codes else ''}</p>"
        f"<p><code>{escape(thing.iri)}</code></p></body></html>"
    )
    return Response(body, content_type="text/html; charset=utf-8")
