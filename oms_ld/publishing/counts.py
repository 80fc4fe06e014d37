"""How many things of each class the data holds under `{base}id/`: the landing page's counts.

Two aggregates over every typed subject, seconds at millions of triples, so a release computes them
once when it is built (`manifest.json` → `class_counts`); a site without a release asks its store.
Flask-free.
"""

from __future__ import annotations

from typing import Any

from ..rdf.queries import iri_ref
from ..store import Store, select_rows


def class_counts(store: Store, base: str, data_graph: str) -> dict[str, Any]:
    """{"classes": {class IRI: distinct subjects}, "resources": distinct typed subjects}, from the data graph."""
    under = f"FILTER(STRSTARTS(STR(?s), STR({iri_ref(base + 'id/')})))"
    data = [data_graph]
    sizes = {row["class"]: int(row["n"]) for row in select_rows(
        store, f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class {under} }} GROUP BY ?class",
        default_graphs=data)}  # fmt: skip
    total = select_rows(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class {under} }}",
                        default_graphs=data)  # fmt: skip
    return {"classes": dict(sorted(sizes.items())), "resources": int(total[0]["n"]) if total else 0}
