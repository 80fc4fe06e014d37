"""The benchmark run: data sizes × servers × scenarios, side by side on this machine, medians and ratios.

Per data size: the startup figures (a bare bulk_load, whole-graph pySHACL, `oms-ld build` into an
empty releases folder, warm starts of our server on the built release, the peers' starts), the
first use of the published files, then every load scenario at 1 and 8 connections, repeated in
rounds (every scenario once per round, so drift hits all servers alike), then the mixed load with
slow clients attached. Our app is the shipped `python -m oms_ld serve` (2 workers × 4 threads, no
access log) with `OMS_LD_CACHE_DIR` (and so its releases) in a benchmark-owned folder per size,
never ~/.cache. The peers are nginx on the static export, Oxigraph's server on a store loaded with
the same data, and rdflib-endpoint; the deployment "nginx proxy_cache in front" puts a caching
nginx before our app.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import generate, load, procs, setup_tools, slow
from .load import Request, Scenario
from .startup import (
    BUILD,
    BULK_LOAD,
    SHACL,
    WARM,
    Startup,
    bulk_load_baseline,
    measure_build,
    measure_startups,
    shacl_baseline,
)

#: Time limit of a start or a build at a size without its own limit in the plan.
BIG_LIMIT = 7200.0
#: Paths whose first use after a warm start is measured besides VoID: the index, a dump, the catalogue.
FIRST_USE_MORE = ("/download/", "/download/oms-ld-latest.nt", "/catalog")
#: A folder holding ready synthetic data as synthetic-{100k,1m,10m} (used as is, never regenerated).
DATA_ENV = "BENCH_DATA_DIR"
#: Sizes whose dump is too big for the mixed load's wrk (see `mix`).
BIG_DUMPS = ("1m", "10m")

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


SIZES = ("oms", "100k", "1m", "10m")


@dataclass(frozen=True)
class Plan:
    """How much to measure (per-size dicts: sizes not named get the default)."""

    sizes: tuple[str, ...]
    rounds: int
    seconds: int
    #: Repetitions of the bulk-load baseline and of our warm start (medians of these).
    startup_reps: int
    #: Repetitions of `oms-ld build` (each into an emptied CACHE_DIR) and their time limits.
    build_reps: dict[str, int]
    build_limit: dict[str, float]
    #: Time limit of a warm start, per size.
    warm_limit: dict[str, float]
    mix_seconds: int
    #: Sizes that get the mixed load (with slow clients attached).
    mix_sizes: tuple[str, ...]
    #: Measure `oms-ld build` (False: reuse a built release, building once unmeasured if there is none).
    build: bool = True
    #: Sizes at which whole-graph pySHACL runs as a baseline (above them one rdflib graph does not fit).
    shacl_sizes: tuple[str, ...] = ("oms", "100k", "1m")
    #: Sizes at which nginx serves the static export, and rdflib-endpoint runs.
    nginx_sizes: tuple[str, ...] = ("oms", "100k", "1m")
    rdflib_sizes: tuple[str, ...] = ("oms", "100k")
    #: Fewer rounds or starts at big sizes (each round and start costs more there).
    rounds_at: dict[str, int] = field(default_factory=lambda: {"10m": 2})
    startup_reps_at: dict[str, int] = field(default_factory=lambda: {"1m": 3, "10m": 2})
    #: Seconds per round of the GROUP BY over every place where one answer takes seconds: at 1M a run of
    #: 2 s held 4 or 7 answers, so the ratio was a count of whole answers, not a rate.
    long_seconds: dict[str, int] = field(default_factory=lambda: {"1m": 10, "10m": 30})
    #: Time limit for one first-use probe.
    first_use_limit: float = 600
    #: Sizes at which our SPARQL answers are also measured from the representation cache.
    cached_sizes: tuple[str, ...] = ("oms", "100k")
    #: Attach the 16 slow clients during the mixed load.
    slow_clients: bool = True

    @classmethod
    def full(cls) -> Plan:
        return cls(SIZES, rounds=3, seconds=2, startup_reps=5, build_reps={"oms": 3, "100k": 2, "1m": 1, "10m": 1},
                   build_limit={"oms": 120, "100k": 600, "1m": 1800, "10m": 5400},
                   warm_limit={"oms": 60, "100k": 120, "1m": 300, "10m": 600}, mix_seconds=60,
                   mix_sizes=SIZES)  # fmt: skip

    @classmethod
    def quick(cls) -> Plan:
        return cls(("oms", "100k"), rounds=2, seconds=1, startup_reps=3, build_reps={"oms": 2, "100k": 1},
                   build_limit={"oms": 120, "100k": 600, "1m": 1800, "10m": 5400},
                   warm_limit={"oms": 60, "100k": 120, "1m": 300, "10m": 600}, mix_seconds=20,
                   mix_sizes=("100k",))  # fmt: skip

    def rounds_for(self, size: str) -> int:
        return min(self.rounds, self.rounds_at.get(size, self.rounds))

    def reps_for(self, size: str) -> int:
        return min(self.startup_reps, self.startup_reps_at.get(size, self.startup_reps))


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


def data_folder(key: str) -> tuple[Path, bool]:
    """Where the synthetic data of `key` is, and whether it is ready-made (BENCH_DATA_DIR: used as is)."""
    ready = os.environ.get(DATA_ENV)
    if ready and (Path(ready) / f"synthetic-{key}" / "synthetic.nt").is_file():
        return Path(ready) / f"synthetic-{key}", True
    return RESULTS / "data" / f"synthetic-{key}", False


def sizes() -> dict[str, Size]:
    found = {"oms": Size("oms", "ÖMS data", ROOT / "data", BASE, "node-city/uppsala", "municipality/uppsala",
                         "county/uppsala-lan", synthetic=False)}  # fmt: skip
    for key, target in (("100k", 100_000), ("1m", 1_000_000), ("10m", 10_000_000)):
        sample = generate.sample_paths(target)
        folder, _ = data_folder(key)
        found[key] = Size(key, f"synthetic {key}", folder, generate.SYNTHETIC_BASE, sample["place"],
                          sample["municipality"], sample["county"], synthetic=True, target=target)  # fmt: skip
    return found


def prepare_data(size: Size) -> int:
    """Make sure the data of `size` exists: ready-made, generated earlier (same generator), or now; its triples."""
    folder, ready = data_folder(size.key)
    if ready:
        log(f"{size.key}: using the ready data in {folder}")
        return count_lines(folder / "synthetic.nt")
    stamp = folder.with_name(folder.name + ".stamp")
    wanted = f"{size.target} {generate.SEED} {hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()}"
    if stamp.is_file() and (folder / "synthetic.nt").is_file():
        recorded_stamp, _, recorded_count = stamp.read_text().rpartition(" ")
        if recorded_stamp == wanted:
            log(f"{size.key}: the data generated earlier is current")
            return int(recorded_count)
    log(f"{size.key}: generating data")
    stamp.unlink(missing_ok=True)
    count = generate.write(size.target, folder)
    stamp.write_text(f"{wanted} {count}")
    return count


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))


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
    """Everything above in turn (SPARQL both cached and uncached), for the long run.

    At 1M and 10M without the dump (wrk holds each body it hands to Lua in memory: a dump there is
    hundreds of MB; the slow readers download it meanwhile).
    """
    sent = scenarios(size)["ours"]
    requests = [r for key, s in sent.items() if key != "dump" or size.key not in BIG_DUMPS for r in s.requests]
    return Scenario("mix", tuple(requests), follow=True, follow_headers=(("Accept", "text/turtle"),))


def cheap(size: Size) -> Scenario:
    """The cheap requests, whose latency the mixed load judges: deref, a page, point lookups, VoID."""
    sent = scenarios(size)["ours"]
    requests = [r for key in ("deref", "html", "point cached", "point uncached") for r in sent[key].requests]
    requests.append(Request("/.well-known/void", (("Accept", "text/turtle"),)))
    return Scenario("cheap", tuple(requests), follow=True, follow_headers=(("Accept", "text/turtle"),))


# --- measurements --------------------------------------------------------------------------------


def ours_argv(port: int) -> list[str]:
    """The shipped server, as an operator starts it."""
    return [sys.executable, "-m", "oms_ld", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
            "--no-access-log"]  # fmt: skip


def cache_dir(size: Size) -> Path:
    """This size's OMS_LD_CACHE_DIR: owned by the benchmarks, so runs never read or write ~/.cache."""
    return RESULTS / "oms-ld-cache" / size.key


