"""The benchmark run: data sizes × servers × scenarios, side by side on this machine, medians and ratios.

Per data size: startup of each server (time until the first 200, peak memory), then every load
scenario at 1 and 8 connections, repeated in rounds (every scenario once per round, so drift hits
all servers alike). Our app is the shipped `python -m oms_ld serve` (granian, 2 workers × 4
threads, no access log) with `OMS_LD_CACHE_DIR` in a benchmark-owned folder per size (under
benchmarks/results/oms-ld-cache/, never ~/.cache): "cold" starts with that folder empty (pySHACL
validates, the server records the result), "warm" starts with the recorded validation. The peers
are nginx on the static export, Oxigraph's server on a store loaded with the same data, and
rdflib-endpoint; the deployment "nginx proxy_cache in front" puts a caching nginx before our app.
"""

from __future__ import annotations

import getpass
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from oms_ld.config import Settings

from . import generate, load, procs, setup_tools
from .load import Request, Scenario

PRECOMPUTE_MAX_BYTES = Settings().precompute_max_bytes
#: Time limit of a start at a size without its own limits in the plan (10m: asked for with --size only).
BIG_LIMIT = 7200.0
#: Paths whose first use after a warm start is measured besides VoID: the index, a dump, the catalogue.
FIRST_USE_MORE = ("/download/", "/download/oms-ld-latest.nt", "/catalog")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BASE = "https://w3id.org/oms-ld/"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON_RESULTS = "application/sparql-results+json"
PREFIXES = (
    "PREFIX oms: <https://w3id.org/oms-ld/def/oms#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n"
)
MB = 1024 * 1024


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    sizes: tuple[str, ...]
    rounds: int
    seconds: int
    #: Starts of the bulk-load baseline and warm starts of our server (medians of these).
    startup_reps: int
    #: Cold starts of our server per size (each with an emptied cache folder), and their time limits.
    cold_reps: dict[str, int]
    cold_limit: dict[str, float]
    #: Time limit of a warm start, per size.
    warm_limit: dict[str, float]
    mix_seconds: int
    mix_size: str
    #: Measure the cold starts (False: reuse a recorded validation, validating once unmeasured if there is none).
    cold: bool = True
    #: Time limit for the first request of the dataset description (which builds the dumps when lazy).
    first_use_limit: float = 1800
    #: Sizes at which our SPARQL answers are also measured from the representation cache.
    cached_sizes: tuple[str, ...] = ("oms", "100k")

    @classmethod
    def full(cls) -> Plan:
        return cls(("oms", "100k", "1m"), rounds=3, seconds=2, startup_reps=5,
                   cold_reps={"oms": 5, "100k": 3, "1m": 1}, cold_limit={"oms": 60, "100k": 300, "1m": 1800},
                   warm_limit={"oms": 60, "100k": 120, "1m": 300}, mix_seconds=60, mix_size="100k")  # fmt: skip

    @classmethod
    def quick(cls) -> Plan:
        return cls(("oms", "100k"), rounds=2, seconds=1, startup_reps=3, cold_reps={"oms": 3, "100k": 1, "1m": 1},
                   cold_limit={"oms": 60, "100k": 300, "1m": 1800}, warm_limit={"oms": 60, "100k": 120, "1m": 300},
                   mix_seconds=20, mix_size="100k")  # fmt: skip


@dataclass(frozen=True)
class Size:
    """One data size: where the data is and what to ask for."""

    key: str
    label: str
    data_dir: Path
    base: str
    #: Slug paths (under `base` + "id/") of the thing, municipality and county the scenarios use.
    thing: str
    municipality: str
    county: str
    synthetic: bool
    target: int = 0

    def iri(self, path: str) -> str:
        return f"{self.base}id/{path}"

    def env(self) -> dict[str, str]:
        return {"OMS_LD_DATA_DIR": str(self.data_dir), "OMS_LD_BASE_IRI": self.base}


def sizes() -> dict[str, Size]:
    found = {"oms": Size("oms", "ÖMS data", ROOT / "data", BASE, "node-city/uppsala", "municipality/uppsala",
                         "county/uppsala-lan", synthetic=False)}  # fmt: skip
    for key, target in (("100k", 100_000), ("1m", 1_000_000), ("10m", 10_000_000)):
        sample = generate.sample_paths(target)
        folder = RESULTS / "data" / f"synthetic-{key}"
        found[key] = Size(key, f"synthetic {key}", folder, generate.SYNTHETIC_BASE, sample["place"],
                          sample["municipality"], sample["county"], synthetic=True, target=target)  # fmt: skip
    return found


