"""OGC API – Features – Part 1 (core, GeoJSON, HTML) over the linking index: the documents as dicts.

Collections are classes of things; a feature's geometry comes from `geo:hasGeometry/geo:asWKT`
(several points make a MultiPoint; none make a null geometry). The HTTP side, including HTML and
content negotiation, is `features_views.py`. No Flask here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidRequest, NotFound
from .index import Index, Thing, our_types_local

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
#: Query parameters the items resource understands; anything else is a 400 (`f` is what GDAL adds).
ITEM_PARAMS = frozenset({"limit", "offset", "bbox", "bbox-crs", "datetime", "f"})
_POINT = re.compile(r"POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Collection:
    id: str
    local_class: str  # the class's local name in our ontology
    title: str
    description: str


COLLECTIONS = (
    Collection("node-cities", "NodeCity", "Nodstäder · Node cities",
               "The fourteen ÖMS node cities; geometry: the centre points of their constituent places."),
    Collection("places", "Place", "Orter · Places",
               "The constituent places of the node cities; a place without a verified coordinate has null geometry."),
)  # fmt: skip
BY_ID = {c.id: c for c in COLLECTIONS}


def points(thing: Thing) -> list[tuple[float, float]]:
    """The thing's WKT points as (lon, lat) (CRS84 is WKT's default axis order)."""
    found = []
    for wkt in thing.wkt:
        for match in _POINT.finditer(wkt.split(">", 1)[-1]):
            found.append((float(match.group(1)), float(match.group(2))))
    return found


def geometry(thing: Thing) -> dict[str, Any] | None:
    """GeoJSON geometry: a Point, a MultiPoint for several points, None for none."""
    pts = points(thing)
    if not pts:
        return None
    if len(pts) == 1:
        return {"type": "Point", "coordinates": list(pts[0])}
    return {"type": "MultiPoint", "coordinates": [list(p) for p in pts]}


def members(index: Index, collection: Collection) -> list[Thing]:
    """The things of a collection, by IRI."""
    cls = index.oms + collection.local_class
    return [t for t in index.things.values() if cls in t.types]


def feature_id(thing: Thing) -> str:
    """The slug: `uppsala` for `{base}id/node-city/uppsala`."""
    return thing.slug_path.split("/", 1)[-1]


def feature(index: Index, collection: Collection, thing: Thing, root: str) -> dict[str, Any]:
    """One GeoJSON Feature with the IRI and the Swedish and English names."""
    url = f"{root}/features/collections/{collection.id}/items/{feature_id(thing)}"
    return {
        "type": "Feature",
        "id": feature_id(thing),
        "geometry": geometry(thing),
        "properties": {
            "iri": thing.iri,
            "name_sv": thing.label("sv"),
            "name_en": thing.label("en"),
            "types": ", ".join(our_types_local(index, thing)),
        },
        "links": [
            {"href": url, "rel": "self", "type": GEOJSON, "title": "this feature"},
            {"href": f"{url}?f=html", "rel": "alternate", "type": HTML, "title": "this feature as HTML"},
            {"href": f"{root}/features/collections/{collection.id}", "rel": "collection", "type": JSON},
            {"href": thing.iri, "rel": "canonical", "title": "the thing's IRI (303 to its document)"},
        ],
    }


def get_collection(collection_id: str) -> Collection:
    """The collection or NotFound."""
    if collection_id not in BY_ID:
        raise NotFound(f"no collection {collection_id[:60]!r}; the collections are {', '.join(BY_ID)}")
    return BY_ID[collection_id]


def landing(root: str) -> dict[str, Any]:
    """The landing page."""
    api = f"{root}/features"
    return {
        "title": "oms-ld: ÖMS node cities and places (OGC API – Features)",
        "description": "The node cities and places of Östra Mellansverige as features; IRIs in the properties.",
        "links": [
            {"href": api, "rel": "self", "type": JSON, "title": "this document"},
            {"href": f"{api}?f=html", "rel": "alternate", "type": HTML, "title": "this document as HTML"},
            {"href": f"{api}/api", "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0",
             "title": "the API definition (OpenAPI 3.0)"},
            {"href": f"{root}/", "rel": "service-doc", "type": HTML, "title": "oms-ld"},
            {"href": f"{api}/conformance", "rel": "conformance", "type": JSON, "title": "conformance classes"},
            {"href": f"{api}/collections", "rel": "data", "type": JSON, "title": "the collections"},
        ],
    }  # fmt: skip


def conformance() -> dict[str, Any]:
    """The conformance classes implemented."""
    return {"conformsTo": CONFORMANCE}


def _extent(index: Index, collection: Collection) -> list[float]:
    pts = [p for t in members(index, collection) for p in points(t)]
    if not pts:
        return [-180.0, -90.0, 180.0, 90.0]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs), min(ys), max(xs), max(ys)]


def collection_doc(index: Index, collection: Collection, root: str) -> dict[str, Any]:
    """One collection's description."""
    url = f"{root}/features/collections/{collection.id}"
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [_extent(index, collection)], "crs": CRS84}},
        "links": [
            {"href": url, "rel": "self", "type": JSON, "title": "this collection"},
            {"href": f"{url}?f=html", "rel": "alternate", "type": HTML, "title": "this collection as HTML"},
            {"href": f"{url}/items", "rel": "items", "type": GEOJSON, "title": "the features"},
            {"href": f"{url}/items?f=html", "rel": "items", "type": HTML, "title": "the features as HTML"},
            {"href": f"{index.oms}{collection.local_class}", "rel": "describedby", "title": "the class"},
        ],
    }


