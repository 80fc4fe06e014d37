"""Build oms_ld/web/basemap.json, the land under the node-city map, from Natural Earth via world-atlas.

    npm ci --prefix tools/basemap && python tools/basemap/build.py

Source: Natural Earth 1:10m Admin 0 countries (public domain, naturalearthdata.com) as TopoJSON in
the npm package world-atlas 2.0.2 (ISC licence, Mike Bostock). Every country polygon is clipped to a box
around Östra Mellansverige, simplified (Douglas–Peucker) and rounded; islands smaller than a few pixels
on the map are dropped. The result is committed; the server never fetches anything at run time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "node_modules" / "world-atlas" / "countries-10m.json"
TARGET = HERE.parent.parent / "oms_ld" / "web" / "basemap.json"
#: West, south, east, north (degrees): the node cities' extent with room for the map's margins.
BOX = (13.4, 57.4, 20.2, 61.7)
#: Simplification tolerance and the smallest island kept, in degrees (about 0.6 km and 2 km²).
TOLERANCE = 0.006
MIN_AREA = 0.0006

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """The topology's arcs as absolute lon/lat lists (TopoJSON quantized, delta-encoded arcs)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    """One ring from arc indexes (a negative index ~i is arc i reversed); shared end points once."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def clip(points: list[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland–Hodgman: the polygon `points` clipped to the rectangle `box`."""
    west, south, east, north = box
    edges = [
        (lambda p: p[0] >= west, lambda a, b: (west, a[1] + (b[1] - a[1]) * (west - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= east, lambda a, b: (east, a[1] + (b[1] - a[1]) * (east - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= south, lambda a, b: (a[0] + (b[0] - a[0]) * (south - a[1]) / (b[1] - a[1]), south)),
        (lambda p: p[1] <= north, lambda a, b: (a[0] + (b[0] - a[0]) * (north - a[1]) / (b[1] - a[1]), north)),
    ]
    for inside, cross in edges:
        if not points:
            break
        output: list[Point] = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    output.append(cross(previous, current))
                output.append(current)
            elif inside(previous):
                output.append(cross(previous, current))
            previous = current
        points = output
    return points


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker on an open line (iterative)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        worst, worst_at = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > worst:
                worst, worst_at = distance, i
        if worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(points: list[Point]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True))) / 2


def main() -> None:
    topology = json.loads(SOURCE.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    rings: list[list[list[float]]] = []
    names = set()
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs", [])], "MultiPolygon": geometry.get("arcs", [])}.get(
            geometry["type"], []
        )
        for polygon in polygons:
            for indexes in polygon[:1]:  # outer rings only: the lakes the data has are not drawn
                outline = clip(ring(indexes, arcs), BOX)
                if len(outline) < 3 or area(outline) < MIN_AREA:
                    continue
                closed = simplify([*outline, outline[0]], TOLERANCE)[:-1]
                if len(closed) >= 3:
                    rings.append([[round(x, 3), round(y, 3)] for x, y in closed])
                    names.add(geometry["properties"]["name"])
    data = {
        "source": "Natural Earth 1:10m Admin 0 countries (public domain), via world-atlas 2.0.2 (ISC)",
        "box": BOX,
        "countries": sorted(names),
        "rings": rings,
    }
    TARGET.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(map(len, rings))
    print(f"{TARGET}: {len(rings)} rings, {points} points, {TARGET.stat().st_size} bytes, {sorted(names)}")


if __name__ == "__main__":
    main()