#: Settings a deployment of the size sets, as the README advises: at 10M the GROUP BY over every place
#: takes 4–5 s of CPU alone and 10–20 s under 8 clients, past the default QUERY_TIMEOUT (5 s) and
#: QUERY_QUEUE_WAIT (10 s). Oxigraph server has no time limit at all.
DEPLOYED: dict[str, dict[str, str]] = {"10m": {"OMS_LD_QUERY_TIMEOUT": "60", "OMS_LD_QUERY_QUEUE_WAIT": "60"}}


def wrk_timeout(size: Size) -> float:
    """How long wrk waits for one answer: longer than the slowest answer the server's limits allow."""
    from oms_ld.config import Settings

    defaults, deployed = Settings(), DEPLOYED.get(size.key, {})
    return (10.0 + float(deployed.get("OMS_LD_QUERY_TIMEOUT", defaults.query_timeout))
            + float(deployed.get("OMS_LD_QUERY_QUEUE_WAIT", defaults.query_queue_wait)))  # fmt: skip


def ours_env(size: Size) -> dict[str, str]:
    return {
        **size.env(),
        "PYTHONPATH": str(ROOT),
        "OMS_LD_CACHE_DIR": str(cache_dir(size)),
        "OMS_LD_RELEASES_DIR": str(releases_dir(size)),
        **DEPLOYED.get(size.key, {}),
    }


