"""Startup measurements: the baselines (a bare bulk_load, whole-graph pySHACL), `oms-ld build`, server starts.

Every figure is a fresh process: wall time from the parent, memory from /proc (the whole process
tree) or from the process's own `ru_maxrss`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import procs

ROOT = Path(__file__).resolve().parent.parent

BULK_LOAD = "bulk_load"
SHACL = "pySHACL (whole graph)"
BUILD = "oms-ld build"
WARM = "ours (warm: built release)"


@dataclass
class Startup:
    """Startup measurements of one thing at one size (one entry per repetition)."""

    seconds: list[float] = field(default_factory=list)
    peak_pss: list[int] = field(default_factory=list)
    #: Servers: the master's VmHWM. Commands: the biggest single process's ru_maxrss.
    peak_hwm: list[int] = field(default_factory=list)
    #: Commands: the peak of the tree's summed RSS (sampled); bare Python baselines: their ru_maxrss.
    peak_rss: list[int] = field(default_factory=list)
    note: str = ""
    #: Figures of the parts (seconds), one dict per repetition.
    parts: list[dict[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def content_files(data_dir: Path) -> list[str]:
    return [str(p) for d in (ROOT / "ontology", data_dir, ROOT / "shapes") for p in sorted(d.iterdir())
            if p.suffix in (".ttl", ".nt")]  # fmt: skip


_BULK_LOAD = """\
import sys, resource, pyoxigraph as ox
s = ox.Store()
for f in sys.argv[1:]:
    s.bulk_load(path=f, to_graph=ox.NamedNode('urn:g:' + f))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, len(s))
"""


def bulk_load_baseline(data_dir: Path, reps: int) -> Startup:
    """A bare pyoxigraph bulk_load of the same files into an in-memory store, in a fresh process."""
    result = Startup(note="a fresh `python -c` doing Store().bulk_load of the same files (wall time; ru_maxrss)")
    for _ in range(reps):
        seconds, out = procs.run_measured([sys.executable, "-c", _BULK_LOAD, *content_files(data_dir)], limit=3600)
        rss, _ = out.split()
        result.seconds.append(seconds)
        result.peak_pss.append(int(rss))
        result.peak_hwm.append(int(rss))
        result.peak_rss.append(int(rss))
    return result


_SHACL = """\
import json, resource, sys, time
began = time.monotonic()
from oms_ld.config import load_settings
from oms_ld.rdf.sources import load_sources
from oms_ld.publishing.validation import validate_graph
sources = load_sources(load_settings())
graphs = (sources.data, sources.shapes, sources.ontology)
parsed = time.monotonic()
report = validate_graph(*graphs)
done = time.monotonic()
print(json.dumps({"parse": parsed - began, "validate": done - parsed, "conforms": report.conforms,
                  "triples": len(sources.data), "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def shacl_baseline(env: dict[str, str], reps: int, limit: float) -> Startup:
    """Whole-graph pySHACL in a fresh process: rdflib parses the content, `validate_graph` validates it."""
    result = Startup(note="a fresh process: rdflib parses the content, then oms_ld's validate_graph "
                          "(pySHACL over the whole graph); seconds = parse + validate")  # fmt: skip
    for _ in range(reps):
        seconds, out = procs.run_measured([sys.executable, "-c", _SHACL], env=env, limit=limit)
        found = json.loads(out.strip().splitlines()[-1])
        if not found["conforms"]:
            raise RuntimeError("the benchmark data does not conform to the shapes")
        result.seconds.append(found["parse"] + found["validate"])
        result.parts.append({"parse": round(found["parse"], 2), "validate": round(found["validate"], 2),
                             "process": round(seconds, 2)})  # fmt: skip
        result.peak_pss.append(found["maxrss"])
        result.peak_hwm.append(found["maxrss"])
        result.peak_rss.append(found["maxrss"])
    return result


def measure_build(env: dict[str, str], reps: int, limit: float, log: Path, before: Callable[[], None]) -> Startup:
    """`oms-ld build` into an emptied releases folder, `reps` times: wall time, the tree's peak RSS and PSS."""
    result = Startup(note="`python -m oms_ld build` into an empty CACHE_DIR (validation, store, dumps, description); "
                          "peak RSS: the tree's sum (sampled every 0.5 s) or its biggest process's HWM")  # fmt: skip
    for _ in range(reps):
        before()
        done = procs.run_sampled([sys.executable, "-m", "oms_ld", "build"], log=log, env=env, limit=limit)
        if done.returncode != 0:
            raise RuntimeError(f"oms-ld build failed ({done.returncode}): {done.stdout.strip()[-1500:]}")
        result.seconds.append(done.seconds)
        result.peak_pss.append(done.peak_pss)
        result.peak_hwm.append(done.max_hwm)
        result.peak_rss.append(max(done.peak_rss, done.max_hwm))
    return result


def measure_startups(server: Callable[[], procs.Server], reps: int, result: Startup, keep_last: bool = True,
                     before: Callable[[], None] | None = None) -> procs.Server | None:  # fmt: skip
    """Start `reps` times (calling `before` first each time); record each; keep the last one running (`keep_last`)."""
    last = None
    for i in range(reps):
        if before is not None:
            before()
        started = server()
        result.seconds.append(started.startup)
        result.peak_pss.append(started.startup_pss)
        result.peak_hwm.append(started.startup_hwm)
        if keep_last and i == reps - 1:
            last = started
        else:
            started.stop()
    return last
