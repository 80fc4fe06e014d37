"""The GeoSPARQL functions the embedded store (pyoxigraph) evaluates, for the service description,
and a check that catches the one silent trap: `geof:distance` with two arguments. No Flask.
"""

from __future__ import annotations

import re

from ...errors import InvalidRequest

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
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<" + re.escape(GEOF) + ">", re.IGNORECASE)


def _arguments(text: str, start: int) -> int | None:
    """The number of arguments of the call whose `(` is at `start` (strings and IRIs skipped)."""
    depth, count, i, quote = 0, 1, start, ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return count
        elif c == "," and depth == 1:
            count += 1
        i += 1
    return None


def check_distance_arity(query: str) -> None:
    """Refuse `geof:distance` with two arguments, which pyoxigraph leaves unbound without a word.

    Raises:
        InvalidRequest: a call has two arguments; the message says to add the unit.
    """
    if "distance" not in query:
        return
    names = [re.escape(f"<{GEOF}distance>")]
    names += [re.escape(f"{m.group(1) or ''}:distance") for m in _PREFIX.finditer(query)]
    for call in re.finditer(r"(?<![\w:])(?:" + "|".join(names) + r")\s*\(", query):
        if _arguments(query, call.end() - 1) == 2:
            raise InvalidRequest(
                "geof:distance needs three arguments: two geometries and a unit, e.g. "
                f"geof:distance(?a, ?b, <{UOM}metre>); with two arguments the value would be unbound"
            )
