"""Turn the measurements into tables: medians with spread, ratios taken in the same run, and the targets."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024
PEERS = {"deref": "nginx", "html": "nginx", "dump": "nginx"}
SPARQL = ("point", "join", "groupby", "construct")
LABELS = {
    "deref": "deref 303→Turtle",
    "html": "HTML page",
    "dump": "dump .ttl",
    **{f"{q} {v}": f"SPARQL {q} ({v})" for q in SPARQL for v in ("cached", "uncached")},
}
FRONT = "ours+nginx-cache"
#: How servers are named in the tables (the JSON keeps the short keys).
SERVERS = {FRONT: "deployment: nginx proxy_cache in front"}
COLD, WARM = "ours (cold)", "ours (warm)"


def server_label(name: str) -> str:
    return SERVERS.get(name, name)


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
        return f"{_n(self.rps_min)}–{_n(self.rps_max)}"


def _n(value: float) -> str:
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


def _ratio(a: Stat | None, b: Stat | None) -> float | None:
    if a is None or b is None or not b.rps:
        return None
    return a.rps / b.rps


def _fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def load_table(size: dict[str, Any]) -> list[str]:
    table = stats(size["runs"])
    key = size["size"]
    servers = ("ours", FRONT, "nginx", "oxigraph", "rdflib-endpoint")
    w = max(len(server_label(name)) for name in servers)
    lines = [f"{'scenario':<28} {'server':<{w}} {'c':>2} {'req/s median':>13} {'[min–max]':>17} {'p50 ms':>8} "
             f"{'p99 ms':>8} {'MB/s':>7} {'err':>4}"]  # fmt: skip
    order = ["deref", "html", *(f"{q} {v}" for q in SPARQL for v in ("cached", "uncached")), "dump"]
    for scenario in order:
        for server in servers:
            for c in (1, 8):
                s = table.get((key, server, scenario, c))
                if s is None:
                    continue
                name = server_label(server)
                lines.append(f"{LABELS[scenario]:<28} {name:<{w}} {c:>2} {_n(s.rps):>13} {s.spread:>17} "
                             f"{s.p50:>8.2f} {s.p99:>8.2f} {s.mb_per_s:>7.1f} {s.errors:>4}")  # fmt: skip
    lines += ["", f"{'ratio (same run): ours ÷ peer':<72} {'c=1':>8} {'c=8':>8}"]
    for scenario in order:
        peers = [PEERS[scenario]] if scenario in PEERS else (
            ["oxigraph", "rdflib-endpoint"] if scenario.endswith("uncached") else [])  # fmt: skip
        pairs = [("ours", peer) for peer in peers]
        if scenario in ("deref", "html"):
            pairs.append((FRONT, "nginx"))
        for ours, peer in pairs:
            r1 = _ratio(table.get((key, ours, scenario, 1)), table.get((key, peer, scenario, 1)))
            r8 = _ratio(table.get((key, ours, scenario, 8)), table.get((key, peer, scenario, 8)))
            if r1 is None and r8 is None:
                continue
            label = LABELS[scenario] + (f" ({server_label(ours)})" if ours != "ours" else "") + " vs " + peer
            lines.append(f"{label:<72} {_fmt_ratio(r1):>8} {_fmt_ratio(r8):>8}")
    return lines


def startup_table(size: dict[str, Any]) -> list[str]:
    lines = [f"{'startup':<22} {'s median':>9} {'[min–max]':>15} {'peak PSS MB':>12} {'master HWM MB':>14}  note"]
    for name, s in size["startup"].items():
        seconds = s["seconds"]
        if seconds:
            spread = f"{min(seconds):.2f}–{max(seconds):.2f}"
            pss = statistics.median(s["peak_pss"]) / MB
            hwm = statistics.median(s["peak_hwm"]) / MB
            lines.append(f"{name:<22} {statistics.median(seconds):>9.2f} {spread:>15} {pss:>12.0f} {hwm:>14.0f}  "
                         f"{s['note']}")  # fmt: skip
        else:
            lines.append(f"{name:<22} {'—':>9} {'':>15} {'':>12} {'':>14}  {s['note']}")
    first = size.get("first_use")
    if first:
        lines.append(f"then {first_use_text(first)}")
    lines += [f"then {more_text(more)}" for more in size.get("first_use_more", [])]
    return lines


def more_text(first: dict[str, Any]) -> str:
    """One line on the first requests of another path (measured after VoID's)."""
    took = f"after {first['seconds']:.2f} s" if first["seconds"] is not None else f"never: {first['note']}"
    return (f"first use, GET {first['path']}: every worker answers within 1 s {took} "
            f"({len(first['rounds'])} round(s)); tree PSS then {first['pss_after'] / MB:.0f} MB")


def first_use_text(first: dict[str, Any]) -> str:
    """One line on the first requests of the dataset description after the (last warm) start."""
    mb, limit = first["content_bytes"] / 1e6, first.get("limit_bytes", 10_000_000) / 1e6
    when = f"content {mb:.1f} MB {'>' if first['lazy'] else '≤'} PRECOMPUTE_MAX_BYTES {limit:g} MB: dumps and "
    when += "description built on first use" if first["lazy"] else "description built at start"
    took = f"after {first['seconds']:.2f} s" if first["seconds"] is not None else f"never: {first['note']}"
    return (f"first use, GET {first['path']} ({when}): every worker answers within 1 s {took} "
            f"({len(first['rounds'])} round(s) of 8 concurrent requests); tree PSS then "
            f"{first['pss_after'] / MB:.0f} MB")  # fmt: skip


@dataclass(frozen=True)
class Target:
    what: str
    measured: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return "NOT MEASURED" if self.met is None else "MET" if self.met else "MISSED"


def targets(result: dict[str, Any]) -> list[Target]:
    found: list[Target] = []
    for key, size in result["sizes"].items():
        table = stats(size["runs"])

        def s(server: str, scenario: str, c: int = 8, key: str = key, table: Any = table) -> Stat | None:
            found_stat: Stat | None = table.get((key, server, scenario, c))
            return found_stat

        def ratio_target(what: str, a: Stat | None, b: Stat | None, least: float, key: str = key) -> None:
            value = _ratio(a, b)
            found.append(Target(f"[{key}] {what} ≥ {least:g}×", _fmt_ratio(value),
                                None if value is None else value >= least))  # fmt: skip

        ratio_target("SPARQL point lookup @8, uncached, vs rdflib-endpoint", s("ours", "point uncached"),
                     s("rdflib-endpoint", "point uncached"), 3)  # fmt: skip
        ratio_target("SPARQL point lookup @8, uncached, vs Oxigraph server", s("ours", "point uncached"),
                     s("oxigraph", "point uncached"), 0.3)  # fmt: skip
        ratio_target("SPARQL join @8, uncached, vs Oxigraph server", s("ours", "join uncached"),
                     s("oxigraph", "join uncached"), 0.75)  # fmt: skip
        ratio_target("SPARQL GROUP BY @8, uncached, vs Oxigraph server", s("ours", "groupby uncached"),
                     s("oxigraph", "groupby uncached"), 0.75)  # fmt: skip
        ratio_target("deref 303→Turtle @8, warm, vs nginx on the export", s("ours", "deref"), s("nginx", "deref"), 0.3)
        deref = s("ours", "deref")
        found.append(Target(f"[{key}] deref p99 @8 < 10 ms", "—" if deref is None else f"{deref.p99:.1f} ms",
                            None if deref is None else deref.p99 < 10))  # fmt: skip
        front = s(FRONT, "deref")
        ratio_target(f"{SERVERS[FRONT]}: deref 303→Turtle @8 vs nginx on the export", front, s("nginx", "deref"), 0.3)
        found.append(Target(f"[{key}] {SERVERS[FRONT]}: deref p99 @8 < 10 ms",
                            "—" if front is None else f"{front.p99:.1f} ms",
                            None if front is None else front.p99 < 10))  # fmt: skip
    found += startup_targets(result)
    for key, size in result["sizes"].items():
        mix = size.get("mix")
        if not mix:
            continue
        found.append(Target(f"[{key}] {mix['seconds']} s mixed load @8: 0 errors", f"{mix['errors']} errors of "
                            f"{mix['requests']} requests", mix["errors"] == 0))  # fmt: skip
        allowed = max(8 * MB, 0.02 * mix["pss_first10"])
        found.append(Target(f"[{key}] no memory growth, first vs last 10 s (allowing max(8 MB, 2 %))",
                            f"{mix['pss_first10'] / MB:.0f} → {mix['pss_last10'] / MB:.0f} MB "
                            f"({mix['growth'] / MB:+.0f} MB)", mix["growth"] <= allowed))  # fmt: skip
    return found


def startup_targets(result: dict[str, Any]) -> list[Target]:
    found = []
    big = result["sizes"].get("1m")
    if big is None:
        found.append(Target("[1m] warm startup ≤ 1.5× bulk_load", "size not run", None))
    else:
        base = big["startup"].get("bulk_load", {})
        ours = big["startup"].get(WARM, {})
        base_s, ours_s = _median(base.get("seconds", [])), _median(ours.get("seconds", []))
        if base_s and ours_s:
            found.append(Target("[1m] warm startup ≤ 1.5× bulk_load", f"{ours_s:.2f} s / {base_s:.2f} s = "
                                f"{ours_s / base_s:.2f}×", ours_s <= 1.5 * base_s))  # fmt: skip
            base_m, ours_m = _median(base["peak_pss"]), _median(ours["peak_pss"])
            assert base_m is not None and ours_m is not None
            found.append(Target("[1m] warm startup peak memory ≤ 1.5× bulk_load", f"{ours_m / MB:.0f} MB / "
                                f"{base_m / MB:.0f} MB = {ours_m / base_m:.2f}×", ours_m <= 1.5 * base_m))  # fmt: skip
        else:
            note = ours.get("note") or "not measured"
            found.append(Target("[1m] warm startup ≤ 1.5× bulk_load", note, False if ours else None))
    oms = result["sizes"].get("oms")
    for name, label in ((COLD, "cold"), (WARM, "warm")):
        measured = (oms or {}).get("startup", {}).get(name) or {}
        seconds = _median(measured.get("seconds", []))
        text = f"{seconds:.2f} s ({seconds / 2:.2f}× the limit)" if seconds is not None else measured.get("note", "—")
        found.append(Target(f"[oms] ÖMS data starts < 2 s, {label}", text or "—",
                            None if seconds is None else seconds < 2))  # fmt: skip
    return found


def render(result: dict[str, Any]) -> str:
    env = result["environment"]
    lines = [f"oms-ld benchmarks, {env['when']}: {env['cpus']} CPUs, load average {env['load_average'][0]:.2f} at "
             f"start, {env.get('load_average_end', [0])[0]:.2f} at end; {result.get('minutes', '?')} min",
             f"wrk {env['wrk']}; {env['nginx']}; {env['oxigraph']}; pyoxigraph {env['pyoxigraph']}; "
             f"rdflib {env['rdflib']}; {env['rdflib-endpoint']}", ""]  # fmt: skip
    for size in result["sizes"].values():
        triples = f", {size['triples']:,} synthetic triples".replace(",", " ") if size.get("triples") else ""
        lines += [f"== {size['label']}{triples} ==", *startup_table(size), "", *load_table(size), ""]
        peaks = ", ".join(f"{server_label(k)} {v / MB:.0f} MB" for k, v in size.get("serving_peak", {}).items())
        if peaks:
            lines += [f"peak PSS while serving: {peaks}", ""]
        if size.get("mix"):
            m = size["mix"]
            lines += [f"mixed load {m['seconds']} s @8: {m['rps']:.0f} req/s, p50 {m['p50_ms']:.2f} ms, "
                      f"p99 {m['p99_ms']:.2f} ms, {m['errors']} errors; PSS {m['pss_first10'] / MB:.0f} → "
                      f"{m['pss_last10'] / MB:.0f} MB", ""]  # fmt: skip
    lines.append("== targets ==")
    for t in targets(result):
        lines.append(f"{t.verdict:<13} {t.what}: {t.measured}")
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    """The README's tables: startup per size, then req/s and p99 at 8 connections with the same-run ratios."""
    env = result["environment"]
    end = env.get("load_average_end", [0])[0]
    lines = [f"Run of {env['when']} ({result.get('minutes', '?')} min), {env['cpus']} CPUs, load average "
             f"{env['load_average'][0]:.1f} at start and {end:.1f} at end.", ""]  # fmt: skip
    for size in result["sizes"].values():
        triples = f" ({size['triples']:,} synthetic triples)".replace(",", " ") if size.get("triples") else ""
        lines += [f"**{size['label']}{triples}**", "", "| startup | seconds (median, range) | peak PSS MB |",
                  "|---|---|---|"]  # fmt: skip
        for name, s in size["startup"].items():
            if s["seconds"]:
                lines.append(f"| {name} | {statistics.median(s['seconds']):.2f} ({min(s['seconds']):.2f}–"
                             f"{max(s['seconds']):.2f}) | {statistics.median(s['peak_pss']) / MB:.0f} |")  # fmt: skip
            else:
                lines.append(f"| {name} | {s['note']} | |")
        if size.get("first_use"):
            lines += ["", f"Then {first_use_text(size['first_use'])}."]
        lines += [f"Then {more_text(more)}." for more in size.get("first_use_more", [])]
        table = stats(size["runs"])
        key = size["size"]
        lines += ["", "| at 8 connections | ours req/s (p99 ms) | peer | peer req/s (p99 ms) | ratio |",
                  "|---|---|---|---|---|"]  # fmt: skip
        order = ["deref", "html", *(f"{q} {v}" for q in SPARQL for v in ("cached", "uncached")), "dump"]
        for scenario in order:
            ours = table.get((key, "ours", scenario, 8))
            if ours is None:
                continue
            peers = [PEERS[scenario]] if scenario in PEERS else (
                ["oxigraph", "rdflib-endpoint"] if scenario.endswith("uncached") else [])  # fmt: skip
            rows = [(p, table.get((key, p, scenario, 8))) for p in peers]
            if scenario in ("deref", "html"):
                rows.insert(0, (FRONT, table.get((key, FRONT, scenario, 8))))
            rows = [(p, s) for p, s in rows if s is not None] or [("", None)]
            nginx = table.get((key, "nginx", scenario, 8))
            for i, (peer, s) in enumerate(rows):
                mine = f"{_n(ours.rps)} ({ours.p99:.1f})" if i == 0 else ""
                theirs = "" if s is None else f"{_n(s.rps)} ({s.p99:.1f})"
                ratio = "" if s is None else _fmt_ratio(_ratio(ours, s))
                if peer == FRONT and s is not None:
                    ratio = f"cache ÷ nginx: {_fmt_ratio(_ratio(s, nginx))}"
                label = LABELS[scenario] if i == 0 else ""
                lines.append(f"| {label} | {mine} | {server_label(peer)} | {theirs} | {ratio} |")
        mix = size.get("mix")
        if mix:
            lines += ["", f"Mixed load, {mix['seconds']} s at 8 connections: {mix['rps']:.0f} req/s, p99 "
                      f"{mix['p99_ms']:.0f} ms, {mix['errors']} errors; PSS {mix['pss_first10'] / MB:.0f} MB in the "
                      f"first 10 s, {mix['pss_last10'] / MB:.0f} MB in the last 10 s."]  # fmt: skip
        peaks = ", ".join(f"{server_label(k)} {v / MB:.0f} MB" for k, v in size.get("serving_peak", {}).items())
        lines += ["", f"Peak PSS while serving: {peaks}.", ""]
    lines += ["**Targets**", "", "| verdict | target | measured |", "|---|---|---|"]
    lines += [f"| {t.verdict} | {t.what} | {t.measured} |" for t in targets(result)]
    return "\n".join(lines) + "\n"
