"""The GeoSPARQL functions the embedded store (pyoxigraph) evaluates, for the service description,
and a check that catches the one silent trap: `geof:distance` with two arguments. No Flask.
"""

from __future__ import annotations

from ...errors import InvalidRequest
from ...rdf.sparql import Reading

GEOF = "http://www.opengis.net/def/function/geosparql/"
UOM = "http://www.opengis.net/def/uom/OGC/1.0/"
#: (local name, what it does): checked against pyoxigraph 0.5 (tests/test_geo.py runs every one).
GEOSPARQL_FUNCTIONS: tuple[tuple[str, str], ...] = (
    ("distance", "geof:distance(geom1, geom2, unit): the distance in `unit`, e.g. uom:metre "
                 "(http://www.opengis.net/def/uom/OGC/1.0/metre); the unit is required"),
    ("sfWithin", "geof:sfWithin(geom1, geom2): true when geom1 lies within geom2"),
    ("sfContains", "geof:sfContains(geom1, geom2): true when geom1 contains geom2"),
    ("sfIntersects", "geof:sfIntersects(geom1, geom2): true when they share a point"),
    ("sfDisjoint", "geof:sfDisjoint(geom1, geom2): true when they share no point"),
    ("sfEquals", "geof:sfEquals(geom1, geom2): true when they are the same geometry"),
    ("sfTouches", "geof:sfTouches(geom1, geom2): true when only their boundaries meet"),
    ("sfCrosses", "geof:sfCrosses(geom1, geom2): true when they cross"),
    ("sfOverlaps", "geof:sfOverlaps(geom1, geom2): true when they overlap"),
    ("envelope", "geof:envelope(geom): the bounding box as a WKT polygon"),
    ("asGeoJSON", "geof:asGeoJSON(geom): the geometry as a GeoJSON literal"),
)  # fmt: skip


def check_distance_arity(reading: Reading) -> None:
    """Refuse `geof:distance` with two arguments, which pyoxigraph leaves unbound without a word.

    Decided on the grammar's reading of the query (the function's resolved IRI and its arguments).

    Raises:
        InvalidRequest: a call has two arguments; the message says to add the unit.
    """
    if any(iri == f"{GEOF}distance" and count == 2 for iri, count in reading.function_calls):
        raise InvalidRequest(
            "geof:distance needs three arguments: two geometries and a unit, e.g. "
            f"geof:distance(?a, ?b, <{UOM}metre>); with two arguments the value would be unbound"
        )