def queries(size: Size) -> dict[str, str]:
    """The SPARQL scenarios: a point lookup, a two-pattern join, a COUNT … GROUP BY, a CONSTRUCT."""
    thing, municipality = size.iri(size.thing), size.iri(size.municipality)
    return {
        "point": f"{PREFIXES}SELECT ?p ?o WHERE {{ <{thing}> ?p ?o }}",
        "join": f"{PREFIXES}SELECT ?place ?label WHERE {{ ?place oms:municipality <{municipality}> . "
                "?place rdfs:label ?label }",
        "groupby": f"{PREFIXES}SELECT ?county (COUNT(?place) AS ?n) WHERE {{ ?place a oms:Place ; "
                   "oms:county ?county } GROUP BY ?county",
        "construct": f"{PREFIXES}CONSTRUCT {{ ?p rdfs:label ?l ; geo:hasGeometry ?g . ?g geo:asWKT ?w }} WHERE {{ "
                     f"?p oms:municipality <{municipality}> ; rdfs:label ?l ; geo:hasGeometry ?g . ?g geo:asWKT ?w }}",
    }  # fmt: skip


def sparql(path: str, query: str, bust: bool) -> Request:
    accept = "text/turtle" if "CONSTRUCT" in query else JSON_RESULTS
    return Request(f"{path}?query={quote(query, safe='')}", (("Accept", accept),), bust)


def scenarios(size: Size, cached: bool = True) -> dict[str, dict[str, Scenario]]:
    """Server → scenario name → what to send (`cached`: also our SPARQL answers from the representation cache)."""
    turtle = (("Accept", "text/turtle"),)
    deref = Scenario("deref", (Request(f"/id/{size.thing}", turtle),), follow=True, follow_headers=turtle)
    html = Scenario("html", (Request(f"/doc/{size.thing}", (("Accept", FIREFOX), ("Accept-Language", "sv"))),))
    dump = Scenario("dump", (Request("/download/oms-ld-latest.ttl"),))
    ours = {"deref": deref, "html": html}
    peers: dict[str, dict[str, Scenario]] = {"nginx": {"deref": deref, "html": html, "dump": dump},
                                             "oxigraph": {}, "rdflib-endpoint": {}}  # fmt: skip
    peers["ours+nginx-cache"] = {"deref": deref, "html": html}
    for name, query in queries(size).items():
        if cached:
            ours[f"{name} cached"] = Scenario(f"{name} cached", (sparql("/sparql", query, False),))
        ours[f"{name} uncached"] = Scenario(f"{name} uncached", (sparql("/sparql", query, True),))
        peers["oxigraph"][f"{name} uncached"] = Scenario(name, (sparql("/query", query, True),))
        peers["rdflib-endpoint"][f"{name} uncached"] = Scenario(name, (sparql("/", query, True),))
    ours["dump"] = dump
    return {"ours": ours, **peers}


def mix(size: Size) -> Scenario:
    """Everything above in turn (SPARQL both cached and uncached), for the long run."""
    sent = scenarios(size)["ours"]
    requests = [r for s in sent.values() for r in s.requests]
    return Scenario("mix", tuple(requests), follow=True, follow_headers=(("Accept", "text/turtle"),))


# --- measurements --------------------------------------------------------------------------------


@dataclass
class Startup:
    """Startup measurements of one server kind at one size."""

    seconds: list[float] = field(default_factory=list)
    peak_pss: list[int] = field(default_factory=list)
    peak_hwm: list[int] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "peak_pss": self.peak_pss, "peak_hwm": self.peak_hwm, "note": self.note}


