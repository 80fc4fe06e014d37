"""Turn the measurements into tables: medians with spread, ratios taken in the same run, and the targets."""

from __future__ import annotations

import statistics
from typing import Any

from .startup import BULK_LOAD, SHACL
from .stats import MB, fmt_n, fmt_ratio, ratio, stats
from .targets import targets

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


def server_label(name: str) -> str:
    return SERVERS.get(name, name)


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
                lines.append(f"{LABELS[scenario]:<28} {name:<{w}} {c:>2} {fmt_n(s.rps):>13} {s.spread:>17} "
                             f"{s.p50:>8.2f} {s.p99:>8.2f} {s.mb_per_s:>7.1f} {s.errors:>4}")  # fmt: skip
    lines += ["", f"{'ratio (same run): ours ÷ peer':<72} {'c=1':>8} {'c=8':>8}"]
    for scenario in order:
        peers = [PEERS[scenario]] if scenario in PEERS else (
            ["oxigraph", "rdflib-endpoint"] if scenario.endswith("uncached") else [])  # fmt: skip
        pairs = [("ours", peer) for peer in peers]
        if scenario in ("deref", "html"):
            pairs.append((FRONT, "nginx"))
        for ours, peer in pairs:
            r1 = ratio(table.get((key, ours, scenario, 1)), table.get((key, peer, scenario, 1)))
            r8 = ratio(table.get((key, ours, scenario, 8)), table.get((key, peer, scenario, 8)))
            if r1 is None and r8 is None:
                continue
            label = LABELS[scenario] + (f" ({server_label(ours)})" if ours != "ours" else "") + " vs " + peer
            lines.append(f"{label:<72} {fmt_ratio(r1):>8} {fmt_ratio(r8):>8}")
    return lines