def releases_dir(size: Size) -> Path:
    return cache_dir(size) / "releases"


def content_bytes(size: Size) -> int:
    """The bytes of the content files, as the app counts them against PRECOMPUTE_MAX_BYTES."""
    from oms_ld.rdf.sources import content_files

    return sum(p.stat().st_size for d in (ROOT / "ontology", size.data_dir, ROOT / "shapes") for p in content_files(d))


def start_ours(size: Size, *, limit: float, name: str) -> procs.Server:
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    # Ready = the first 200 of a SPARQL ASK, as for Oxigraph and rdflib-endpoint (the first use of the
    # published files is measured on its own).
    return procs.start(name, ours_argv(port), url=url, ready=f"{url}/sparql?query=ASK%7B%7D",
                       log=RESULTS / "logs" / f"{size.key}-{name}.log", env=ours_env(size), limit=limit,
                       cwd=ROOT)  # fmt: skip


def first_bytes(url: str, timeout: float) -> tuple[float, int]:
    """Seconds until the status, the headers and the first 64 KB of the body arrived (a dump is not read whole)."""
    began = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read(65536)
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
    except (OSError, urllib.error.URLError):
        status = 0
    return time.monotonic() - began, status


def first_use(server: procs.Server, path: str, *, limit: float, probes: int = 8) -> dict[str, Any]:
    """How fast `path` answers right after the start, `probes` concurrent requests at a time.

    Rounds of `probes` concurrent GETs (new connections, so both workers get some), timed to the
    first 64 KB of the answer, until one round is all 200 within 1 s: `first_round` is the slowest
    answer of the first round (the target), `seconds` the time until a fast round (0: the first).
    Also the tree's PSS afterwards.
    """
    from concurrent.futures import ThreadPoolExecutor

    began = time.monotonic()
    rounds: list[list[float]] = []
    statuses: list[list[int]] = []
    note = ""
    seconds = None
    while True:
        round_began = time.monotonic()
        with ThreadPoolExecutor(probes) as pool:
            answers = list(pool.map(lambda _: first_bytes(server.url + path, limit), range(probes)))
        rounds.append([round(t, 3) for t, _ in answers])
        statuses.append([status for _, status in answers])
        if all(status == 200 and t < 1.0 for t, status in answers):
            seconds = round_began - began
            break
        if not server.alive() or time.monotonic() - began > limit:
            note = f"no round of fast answers within {limit:g} s (statuses {sorted({s for _, s in answers})})"
            break
    pss, _ = procs.tree_memory(server.pid)
    first_ok = all(status == 200 for status in statuses[0])
    return {"path": path, "seconds": seconds, "rounds": rounds, "statuses": statuses, "first_round": max(rounds[0]),
            "first_round_ok": first_ok, "pss_after": pss, "note": note}  # fmt: skip