def bulk_load_baseline(size: Size, reps: int) -> Startup:
    """A bare pyoxigraph bulk_load of the same files into an in-memory store, in a fresh process."""
    files = [str(p) for d in (ROOT / "ontology", size.data_dir, ROOT / "shapes") for p in sorted(d.iterdir())
             if p.suffix in (".ttl", ".nt")]  # fmt: skip
    code = ("import sys, resource, pyoxigraph as ox\ns = ox.Store()\n"
            "for f in sys.argv[1:]:\n    s.bulk_load(path=f, to_graph=ox.NamedNode('urn:g:' + f))\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, len(s))\n")  # fmt: skip
    result = Startup(note="a fresh `python -c` doing Store().bulk_load of the same files (wall time; ru_maxrss)")
    for _ in range(reps):
        seconds, out = procs.run_measured([sys.executable, "-c", code, *files])
        rss, _ = out.split()
        result.seconds.append(seconds)
        result.peak_pss.append(int(rss))
        result.peak_hwm.append(int(rss))
    return result


def ours_argv(port: int) -> list[str]:
    """The shipped server, as an operator starts it."""
    return [sys.executable, "-m", "oms_ld", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
            "--threads", "4", "--no-access-log"]  # fmt: skip


def cache_dir(size: Size) -> Path:
    """This size's OMS_LD_CACHE_DIR: owned by the benchmarks, so runs never read or write ~/.cache."""
    return RESULTS / "oms-ld-cache" / size.key


def ours_env(size: Size) -> dict[str, str]:
    return {**size.env(), "PYTHONPATH": str(ROOT), "OMS_LD_CACHE_DIR": str(cache_dir(size))}


def recorded(size: Size) -> bool:
    """Whether a conforming validation is recorded for this size (any content version, any pySHACL)."""
    return any((cache_dir(size) / "validated").glob("*.json"))


def content_bytes(size: Size) -> int:
    """The bytes of the content files, as the app counts them against PRECOMPUTE_MAX_BYTES."""
    from oms_ld.rdf.sources import content_files

    return sum(p.stat().st_size for d in (ROOT / "ontology", size.data_dir, ROOT / "shapes") for p in content_files(d))


def start_ours(size: Size, *, limit: float, name: str) -> procs.Server:
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    # Ready = the first 200 of a SPARQL ASK, as for Oxigraph and rdflib-endpoint (the VoID would build the
    # dumps first at sizes above PRECOMPUTE_MAX_BYTES; that first use is measured on its own).
    return procs.start(name, ours_argv(port), url=url, ready=f"{url}/sparql?query=ASK%7B%7D",
                       log=RESULTS / "logs" / f"{size.key}-{name}.log", env=ours_env(size), limit=limit,
                       cwd=ROOT)  # fmt: skip


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


def first_use(server: procs.Server, path: str, *, limit: float, probes: int = 8) -> dict[str, Any]:
    """Seconds until `path` answers every one of `probes` concurrent requests within 1 s.

    Rounds of `probes` concurrent GETs (new connections, so both workers get some) until one round is
    all fast: the workers build what is lazy (the dumps and the dataset description above
    PRECOMPUTE_MAX_BYTES) on first use, each for itself. Also the tree's PSS afterwards.
    """
    from concurrent.futures import ThreadPoolExecutor

    def probe(_: int) -> tuple[float, int]:
        began = time.monotonic()
        status = procs.http_status(server.url + path, timeout=limit)
        return time.monotonic() - began, status

    began = time.monotonic()
    rounds: list[list[float]] = []
    note = ""
    seconds = None
    while True:
        round_began = time.monotonic()
        with ThreadPoolExecutor(probes) as pool:
            answers = list(pool.map(probe, range(probes)))
        rounds.append([round(t, 2) for t, _ in answers])
        if all(status == 200 and t < 1.0 for t, status in answers):
            seconds = round_began - began
            break
        if not server.alive() or time.monotonic() - began > limit:
            note = f"no round of fast answers within {limit:g} s (statuses {sorted({s for _, s in answers})})"
            break
    pss, _ = procs.tree_memory(server.pid)
    return {"path": path, "seconds": seconds, "rounds": rounds, "pss_after": pss, "note": note}


