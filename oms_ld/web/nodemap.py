"""The node-city map: WKT points from the store, projected and labelled, drawn as SVG on the server.

No tiles and no external requests: the drawing is an SVG template filled with projected points, over
the land outline in basemap.json (Natural Earth, public domain; rebuilt by tools/basemap/build.py).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from flask import render_template
from markupsafe import Markup

from ..publishing.publication import Site
from ..rdf.labels import LANGUAGES
from ..rdf.namespaces import sparql_prologue
from ..store import select_rows
from .i18n import ui

_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.IGNORECASE)


@dataclass
class MapNode:
    """A node city on the map: its link, name and points (projected later), and where its label goes."""

    href: str
    name: str
    points: list[tuple[float, float]] = field(default_factory=list)
    highlight: bool = False
    label: tuple[float, float, str] = (0.0, 0.0, "start")
    leader: tuple[float, float, float, float] | None = None


#: The most node cities one map draws (ÖMS has 14).
MAP_MAX = 100


def map_nodes(site: Site, lang: str) -> list[MapNode]:
    """The node cities with their WKT points and short names (skos:altLabel, else rdfs:label) in `lang`."""
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    query = sparql_prologue("oms", "geo", "skos", "rdfs") + (
        "SELECT ?city ?wkt ?name WHERE { ?city a oms:NodeCity OPTIONAL { ?city geo:hasGeometry/geo:asWKT ?wkt } "
        f'OPTIONAL {{ ?city skos:altLabel|rdfs:label ?name FILTER(LANG(?name) = "{lang}") }} }}'
    )
    nodes: dict[str, MapNode] = {}
    for row in select_rows(site.store, query):
        href = site.uris.href(row["city"])[0]
        if href is None:
            continue
        node = nodes.setdefault(row["city"], MapNode(href, row.get("name", "")))
        if row.get("name") and (not node.name or len(row["name"]) < len(node.name)):
            node.name = row["name"]
        match = _POINT.match(row.get("wkt", ""))
        point = (float(match.group(1)), float(match.group(2))) if match else None
        if point and point not in node.points:
            node.points.append(point)
    return sorted(nodes.values(), key=lambda n: n.name)


Box = tuple[float, float, float, float]


@lru_cache(maxsize=1)
def land_rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    """The land outline around ÖMS as (lon, lat) rings, from the committed basemap.json."""
    data = json.loads(files(__package__).joinpath("basemap.json").read_text(encoding="utf-8"))
    return tuple(tuple((float(x), float(y)) for x, y in ring) for ring in data["rings"])


def overlaps(a: Box, b: Box) -> bool:
    """Whether two (x0, y0, x1, y1) boxes intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def free_spot(x: float, y: float, width: float, taken: list[Box]) -> tuple[float, str, Box]:
    """The first label position (vertical offset, side) beside (x, y) whose box overlaps nothing taken."""
    candidates = [(dy * sign, side) for dy in range(0, 112, 16) for sign in (1, -1) for side in ("start", "end")]
    for dy, side in candidates:
        left = x + 9 if side == "start" else x - 9 - width
        box = (left, y + dy - 10, left + width, y + dy + 4)
        if not any(overlaps(box, other) for other in taken):
            return dy, side, box
    return 0, "start", (x + 9, y - 10, x + 9 + width, y + 4)


def place_labels(nodes: list[MapNode], char_width: float = 7.4) -> float:
    """Put each label beside its easternmost point, nudged up or down (with a leader line) to avoid overlaps.

    Returns the right edge of the rightmost label.
    """
    taken: list[Box] = [(x - 6, y - 6, x + 6, y + 6) for n in nodes for x, y in n.points]
    for node in sorted(nodes, key=lambda n: min(y for _, y in n.points)):
        x, y = max(node.points)
        dy, side, box = free_spot(x, y, char_width * len(node.name), taken)
        taken.append(box)
        node.label = (x + 9 if side == "start" else x - 9, y + dy + 4, side)
        node.leader = (x, y, node.label[0], y + dy) if dy else None
    return max((box[2] for box in taken), default=0.0)


@dataclass(frozen=True)
class GridLine:
    """One graticule line with its degree label."""

    x1: float
    y1: float
    x2: float
    y2: float
    text: str


@dataclass(frozen=True)
class Frame:
    """An equirectangular projection of a lon/lat box onto the plot (lon scaled by cos(mid-latitude))."""

    west: float
    east: float
    south: float
    north: float
    scale_x: float
    scale_y: float
    margin: float

    @classmethod
    def around(cls, points: list[tuple[float, float]], plot_width: float = 340, margin: float = 24) -> Frame:
        """The frame around `points` (lon, lat) with a little room on every side."""
        lons = [lon for lon, _ in points] or [0.0]
        lats = [lat for _, lat in points] or [0.0]
        west, east, south, north = min(lons) - 0.3, max(lons) + 0.3, min(lats) - 0.25, max(lats) + 0.25
        k = math.cos(math.radians((south + north) / 2))
        scale = plot_width / max((east - west) * k, 1e-9)
        return cls(west, east, south, north, k * scale, scale, margin)

    @property
    def height(self) -> int:
        return round((self.north - self.south) * self.scale_y + 2 * self.margin)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (round(self.margin + (lon - self.west) * self.scale_x, 1),
                round(self.margin + (self.north - lat) * self.scale_y, 1))  # fmt: skip

    def land_path(self) -> str:
        """SVG path data of the land outline in this frame."""
        rings = ([self.project(lon, lat) for lon, lat in ring] for ring in land_rings())
        return "".join("M" + "L".join(f"{x:g} {y:g}" for x, y in ring) + "Z" for ring in rings)