def export_for_nginx(size: Size, tools: dict[str, str], out: dict[str, Any]) -> procs.Server:
    """The static export of this size (every document for the ÖMS data, the sampled ones otherwise) under nginx."""
    folder = RESULTS / "export" / size.key
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = procs.free_port()
    documents = [] if not size.synthetic else [a for p in (size.thing, size.municipality, size.county)
                                               for a in ("--document", p)]  # fmt: skip
    done = procs.run_sampled([sys.executable, "-m", "oms_ld", "export-site", str(folder), "--listen",
                              f"127.0.0.1:{port}", *documents], log=RESULTS / "logs" / f"{size.key}-export.log",
                             env=ours_env(size), limit=3600)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"oms-ld export-site failed ({done.returncode}): {done.stdout.strip()[-1500:]}")
    disk = sum({p.stat().st_ino: p.stat().st_size for p in (folder / "site").rglob("*") if p.is_file()}.values())
    out["export"] = {"seconds": round(done.seconds, 2), "peak_rss": max(done.peak_rss, done.max_hwm),
                     "bytes": disk, "summary": done.stdout.strip().splitlines()[:1]}  # fmt: skip
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
    """Every server's scenarios at 1 and 8 connections, in the plan's rounds for the size; one record per run."""
    table = scenarios(size, cached=size.key in plan.cached_sizes)
    work = [(name, key, scenario) for name, server in servers.items() for key, scenario in table[name].items()]
    log(f"{size.key}: warming up {len(work)} scenarios")
    for name, _, scenario in work:
        load.wrk(servers[name].url, scenario, connections=8, seconds=1, run=_run_id())
    records = []
    rounds = plan.rounds_for(size.key)
    for round_no in range(rounds):
        log(f"{size.key}: round {round_no + 1}/{rounds}")
        for connections in (1, 8):
            for name, key, scenario in work:
                if not servers[name].alive():
                    continue
                seconds, timeout = plan.seconds, wrk_timeout(size)
                if key.startswith("groupby") and size.key in plan.long_seconds:
                    seconds = plan.long_seconds[size.key]
                # From idle: every server's leftover work from the last runs is done (not only this one's).
                procs.settle(*(server.pid for server in servers.values() if server.alive()))
                result = load.wrk(servers[name].url, scenario, connections=connections, seconds=seconds,
                                  run=_run_id(), timeout=timeout)  # fmt: skip
                records.append({"size": size.key, "server": name, "scenario": key, "connections": connections,
                                "round": round_no, "rps": result.rps, "p50_ms": result.p50_ms,
                                "p99_ms": result.p99_ms, "max_ms": result.max_ms, "errors": result.errors,
                                "requests": result.requests, "completed": result.completed, "bytes": result.bytes,
                                "seconds": result.seconds})  # fmt: skip
    return records