def export_for_nginx(size: Size, tools: dict[str, str]) -> procs.Server:
    """The static export of this size (every document for the ÖMS data, the sampled ones otherwise) under nginx."""
    folder = RESULTS / "export" / size.key
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = procs.free_port()
    documents = [] if not size.synthetic else [a for p in (size.thing, size.municipality, size.county)
                                               for a in ("--document", p)]  # fmt: skip
    procs.run_measured([sys.executable, "-m", "oms_ld", "export-site", str(folder), "--listen", f"127.0.0.1:{port}",
                        *documents], env=ours_env(size), limit=1800)  # fmt: skip
    prefix = folder / "nginx"
    conf = folder / "bench-nginx.conf"
    from oms_ld.export.nginx import standalone_config

    user = getpass.getuser() if os.geteuid() == 0 else ""
    conf.write_text(standalone_config(folder / "nginx.conf", prefix, workers=2, user=user))
    url = f"http://127.0.0.1:{port}"
    argv = [tools["nginx"], "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    return procs.start("nginx", argv, url=url, ready=f"{url}/", log=RESULTS / "logs" / f"{size.key}-nginx.log",
                       limit=30)  # fmt: skip


FRONT = """daemon off;
{user}
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp-client_body;
    proxy_temp_path {prefix}/tmp-proxy;
    fastcgi_temp_path {prefix}/tmp-fastcgi;
    uwsgi_temp_path {prefix}/tmp-uwsgi;
    scgi_temp_path {prefix}/tmp-scgi;
    # The app sends Cache-Control: public, max-age=3600, strong ETags and Vary, so a shared cache may keep
    # its answers; nginx stores one variant per value of the Vary headers.
    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=oms_ld:16m max_size=2g inactive=1h use_temp_path=off;
    upstream oms_ld_app {{
        server {upstream};
        keepalive 16;
    }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://oms_ld_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_cache oms_ld;
            proxy_cache_lock on;
            add_header X-Cache-Status $upstream_cache_status;
        }}
    }}
}}
"""


def start_front(size: Size, tools: dict[str, str], upstream: str) -> procs.Server:
    """The deployment "nginx proxy_cache in front": nginx as a caching reverse proxy before our app."""
    prefix = RESULTS / "front" / size.key
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    port = procs.free_port()
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    conf = prefix / "front.conf"
    conf.write_text(FRONT.format(user=user, prefix=prefix, upstream=upstream.removeprefix("http://"),
                                 listen=f"127.0.0.1:{port}"))  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    argv = [tools["nginx"], "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    return procs.start("ours+nginx-cache", argv, url=url, ready=f"{url}/.well-known/void",
                       log=RESULTS / "logs" / f"{size.key}-front.log", limit=30)  # fmt: skip


def published_files(size: Size) -> list[str]:
    return [str(p) for d in (size.data_dir, ROOT / "ontology") for p in sorted(d.iterdir())
            if p.suffix in (".ttl", ".nt")]  # fmt: skip