def _startup_rows(size: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """(name, median s, range, peak PSS MB, peak RSS MB, note) per startup entry, with bulk_load + pySHACL summed."""
    rows = []
    entries = dict(size["startup"])
    base = entries.get(BULK_LOAD, {})
    for name, s in entries.items():
        seconds = s["seconds"]
        if not seconds:
            rows.append((name, "—", "", "", "", s["note"]))
            continue
        rss = s.get("peak_rss") or []
        note = s["note"]
        if s.get("parts"):
            note += "; " + ", ".join(f"{k} {v:.1f} s" for k, v in s["parts"][0].items())
        rows.append((name, f"{statistics.median(seconds):.2f}", f"{min(seconds):.2f}–{max(seconds):.2f}",
                     f"{statistics.median(s['peak_pss']) / MB:.0f}",
                     f"{statistics.median(rss) / MB:.0f}" if rss else "", note))  # fmt: skip
        if name == SHACL and base.get("seconds"):
            total = statistics.median(base["seconds"]) + statistics.median(seconds)
            rows.append((f"{BULK_LOAD} + pySHACL", f"{total:.2f}", "", "", "", "the sum of the two medians above"))
    return rows


def startup_table(size: dict[str, Any]) -> list[str]:
    lines = [f"{'startup':<30} {'s median':>9} {'[min–max]':>15} {'peak PSS MB':>12} {'peak RSS MB':>12}  note"]
    for name, median, spread, pss, rss, note in _startup_rows(size):
        lines.append(f"{name:<30} {median:>9} {spread:>15} {pss:>12} {rss:>12}  {note}")
    lines += [f"then {first_use_text(first)}" for first in _first_uses(size)]
    lines += [f"not run: {name}: {why.removeprefix('not run: ')}" for name, why in size.get("not_run", {}).items()]
    export = size.get("export")
    if export:
        lines.append(f"static export for nginx: {export['seconds']:.1f} s, {export['bytes'] / MB:.0f} MB on disk, "
                     f"peak RSS {export['peak_rss'] / MB:.0f} MB")  # fmt: skip
    return lines


def _first_uses(size: dict[str, Any]) -> list[dict[str, Any]]:
    return ([size["first_use"]] if size.get("first_use") else []) + list(size.get("first_use_more", []))


def first_use_text(first: dict[str, Any]) -> str:
    """One line on the first requests of a published file right after the (last warm) start."""
    if "first_round" not in first:  # a run from before releases
        took = f"after {first['seconds']:.2f} s" if first["seconds"] is not None else f"never: {first['note']}"
        return f"first use, GET {first['path']}: every worker answers within 1 s {took}"
    rounds = len(first["rounds"])
    then = "" if rounds == 1 else (f"; all within 1 s after {first['seconds']:.2f} s ({rounds} rounds)"
                                   if first["seconds"] is not None else f"; {first['note']}")  # fmt: skip
    bad = "" if first["first_round_ok"] else f" (statuses {sorted(set(first['statuses'][0]))})"
    return (f"first use, GET {first['path']}: 8 concurrent right after the start, the slowest "
            f"{first['first_round']:.3f} s to its first 64 KB{bad}{then}; tree PSS then "
            f"{first['pss_after'] / MB:.0f} MB")  # fmt: skip


def mix_text(m: dict[str, Any]) -> str:
    text = (f"mixed load {m['seconds']} s @8: {m['rps']:.0f} req/s, {m['errors']} errors; everything (6 connections) "
            f"p50 {m['p50_ms']:.2f} ms, p99 {m['p99_ms']:.2f} ms")  # fmt: skip
    if m.get("cheap"):
        c = m["cheap"]
        text += f"; the cheap requests (2 connections) p50 {c['p50_ms']:.2f} ms, p99 {c['p99_ms']:.2f} ms"
    text += f"; PSS {m['pss_first10'] / MB:.0f} → {m['pss_last10'] / MB:.0f} MB (first/last 10 s)"
    if "pss_peak" in m:
        text += f", peak {m['pss_peak'] / MB:.0f} MB"
    if m.get("statuses"):
        text += "; answers by status " + ", ".join(f"{k}: {v}" for k, v in m["statuses"].items())
    for kind, c in (m.get("slow_clients") or {}).items():
        got = ", ".join(f"{k}: {v}" for k, v in sorted(c["statuses"].items())) or "no answer"
        text += (f"\n  {c['clients']} {kind}: {c['connections']} connections, {c['closed_by_server']} closed "
                 f"by the server, {c['connect_errors']} refused; answers {got}; {c['bytes_read'] / 1024:.0f} KB "
                 "read")  # fmt: skip
    return text


def render(result: dict[str, Any]) -> str:
    env = result["environment"]
    lines = [f"oms-ld benchmarks, {env['when']}: {env['cpus']} CPUs, load average {env['load_average'][0]:.2f} at "
             f"start, {env.get('load_average_end', [0])[0]:.2f} at end; {result.get('minutes', '?')} min",
             f"wrk {env['wrk']}; {env['nginx']}; {env['oxigraph']}; pyoxigraph {env['pyoxigraph']}; "
             f"rdflib {env['rdflib']}; {env['rdflib-endpoint']}", ""]  # fmt: skip
    for size in result["sizes"].values():
        triples = f", {fmt_n(size['triples'])} synthetic triples" if size.get("triples") else ""
        lines += [f"== {size['label']}{triples} ==", *startup_table(size), "", *load_table(size), ""]
        peaks = ", ".join(f"{server_label(k)} {v / MB:.0f} MB" for k, v in size.get("serving_peak", {}).items())
        if peaks:
            lines += [f"peak PSS while serving: {peaks}", ""]
        if size.get("mix"):
            lines += [mix_text(size["mix"]), ""]
    lines.append("== targets (#11 releases, #12 fast path) ==")
    found = targets(result)
    w = max(len(t.what) for t in found)
    for t in found:
        lines.append(f"{t.verdict:<13} {t.issue:<7} {t.what:<{w}}  {t.measured}")
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    """The README's tables: startup per size, then req/s and p99 at 8 connections with the same-run ratios."""
    env = result["environment"]
    end = env.get("load_average_end", [0])[0]
    lines = [f"Run of {env['when']} ({result.get('minutes', '?')} min), {env['cpus']} CPUs, load average "
             f"{env['load_average'][0]:.1f} at start and {end:.1f} at end.", ""]  # fmt: skip
    for size in result["sizes"].values():
        triples = f" ({fmt_n(size['triples'])} synthetic triples)" if size.get("triples") else ""
        lines += [
            f"**{size['label']}{triples}**",
            "",
            "| startup | seconds (median, range) | peak PSS MB | peak RSS MB | note |",
            "|---|---|---|---|---|",
        ]
        for name, median, spread, pss, rss, note in _startup_rows(size):
            lines.append(f"| {name} | {median}{f' ({spread})' if spread else ''} | {pss} | {rss} | {note} |")
        lines += [""] + [f"Then {first_use_text(first)}." for first in _first_uses(size)]
        lines += [f"Not run: {name}: {why.removeprefix('not run: ')}." for name, why in size.get("not_run", {}).items()]
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
                mine = f"{fmt_n(ours.rps)} ({ours.p99:.1f})" if i == 0 else ""
                theirs = "" if s is None else f"{fmt_n(s.rps)} ({s.p99:.1f})"
                shown = "" if s is None else fmt_ratio(ratio(ours, s))
                if peer == FRONT and s is not None:
                    shown = f"cache ÷ nginx: {fmt_ratio(ratio(s, nginx))}"
                label = LABELS[scenario] if i == 0 else ""
                lines.append(f"| {label} | {mine} | {server_label(peer)} | {theirs} | {shown} |")
        if size.get("mix"):
            lines += ["", mix_text(size["mix"]).replace("\n  ", "; ") + "."]
        peaks = ", ".join(f"{server_label(k)} {v / MB:.0f} MB" for k, v in size.get("serving_peak", {}).items())
        lines += ["", f"Peak PSS while serving: {peaks}.", ""]
    lines += ["**Targets**", "", "| verdict | issue | target | measured |", "|---|---|---|---|"]
    lines += [f"| {t.verdict} | {t.issue} | {t.what} | {t.measured} |" for t in targets(result)]
    return "\n".join(lines) + "\n"