def mixed_load(server: procs.Server, size: Size, seconds: int, slow_clients: bool) -> dict[str, Any]:
    """The long mixed run at 8 connections with 16 slow clients attached, the tree's PSS sampled every second.

    6 connections send every scenario in turn (SPARQL cached and uncached, 303s followed), 2 send
    only the cheap requests, whose p99 is judged on its own; meanwhile 8 clients trickle request
    heads and 4 request bodies a byte per second, and 4 read a dump a few KB per second.
    """
    from concurrent.futures import ThreadPoolExecutor

    log(f"{size.key}: mixed load for {seconds} s at 8 connections" + (" with 16 slow clients" if slow_clients else ""))
    procs.settle(server.pid)
    clients = slow.SlowClients(server.url).start() if slow_clients else None
    if clients is not None:
        time.sleep(2)  # let them connect and start trickling before the load begins
    sampler = procs.Sampler(server.pid, interval=1.0).start()
    sampler.sample()
    began = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        heavy = pool.submit(load.wrk, server.url, mix(size), connections=6, seconds=seconds, run=_run_id(),
                            timeout=wrk_timeout(size))  # fmt: skip
        light = pool.submit(load.wrk, server.url, cheap(size), connections=2, seconds=seconds, run=_run_id(),
                            timeout=wrk_timeout(size))  # fmt: skip
        mixed, cheap_run = heavy.result(), light.result()
    sampler.sample()
    sampler.stop()
    slow_counts = clients.stop() if clients is not None else {}
    series = [(t - began, pss) for t, pss in sampler.series]
    first = [pss for t, pss in series if t <= 10]
    last = [pss for t, pss in series if t >= seconds - 10]
    growth = (statistics.median(last) - statistics.median(first)) if first and last else 0
    requests = mixed.requests + cheap_run.requests
    return {"seconds": seconds, "requests": requests, "errors": mixed.errors + cheap_run.errors,
            "rps": requests / seconds, "p50_ms": mixed.p50_ms, "p99_ms": mixed.p99_ms,
            "cheap": {"requests": cheap_run.requests, "errors": cheap_run.errors, "p50_ms": cheap_run.p50_ms,
                      "p99_ms": cheap_run.p99_ms, "max_ms": cheap_run.max_ms},
            "pss_first10": statistics.median(first) if first else 0,
            "pss_last10": statistics.median(last) if last else 0, "pss_start": series[0][1] if series else 0,
            "pss_end": series[-1][1] if series else 0, "pss_peak": max((p for _, p in series), default=0),
            "growth": growth, "slow_clients": slow_counts,
            "statuses": {k: mixed.statuses.get(k, 0) + cheap_run.statuses.get(k, 0)
                         for k in sorted({*mixed.statuses, *cheap_run.statuses})},
            "series": [(round(t, 1), pss) for t, pss in series]}  # fmt: skip


def measure_ours(size: Size, plan: Plan, startup: dict[str, Startup], servers: dict[str, procs.Server],
                 out: dict[str, Any]) -> None:  # fmt: skip
    """`oms-ld build` into an emptied CACHE_DIR, warm starts on the built release, then the first uses.

    The last warm start keeps running as `servers["ours"]`; a build or start that fails is noted instead.
    """
    folder = cache_dir(size)

    def empty() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    limit = plan.build_limit.get(size.key, BIG_LIMIT)
    log_file = RESULTS / "logs" / f"{size.key}-build.log"
    if plan.build:
        reps = plan.build_reps.get(size.key, 1)
        log(f"{size.key}: oms-ld build × {reps} (limit {limit:g} s)")
        try:
            startup[BUILD] = measure_build(ours_env(size), reps, limit, log_file, before=empty)
        except RuntimeError as exc:
            startup[BUILD] = Startup(note=f"failed: {str(exc)[:300]}")
            log(f"{size.key}: {exc}")
    if not plan.build:  # idempotent: a no-op when the release of this content is built, else an unmeasured build
        log(f"{size.key}: oms-ld build (unmeasured)")
        try:
            measure_build(ours_env(size), 1, limit, log_file, before=lambda: None)
        except RuntimeError as exc:
            log(f"{size.key}: {exc}")
    reps, limit = plan.reps_for(size.key), plan.warm_limit.get(size.key, BIG_LIMIT)
    warm = startup[WARM] = Startup(note="`oms-ld serve` on the built release, until the first 200 of ASK {}")
    log(f"{size.key}: our warm start × {reps} (limit {limit:g} s)")
    try:
        kept = measure_startups(lambda: start_ours(size, limit=limit, name="ours-warm"), reps, warm)
    except procs.StartupTimeout as exc:
        warm.note = str(exc)
        log(f"{size.key}: {exc}")
        return
    assert kept is not None
    servers["ours"] = kept
    log(f"{size.key}: first use of VoID, /download/, a dump, the catalogue")
    out["first_use"] = {"content_bytes": content_bytes(size),
                        **first_use(kept, "/.well-known/void", limit=plan.first_use_limit)}  # fmt: skip
    out["first_use_more"] = [first_use(kept, path, limit=plan.first_use_limit) for path in FIRST_USE_MORE]


