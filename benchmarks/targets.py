"""The targets of the release issue (#11) and the fast-path issue (#12), judged on one run's figures.

Every target is listed on every run: one whose size (or peer) was not measured says why, as
NOT MEASURED, so a run that leaves something out cannot look like one that met it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .startup import BUILD, BULK_LOAD, SHACL, WARM
from .stats import MB, Stat, fmt_n, fmt_ratio, ratio, stats

GB = 1024 * MB
SIZES = ("oms", "100k", "1m", "10m")
BIG = ("100k", "1m", "10m")
FRONT = "ours+nginx-cache"


@dataclass(frozen=True)
class Target:
    issue: str
    what: str
    measured: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return "NOT MEASURED" if self.met is None else "MET" if self.met else "MISSED"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _absent(result: dict[str, Any], key: str) -> str:
    return f"{key} not in this run"


class _Judge:
    """Collects targets for one run."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.result = result
        self.found: list[Target] = []
        self.tables = {key: stats(size["runs"]) for key, size in result["sizes"].items()}

    def add(self, issue: str, what: str, measured: str, met: bool | None) -> None:
        self.found.append(Target(issue, what, measured, met))

    def stat(self, key: str, server: str, scenario: str, c: int = 8) -> Stat | None:
        found: Stat | None = self.tables.get(key, {}).get((key, server, scenario, c))
        return found

    def why_missing(self, key: str, server: str) -> str:
        size = self.result["sizes"].get(key)
        if size is None:
            return _absent(self.result, key)
        return str(size.get("not_run", {}).get(server) or f"{server} not measured at {key}")

    def ratio(self, issue: str, key: str, what: str, scenario: str, peer: str, least: float) -> None:
        ours, theirs = self.stat(key, "ours", scenario), self.stat(key, peer, scenario)
        value = ratio(ours, theirs)
        label = f"[{key}] {what} ≥ {least:g}× {peer}"
        if theirs is not None and not theirs.rps:
            self.add(issue, label, f"{peer} completed no request in the rounds", None)
            return
        if value is None or ours is None or theirs is None:
            missing = peer if theirs is None and key in self.result["sizes"] else "ours"
            self.add(issue, label, self.why_missing(key, missing), None)
            return
        figure = f"{value:.2f}× ({fmt_n(ours.rps)} / {fmt_n(theirs.rps)} req/s)"
        failed = [f"{name} {stat.errors} errors" for name, stat in (("ours", ours), (peer, theirs)) if stat.errors]
        if failed:  # an error is no answer: a rate made of errors meets nothing
            figure += " with " + ", ".join(failed)
        self.add(issue, label, figure, value >= least and not ours.errors)

    def startup(self, key: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.result["sizes"].get(key, {}).get("startup", {}).get(name) or {}
        return found


def _startup_targets(j: _Judge) -> None:
    for key in ("1m", "10m"):
        base, warm = j.startup(key, BULK_LOAD), j.startup(key, WARM)
        base_s, warm_s = _median(base.get("seconds", [])), _median(warm.get("seconds", []))
        if key not in j.result["sizes"] or base_s is None or warm_s is None:
            why = _absent(j.result, key) if key not in j.result["sizes"] else warm.get("note") or "not measured"
            j.add("#11", f"[{key}] warm start on a built release ≤ 0.5× a fresh bulk_load", why, None)
            j.add("#11", f"[{key}] warm start on a built release < 2 s", why, None)
            continue
        j.add("#11", f"[{key}] warm start on a built release ≤ 0.5× a fresh bulk_load",
              f"{warm_s:.2f} s / {base_s:.2f} s = {warm_s / base_s:.2f}×", warm_s <= 0.5 * base_s)  # fmt: skip
        j.add("#11", f"[{key}] warm start on a built release < 2 s", f"{warm_s:.2f} s", warm_s < 2)
    key = "1m"
    build, base, shacl = j.startup(key, BUILD), j.startup(key, BULK_LOAD), j.startup(key, SHACL)
    build_s, base_s, shacl_s = (_median(x.get("seconds", [])) for x in (build, base, shacl))
    what = "[1m] oms-ld build ≤ 1.3× (bulk_load + whole-graph pySHACL)"
    if build_s is None or base_s is None or shacl_s is None:
        why = _absent(j.result, key) if key not in j.result["sizes"] else (
            build.get("note") or shacl.get("note") or "not measured")  # fmt: skip
        j.add("#11", what, why, None)
    else:
        total = base_s + shacl_s
        j.add("#11", what, f"{build_s:.1f} s / ({base_s:.1f} + {shacl_s:.1f} s) = {build_s / total:.2f}×",
              build_s <= 1.3 * total)  # fmt: skip
    build = j.startup("10m", BUILD)
    rss = _median(build.get("peak_rss", []))
    what = "[10m] oms-ld build completes, peak RSS of its process tree ≤ 8 GB"
    if rss is None:
        why = _absent(j.result, "10m") if "10m" not in j.result["sizes"] else build.get("note") or "not measured"
        j.add("#11", what, why, False if build.get("note", "").startswith("failed") else None)
    else:
        seconds = _median(build["seconds"]) or 0
        j.add("#11", what, f"{rss / GB:.2f} GB (in {seconds:.0f} s)", rss <= 8 * GB)


def _first_use_targets(j: _Judge) -> None:
    for key in SIZES:
        size = j.result["sizes"].get(key)
        what = f"[{key}] first use of VoID, /download/, a dump, /catalog: each answered within 1 s of the start"
        uses = [size["first_use"], *size.get("first_use_more", [])] if size and size.get("first_use") else []
        uses = [u for u in uses if "first_round" in u]  # runs from before releases timed something else
        if not uses:
            j.add("#11", what, _absent(j.result, key) if size is None else "not measured", None)
            continue
        parts = [f"{u['path']} {u['first_round']:.2f} s" + ("" if u["first_round_ok"] else " (not 200)") for u in uses]
        met = len(uses) == 4 and all(u["first_round"] < 1 and u["first_round_ok"] for u in uses)
        j.add("#11", what, "slowest of 8 concurrent: " + ", ".join(parts), met)


def _memory_targets(j: _Judge) -> None:
    mix = j.result["sizes"].get("1m", {}).get("mix")
    oxigraph = j.result["sizes"].get("1m", {}).get("serving_peak", {}).get("oxigraph")
    what = "[1m] tree PSS under the mixed load ≤ 2.5× Oxigraph server's (its peak while serving)"
    if not mix or not oxigraph:
        j.add("#11", what, _absent(j.result, "1m") if "1m" not in j.result["sizes"] else "not measured", None)
    else:
        j.add("#11", what, f"{mix['pss_peak'] / MB:.0f} MB / {oxigraph / MB:.0f} MB = "
              f"{mix['pss_peak'] / oxigraph:.2f}×", mix["pss_peak"] <= 2.5 * oxigraph)  # fmt: skip
    mix = j.result["sizes"].get("10m", {}).get("mix")
    what = "[10m] tree PSS under the mixed load ≤ 2.5 GB"
    if not mix:
        j.add("#11", what, _absent(j.result, "10m") if "10m" not in j.result["sizes"] else "not measured", None)
    else:
        j.add("#11", what, f"{mix['pss_peak'] / GB:.2f} GB", mix["pss_peak"] <= 2.5 * GB)


def _flat_targets(j: _Judge) -> None:
    for scenario, label in (("point uncached", "SPARQL point lookup, uncached"), ("deref", "deref 303→Turtle")):
        what = f"[10m vs 1m] {label} @8: throughput within 20% (≥ 0.8×)"
        small, big = j.stat("1m", "ours", scenario), j.stat("10m", "ours", scenario)
        value = ratio(big, small)
        if value is None or big is None or small is None:
            missing = [k for k in ("1m", "10m") if k not in j.result["sizes"]]
            j.add("#11 #12", what, f"{' and '.join(missing)} not in this run" if missing else "not measured", None)
        else:
            j.add("#11 #12", what, f"{value:.2f}× ({fmt_n(big.rps)} / {fmt_n(small.rps)} req/s)", value >= 0.8)


def _fast_path_targets(j: _Judge) -> None:
    for key in SIZES:
        j.ratio("#12", key, "SPARQL point lookup @8, uncached,", "point uncached", "oxigraph", 0.5)
    for key in BIG:
        j.ratio("#12", key, "SPARQL join @8, uncached,", "join uncached", "oxigraph", 0.75)
        j.ratio("#12", key, "SPARQL CONSTRUCT @8, uncached,", "construct uncached", "oxigraph", 0.75)
        j.ratio("#12", key, "SPARQL GROUP BY over every place @8, uncached,", "groupby uncached", "oxigraph", 1)
    for key in SIZES:
        j.ratio("#12", key, "deref 303→Turtle @8, app alone,", "deref", "nginx", 0.3)
        j.ratio("#12", key, "HTML page @8, app alone,", "html", "nginx", 0.25)
    for scenario, label in (("deref", "deref 303→Turtle"), ("point uncached", "SPARQL point lookup, uncached")):
        s = j.stat("oms", "ours", scenario)
        what = f"[oms] {label}: p99 @8, app alone, < 10 ms"
        if s is None:
            j.add("#12", what, _absent(j.result, "oms") if "oms" not in j.result["sizes"] else "not measured", None)
        else:
            j.add("#12", what, f"{s.p99:.1f} ms", s.p99 < 10)


def _mix_targets(j: _Judge) -> None:
    ran = [(key, size["mix"]) for key, size in j.result["sizes"].items() if size.get("mix")]
    if not ran:
        j.add("#12", "mixed load with 16 slow clients attached", "not in this run", None)
    for key, mix in ran:
        slow = mix.get("slow_clients") or {}
        clients = sum(c["clients"] for c in slow.values())
        attached = f", {clients} slow clients attached" if slow else ", NO slow clients"
        j.add("#12", f"[{key}] {mix['seconds']} s mixed load{attached}: 0 errors",
              f"{mix['errors']} errors of {mix['requests']} requests", mix["errors"] == 0 and bool(slow))  # fmt: skip
        cheap = mix.get("cheap")
        if cheap:
            j.add("#12", f"[{key}] mixed load: p99 of the cheap requests < 50 ms",
                  f"{cheap['p99_ms']:.1f} ms ({cheap['requests']} cheap requests)", cheap["p99_ms"] < 50)  # fmt: skip
        allowed = max(8 * MB, 0.02 * mix["pss_first10"])
        j.add("#12", f"[{key}] mixed load: memory flat (median PSS of the last 10 s ≤ the first 10 s + "
              "max(8 MB, 2 %))", f"{mix['pss_first10'] / MB:.0f} → {mix['pss_last10'] / MB:.0f} MB "
              f"({mix['growth'] / MB:+.0f} MB; samples {mix.get('pss_start', 0) / MB:.0f} → "
              f"{mix.get('pss_end', 0) / MB:.0f} MB)", mix["growth"] <= allowed)  # fmt: skip


CHECKS: tuple[Callable[[_Judge], None], ...] = (_startup_targets, _first_use_targets, _memory_targets, _flat_targets,
                                                _fast_path_targets, _mix_targets)  # fmt: skip


def targets(result: dict[str, Any]) -> list[Target]:
    """Every target of #11 and #12, judged on `result` (NOT MEASURED with the reason where it was not run)."""
    judge = _Judge(result)
    for check in CHECKS:
        check(judge)
    return judge.found


__all__ = ["Target", "targets", "fmt_ratio"]