def collections(index: Index, root: str) -> dict[str, Any]:
    """Every collection."""
    url = f"{root}/features/collections"
    return {
        "links": [{"href": url, "rel": "self", "type": JSON, "title": "this document"},
                  {"href": f"{url}?f=html", "rel": "alternate", "type": HTML, "title": "this document as HTML"}],
        "collections": [collection_doc(index, c, root) for c in COLLECTIONS],
    }  # fmt: skip


def _bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise InvalidRequest(f"bbox: four (or six) comma-separated numbers, not {raw[:80]!r}") from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise InvalidRequest("bbox: four (or six) comma-separated numbers: minLon,minLat,maxLon,maxLat")
    return values[0], values[1], values[2], values[3]


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(f"{name}: an integer, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise InvalidRequest(f"{name}: between {low} and {high}")
    return value


def items(index: Index, collection: Collection, params: Mapping[str, str], root: str) -> dict[str, Any]:
    """A page of a collection's features; `params` are the query parameters (validated here)."""
    unknown = sorted(set(params) - ITEM_PARAMS)
    if unknown:
        known = ", ".join(sorted(ITEM_PARAMS))
        raise InvalidRequest(f"unknown query parameter(s) {', '.join(unknown)}; known: {known}")
    if params.get("bbox-crs") not in (None, "", CRS84):
        raise InvalidRequest(f"bbox-crs: only {CRS84}")
    limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(params, "offset", 0, 0, 10**9)
    things = members(index, collection)
    if params.get("bbox"):
        x0, y0, x1, y1 = _bbox(params["bbox"])
        things = [t for t in things if any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points(t))]
    page = things[offset : offset + limit]
    url = f"{root}/features/collections/{collection.id}/items"
    keep = "".join(f"&{k}={params[k]}" for k in ("bbox",) if params.get(k))

    def link(rel: str, start: int, media: str = GEOJSON) -> dict[str, str]:
        fmt = "&f=html" if media == HTML else ""
        return {"href": f"{url}?limit={limit}&offset={start}{keep}{fmt}", "rel": rel, "type": media}

    links = [link("self", offset), link("alternate", offset, HTML),
             {"href": f"{root}/features/collections/{collection.id}", "rel": "collection", "type": JSON}]  # fmt: skip
    if offset + limit < len(things):
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    return {
        "type": "FeatureCollection",
        "features": [feature(index, collection, t, root) for t in page],
        "numberMatched": len(things),
        "numberReturned": len(page),
        "links": links,
    }


def one_item(index: Index, collection: Collection, fid: str, root: str) -> dict[str, Any]:
    """One feature by its id, or NotFound."""
    for thing in members(index, collection):
        if feature_id(thing) == fid:
            return feature(index, collection, thing, root)
    raise NotFound(f"no feature {fid[:60]!r} in collection {collection.id}")


def openapi(root: str) -> dict[str, Any]:
    """A small OpenAPI 3.0 definition of the paths above."""

    def op(summary: str, media: str, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {"get": {"summary": summary, "parameters": params or [],
                        "responses": {"200": {"description": "OK", "content": {media: {}}}}}}  # fmt: skip

    cid: dict[str, Any] = {"name": "collectionId", "in": "path", "required": True,
                           "schema": {"type": "string", "enum": list(BY_ID)}}  # fmt: skip
    query: list[dict[str, Any]] = [
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        },  # fmt: skip
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {
            "name": "bbox",
            "in": "query",
            "style": "form",
            "explode": False,
            "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        },  # fmt: skip
        {"name": "f", "in": "query", "schema": {"type": "string", "enum": ["json", "html"]}},
    ]
    fid: dict[str, Any] = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "oms-ld OGC API – Features", "version": "1.0.0"},
        "servers": [{"url": f"{root}/features"}],
        "paths": {
            "/": op("landing page", JSON),
            "/conformance": op("conformance classes", JSON),
            "/collections": op("collections", JSON),
            "/collections/{collectionId}": op("a collection", JSON, [cid]),
            "/collections/{collectionId}/items": op("features", GEOJSON, [cid, *query]),
            "/collections/{collectionId}/items/{featureId}": op("a feature", GEOJSON, [cid, fid]),
        },
    }