def bench_size(size: Size, plan: Plan, tools: dict[str, str]) -> dict[str, Any]:
    """Everything for one data size."""
    out: dict[str, Any] = {"size": size.key, "label": size.label, "startup": {}, "runs": [], "serving_peak": {},
                           "not_run": {}}  # fmt: skip
    if size.synthetic:
        out["triples"] = prepare_data(size)
    startup: dict[str, Startup] = {}
    servers: dict[str, procs.Server] = {}
    try:
        reps = plan.reps_for(size.key)
        log(f"{size.key}: bulk_load baseline × {reps}")
        startup[BULK_LOAD] = bulk_load_baseline(size.data_dir, reps)
        if size.key in plan.shacl_sizes:
            log(f"{size.key}: whole-graph pySHACL baseline")
            try:
                startup[SHACL] = shacl_baseline(ours_env(size), 1, plan.build_limit.get(size.key, BIG_LIMIT))
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                startup[SHACL] = Startup(note=f"failed: {str(exc)[:300]}")
        else:
            startup[SHACL] = Startup(note=f"not run: an rdflib graph of {size.key} does not fit in this machine")
        measure_ours(size, plan, startup, servers, out)
        if "ours" in servers:
            servers["ours+nginx-cache"] = start_front(size, tools, servers["ours"].url)
        if size.key in plan.nginx_sizes:
            log(f"{size.key}: static export for nginx")
            servers["nginx"] = export_for_nginx(size, tools, out)
        else:
            out["not_run"]["nginx"] = NGINX_NOT_RUN
        log(f"{size.key}: oxigraph load + serve")
        startup["oxigraph"] = Startup()
        servers["oxigraph"] = start_oxigraph(size, tools, startup["oxigraph"])
        if size.key in plan.rdflib_sizes:
            log(f"{size.key}: rdflib-endpoint")
            startup["rdflib-endpoint"] = Startup()
            servers["rdflib-endpoint"] = start_rdflib_endpoint(size, tools, startup["rdflib-endpoint"])
        else:
            out["not_run"]["rdflib-endpoint"] = "not run: it parses everything into rdflib (too slow above 100k)"
        out["runs"] = load_runs(servers, plan, size)
        if size.key in plan.mix_sizes and "ours" in servers:
            out["mix"] = mixed_load(servers["ours"], size, plan.mix_seconds, plan.slow_clients)
        out["serving_peak"] = {name: (s.sampler.peak if s.sampler else 0) for name, s in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
        out["startup"] = {name: s.as_dict() for name, s in startup.items()}
    return out


#: Why nginx on the static export does not run at the sizes the plan leaves it out of.
NGINX_NOT_RUN = (
    "not run: `oms-ld export-site` renders every dump and each graph's triples in every format through the "
    "app, each body held in memory: at 1M 1.8 GB of bodies, 306 s, 3.1 GB peak RSS, so about 30 GB at 10M"
)


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
    RESULTS.mkdir(parents=True, exist_ok=True)
    for key in only or plan.sizes:
        result["sizes"][key] = bench_size(table[key], plan, tools)
        (RESULTS / "partial.json").write_text(json.dumps(result, indent=1, default=str))
    result["environment"]["load_average_end"] = os.getloadavg()
    result["minutes"] = round((time.monotonic() - began) / 60, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, default=str)
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    return result