def start_oxigraph(size: Size, tools: dict[str, str], result: Startup) -> procs.Server:
    store = RESULTS / "oxigraph" / size.key
    shutil.rmtree(store, ignore_errors=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    seconds, _ = procs.run_measured([tools["oxigraph"], "load", "--location", str(store), "--file",
                                     *published_files(size)], limit=900)  # fmt: skip
    optimized, _ = procs.run_measured([tools["oxigraph"], "optimize", "--location", str(store)], limit=900)
    result.note = f"before this: `oxigraph load` {seconds:.1f} s, `oxigraph optimize` {optimized:.1f} s (RocksDB)"
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [tools["oxigraph"], "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    server = procs.start("oxigraph", argv, url=url, ready=f"{url}/query?query=ASK%7B%7D",
                         log=RESULTS / "logs" / f"{size.key}-oxigraph.log", limit=120)  # fmt: skip
    result.seconds.append(server.startup)
    result.peak_pss.append(server.startup_pss)
    result.peak_hwm.append(server.startup_hwm)
    return server


def start_rdflib_endpoint(size: Size, tools: dict[str, str], result: Startup) -> procs.Server:
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [tools["rdflib-endpoint"], "serve", "--host", "127.0.0.1", "--port", str(port), *published_files(size)]
    server = procs.start("rdflib-endpoint", argv, url=url, ready=f"{url}/?query=ASK%7B%7D",
                         log=RESULTS / "logs" / f"{size.key}-rdflib-endpoint.log", limit=600)  # fmt: skip
    result.seconds.append(server.startup)
    result.peak_pss.append(server.startup_pss)
    result.peak_hwm.append(server.startup_hwm)
    return server


def _run_id() -> str:
    _run_id.counter += 1  # type: ignore[attr-defined]
    return f"{int(time.time()) % 100000}r{_run_id.counter}"  # type: ignore[attr-defined]


_run_id.counter = 0  # type: ignore[attr-defined]


def load_runs(servers: dict[str, procs.Server], plan: Plan, size: Size) -> list[dict[str, Any]]:
    """Every server's scenarios at 1 and 8 connections, in `plan.rounds` rounds; one record per run."""
    table = scenarios(size, cached=size.key in plan.cached_sizes)
    work = [(name, key, scenario) for name, server in servers.items() for key, scenario in table[name].items()]
    log(f"{size.key}: warming up {len(work)} scenarios")
    for name, _, scenario in work:
        load.wrk(servers[name].url, scenario, connections=8, seconds=1, run=_run_id())
    records = []
    for round_no in range(plan.rounds):
        log(f"{size.key}: round {round_no + 1}/{plan.rounds}")
        for connections in (1, 8):
            for name, key, scenario in work:
                if not servers[name].alive():
                    continue
                result = load.wrk(servers[name].url, scenario, connections=connections, seconds=plan.seconds,
                                  run=_run_id())  # fmt: skip
                records.append({"size": size.key, "server": name, "scenario": key, "connections": connections,
                                "round": round_no, "rps": result.rps, "p50_ms": result.p50_ms,
                                "p99_ms": result.p99_ms, "max_ms": result.max_ms, "errors": result.errors,
                                "requests": result.requests, "completed": result.completed, "bytes": result.bytes,
                                "seconds": result.seconds})  # fmt: skip
    return records


def mixed_load(server: procs.Server, size: Size, seconds: int) -> dict[str, Any]:
    """The long mixed run at 8 connections, with the server tree's PSS sampled every second."""
    log(f"{size.key}: mixed load for {seconds} s at 8 connections")
    sampler = procs.Sampler(server.pid, interval=1.0).start()
    began = time.monotonic()
    result = load.wrk(server.url, mix(size), connections=8, seconds=seconds, run=_run_id())
    sampler.stop()
    series = [(t - began, pss) for t, pss in sampler.series]
    first = [pss for t, pss in series if t <= 10]
    last = [pss for t, pss in series if t >= seconds - 10]
    growth = (statistics.median(last) - statistics.median(first)) if first and last else 0
    return {"seconds": seconds, "requests": result.requests, "errors": result.errors, "rps": result.requests / seconds,
            "p50_ms": result.p50_ms, "p99_ms": result.p99_ms, "pss_first10": statistics.median(first) if first else 0,
            "pss_last10": statistics.median(last) if last else 0, "growth": growth,
            "series": [(round(t, 1), pss) for t, pss in series]}  # fmt: skip


COLD = "ours (cold)"
WARM = "ours (warm)"


def measure_ours(size: Size, plan: Plan, startup: dict[str, Startup], servers: dict[str, procs.Server],
                 out: dict[str, Any]) -> None:  # fmt: skip
    """Our server's cold starts (empty cache folder), warm starts (validation recorded), then its first use.

    The last warm start keeps running as `servers["ours"]`; a start that overruns its limit is noted instead.
    """
    folder = cache_dir(size)

    def empty() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    if plan.cold:
        reps, limit = plan.cold_reps.get(size.key, 1), plan.cold_limit.get(size.key, BIG_LIMIT)
        cold = startup[COLD] = Startup(note="empty OMS_LD_CACHE_DIR: pySHACL validates, the result is recorded")
        log(f"{size.key}: our cold start × {reps} (limit {limit:g} s)")
        try:
            measure_startups(lambda: start_ours(size, limit=limit, name="ours-cold"), reps, cold, keep_last=False,
                             before=empty)  # fmt: skip
        except procs.StartupTimeout as exc:
            cold.note = str(exc)
            log(f"{size.key}: {exc}")
    if not recorded(size):
        log(f"{size.key}: no recorded validation: one unmeasured start records it")
        try:
            start_ours(size, limit=plan.cold_limit.get(size.key, BIG_LIMIT), name="ours-record").stop()
        except procs.StartupTimeout as exc:
            log(f"{size.key}: {exc}")
    reps, limit = plan.startup_reps, plan.warm_limit.get(size.key, BIG_LIMIT)
    warm = startup[WARM] = Startup(note="validation recorded in OMS_LD_CACHE_DIR: pySHACL skipped")
    log(f"{size.key}: our warm start × {reps} (limit {limit:g} s)")
    try:
        kept = measure_startups(lambda: start_ours(size, limit=limit, name="ours-warm"), reps, warm)
    except procs.StartupTimeout as exc:
        warm.note = str(exc)
        log(f"{size.key}: {exc}")
        return
    assert kept is not None
    servers["ours"] = kept
    lazy = content_bytes(size) > PRECOMPUTE_MAX_BYTES
    log(f"{size.key}: first use of the dataset description ({'built on first use' if lazy else 'built at start'})")
    out["first_use"] = {"lazy": lazy, "content_bytes": content_bytes(size), "limit_bytes": PRECOMPUTE_MAX_BYTES,
                        **first_use(kept, "/.well-known/void", limit=plan.first_use_limit)}  # fmt: skip
    # The other first uses that built something per worker before releases (#11): now files of the release.
    out["first_use_more"] = [first_use(kept, path, limit=plan.first_use_limit) for path in FIRST_USE_MORE]


def bench_size(size: Size, plan: Plan, tools: dict[str, str]) -> dict[str, Any]:
    """Everything for one data size."""
    out: dict[str, Any] = {"size": size.key, "label": size.label, "startup": {}, "runs": [], "serving_peak": {}}
    if size.synthetic:
        log(f"{size.key}: generating data")
        out["triples"] = generate.write(size.target, size.data_dir)
    startup: dict[str, Startup] = {}
    servers: dict[str, procs.Server] = {}
    try:
        log(f"{size.key}: bulk_load baseline")
        startup["bulk_load"] = bulk_load_baseline(size, plan.startup_reps)
        measure_ours(size, plan, startup, servers, out)
        if "ours" in servers:
            servers["ours+nginx-cache"] = start_front(size, tools, servers["ours"].url)
        log(f"{size.key}: static export for nginx")
        servers["nginx"] = export_for_nginx(size, tools)
        log(f"{size.key}: oxigraph load + serve")
        startup["oxigraph"] = Startup()
        servers["oxigraph"] = start_oxigraph(size, tools, startup["oxigraph"])
        if size.key not in ("1m", "10m"):
            log(f"{size.key}: rdflib-endpoint")
            startup["rdflib-endpoint"] = Startup()
            servers["rdflib-endpoint"] = start_rdflib_endpoint(size, tools, startup["rdflib-endpoint"])
        out["runs"] = load_runs(servers, plan, size)
        if size.key == plan.mix_size and "ours" in servers:
            out["mix"] = mixed_load(servers["ours"], size, plan.mix_seconds)
        out["serving_peak"] = {name: (s.sampler.peak if s.sampler else 0) for name, s in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
        out["startup"] = {name: s.as_dict() for name, s in startup.items()}
    return out


def environment(tools: dict[str, str]) -> dict[str, Any]:
    import pyoxigraph
    import pyshacl
    import rdflib

    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "pyshacl": pyshacl.__version__,
        "precompute_max_bytes": PRECOMPUTE_MAX_BYTES,
        "wrk": setup_tools.version([tools["wrk"], "-v"]),
        "nginx": setup_tools.version([tools["nginx"], "-v"]),
        "oxigraph": setup_tools.version([tools["oxigraph"], "--version"]),
        "rdflib-endpoint": setup_tools.version([sys.executable, "-m", "pip", "show", "rdflib-endpoint"]),
        "git": setup_tools.version(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]),
    }


def run(plan: Plan, only: Iterable[str] | None = None) -> dict[str, Any]:
    """The whole suite; returns everything measured (also written to benchmarks/results/latest.json)."""
    tools = setup_tools.ensure()
    began = time.monotonic()
    result: dict[str, Any] = {"plan": plan.__dict__, "environment": environment(tools), "sizes": {}}
    table = sizes()
    for key in only or plan.sizes:
        result["sizes"][key] = bench_size(table[key], plan, tools)
    result["environment"]["load_average_end"] = os.getloadavg()
    result["minutes"] = round((time.monotonic() - began) / 60, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, default=str)
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    return result
