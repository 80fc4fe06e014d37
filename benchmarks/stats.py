"""Medians over rounds, their spread, and ratios of medians taken in the same run."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class Stat:
    """Medians over the rounds of one (size, server, scenario, connections)."""

    rps: float
    rps_min: float
    rps_max: float
    p50: float
    p99: float
    errors: int
    mb_per_s: float

    @property
    def spread(self) -> str:
        return f"{fmt_n(self.rps_min)}–{fmt_n(self.rps_max)}"


def fmt_n(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def stats(runs: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str, int], Stat]:
    grouped: dict[tuple[str, str, str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        grouped[(r["size"], r["server"], r["scenario"], r["connections"])].append(r)
    found = {}
    for key, rows in grouped.items():
        rps = [r["rps"] for r in rows]
        found[key] = Stat(
            rps=statistics.median(rps),
            rps_min=min(rps),
            rps_max=max(rps),
            p50=statistics.median(r["p50_ms"] for r in rows),
            p99=statistics.median(r["p99_ms"] for r in rows),
            errors=sum(r["errors"] for r in rows),
            mb_per_s=statistics.median(r["bytes"] / r["seconds"] / MB for r in rows if r["seconds"]),
        )
    return found


def ratio(a: Stat | None, b: Stat | None) -> float | None:
    if a is None or b is None or not b.rps:
        return None
    return a.rps / b.rps


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