def query_map_frame(site: Site, lang: str) -> dict[str, object]:
    """The node-city map's frame and land, for the query page's map of WKT results (drawn by query.js)."""
    points = [p for node in map_nodes(site, lang) for p in node.points]
    frame = Frame.around(points, plot_width=420)
    width = round(420 + 2 * frame.margin)
    return {"width": width, "height": frame.height, "land": frame.land_path(), "west": frame.west,
            "east": frame.east, "south": frame.south, "north": frame.north, "scale_x": frame.scale_x,
            "scale_y": frame.scale_y, "margin": frame.margin}  # fmt: skip


def layout(
    nodes: list[MapNode], lang: str, plot_width: float = 340, margin: float = 24, land: list[str] | None = None
) -> tuple[int, int, list[GridLine]]:
    """Project the points in place (equirectangular, lon scaled by cos(mid-latitude)); SVG size and graticule.

    When `land` is a list, the land outline's SVG path data (projected the same way) is appended to it.
    """
    frame = Frame.around([p for n in nodes for p in n.points], plot_width, margin)
    west, east, south, north, project = frame.west, frame.east, frame.south, frame.north, frame.project
    for node in nodes:
        node.points = [project(lon, lat) for lon, lat in node.points]
    right = place_labels(nodes)
    width, height = round(max(plot_width + 2 * margin, right + margin / 2)), frame.height
    east_mark = "Ö" if lang == "sv" else "E"
    grid = [GridLine(*project(lon, north), *project(lon, south), f"{lon}° {east_mark}")
            for lon in range(math.ceil(west), math.floor(east) + 1)]  # fmt: skip
    grid += [GridLine(margin, y, width - margin, y, f"{lat}° N")
             for lat in range(math.ceil(south), math.floor(north) + 1) for y in (project(west, lat)[1],)]  # fmt: skip
    if land is not None:
        land.append(frame.land_path())
    return width, height, grid


def node_city_map(site: Site, lang: str, *, highlight: str = "", standalone: bool = False) -> Markup:
    """The node cities as an SVG drawing (inline in pages, or a standalone `/map.svg` document).

    At most MAP_MAX cities are drawn (the highlighted one and the first by name): placing labels costs the
    square of their number, and a page must not grow with the data.
    """
    every = map_nodes(site, lang)
    nodes = [node for node in every if node.points]
    here = site.uris.href(highlight)[0] if highlight else None
    if len(nodes) > MAP_MAX:
        mine = [n for n in nodes if n.href == here]
        nodes = sorted(mine + [n for n in nodes if n.href != here][: MAP_MAX - len(mine)], key=lambda n: n.name)
        every = nodes
    for node in nodes:
        node.highlight = node.href == here
    land: list[str] = []
    width, height, grid = layout(nodes, lang, land=land)
    missing = [node.name for node in every if not node.points]
    legend = [("node", ui(lang)["legend_node"])]
    legend += [("here", ui(lang)["legend_here"])] if here is not None else []
    legend += [("land", ui(lang)["legend_land"]), ("sea", ui(lang)["legend_sea"])]
    svg = render_template("map.html", nodes=nodes, width=width, height=height, grid=grid, t=ui(lang), lang=lang,
                          standalone=standalone, highlighted=here is not None, land=land, legend=legend,
                          missing=missing)  # fmt: skip
    return Markup(svg)


def points_map(site: Site, lang: str, points: list[tuple[str, str, str]]) -> tuple[Markup, int, int]:
    """WKT points of a query result, as (WKT, name, local href), on the node-city map's frame and land.

    Returns the SVG (empty when nothing falls inside), how many points it draws and how many lay outside.
    """
    frame = Frame.around([p for node in map_nodes(site, lang) for p in node.points], plot_width=420)
    drawn: list[MapNode] = []
    outside = 0
    for wkt, name, href in points:
        match = _POINT.match(wkt)
        if not match:
            continue
        lon, lat = float(match.group(1)), float(match.group(2))
        if not (frame.west <= lon <= frame.east and frame.south <= lat <= frame.north):
            outside += 1
            continue
        drawn.append(MapNode(href, name, [frame.project(lon, lat)]))
    if not drawn:
        return Markup(""), 0, outside
    if len(drawn) <= 40:
        place_labels([n for n in drawn if n.name])
    svg = render_template("points_map.html", nodes=drawn, width=round(420 + 2 * frame.margin), height=frame.height,
                          land=frame.land_path(), labelled=len(drawn) <= 40, t=ui(lang))  # fmt: skip
    return Markup(svg), len(drawn), outside
