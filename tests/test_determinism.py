"""Same content, same bytes: every representation is byte-identical across processes and cache states.

Two `python -m oms_ld serve` processes, one cold (empty CACHE_DIR: pySHACL validates) and one warm
(the recorded validation is reused), each with a different PYTHONHASHSEED so that anything following
Python's set order would differ; then `oms-ld dump` and `oms-ld export-site`. Every representation
(dumps, /def/oms, /def/shapes, VoID, the catalogue in each profile, documents, named graphs, in every
format) must have the same SHA-256 everywhere, and the same strong ETag in both servers.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms_ld.publishing.dataset import PROFILES
from oms_ld.publishing.dumps import FORMATS
from oms_ld.rdf.formats import RDF_FORMATS
from oms_ld.web.downloads import CATALOG_FORMATS, VOID_FORMATS

from .conftest import ROOT
from .polling import wait_until

DOCUMENTS = ["node-city/uppsala", "place/uppsala", "strategy/oms-2050", "region/stockholm", "county/gavleborgs-lan"]
GRAPH_NAMES = ("data", "ontology", "shapes")


def paths() -> dict[str, str]:
    """URL path → the file `oms-ld export-site` writes for it ("" where the export has none)."""
    found: dict[str, str] = {}
    for media_type in FORMATS:
        for stem in ("oms-ld-latest", "oms-ld-2026-11-26"):
            for name in (f"{stem}.{media_type.suffix}", f"{stem}.{media_type.suffix}.gz"):
                found[f"/download/{name}"] = f"download/{name}"
    for name in ("oms", "shapes"):
        for media_type in RDF_FORMATS:
            found[f"/def/{name}.{media_type.suffix}"] = f"def/{name}.{media_type.suffix}"
        for lang in ("sv", "en"):
            found[f"/def/{name}.html?lang={lang}"] = f"_variants/def/{name}.{lang}.html"
    for media_type in RDF_FORMATS:
        found[f"/def/oms/1.0.0.{media_type.suffix}"] = f"def/oms.{media_type.suffix}"
    for media_type in VOID_FORMATS:
        found[f"/.well-known/void?format={media_type.suffix}"] = f"_variants/void.{media_type.suffix}"
    for profile in PROFILES:
        for media_type in CATALOG_FORMATS:
            url = f"/catalog?_profile={profile.token}&_mediatype={media_type.suffix}"
            found[url] = f"_variants/catalog.{profile.token}.{media_type.suffix}"
    for doc in DOCUMENTS:
        for media_type in RDF_FORMATS:
            found[f"/doc/{doc}.{media_type.suffix}"] = f"doc/{doc}.{media_type.suffix}"
        for lang in ("sv", "en"):
            found[f"/doc/{doc}.html?lang={lang}"] = f"_variants/doc/{doc}.{lang}.html"
    for name in GRAPH_NAMES:
        for media_type in RDF_FORMATS:
            found[f"/graph/{name}.{media_type.suffix}"] = ""
            found[f"/graph/{name}/triples.{media_type.suffix}"] = ""
    for lang in ("sv", "en"):
        found[f"/?lang={lang}"] = f"_variants/index.{lang}.html"
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(cache: Path, seed: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_LD_")}
    return {**env, "OMS_LD_CACHE_DIR": str(cache), "PYTHONHASHSEED": seed}


def get(url: str) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), response.headers.get("ETag", "")


def fetch_all(cache: Path, seed: str, log: Path) -> dict[str, tuple[str, str]]:
    """Start a server (2 workers) with `cache` and `seed`, and fetch every path: path → (sha256, ETag)."""
    port = free_port()
    command = [sys.executable, "-m", "oms_ld", "serve", "--port", str(port), "--workers", "2", "--threads", "2",
               "--no-access-log"]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=environment(cache, seed), cwd=ROOT, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"

    def started() -> bool:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            get(base + "/sparql?query=ASK%7B%7D")
        except (urllib.error.URLError, ConnectionError):
            return False
        return True

    try:
        wait_until(started, f"the server answering on port {port}", 120, detail=lambda: log.read_text()[-2000:])
        answers = {}
        for path in paths():
            body, etag = get(base + path)
            answers[path] = (hashlib.sha256(body).hexdigest(), etag)
        return answers
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, tuple[str, str]], ...]]:
    cache, logs = tmp_path_factory.mktemp("cache"), tmp_path_factory.mktemp("logs")
    cold = fetch_all(cache, "1", logs / "cold.log")
    assert any(cache.rglob("*.json")), "the cold start did not record its validation"
    warm = fetch_all(cache, "2", logs / "warm.log")
    yield cold, warm


def test_cold_and_warm_servers_send_the_same_bytes(runs: tuple[dict[str, tuple[str, str]], ...]) -> None:
    cold, warm = runs
    differ = sorted(path for path in cold if cold[path][0] != warm[path][0])
    assert not differ, f"different bytes cold and warm: {differ}"


def test_equal_bytes_have_equal_strong_etags(runs: tuple[dict[str, tuple[str, str]], ...]) -> None:
    cold, warm = runs
    differ = sorted(path for path in cold if cold[path][1] != warm[path][1])
    assert not differ, f"different ETags cold and warm: {differ}"
    assert all(etag and not etag.startswith("W/") for _, etag in cold.values())


def test_oms_ld_dump_writes_the_published_bytes(runs: tuple[dict[str, tuple[str, str]], ...],
                                                tmp_path: Path) -> None:  # fmt: skip
    cold, _ = runs
    for media_type in FORMATS:
        out = tmp_path / f"dump.{media_type.suffix}"
        subprocess.run([sys.executable, "-m", "oms_ld", "dump", "--format", media_type.suffix, "-o", str(out)],
                       env=environment(tmp_path / "cache", "3"), cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        assert digest == cold[f"/download/oms-ld-latest.{media_type.suffix}"][0], media_type.suffix


def test_the_static_export_holds_the_published_bytes(runs: tuple[dict[str, tuple[str, str]], ...],
                                                     tmp_path: Path) -> None:  # fmt: skip
    cold, _ = runs
    options = [arg for doc in DOCUMENTS for arg in ("--document", doc)]
    subprocess.run([sys.executable, "-m", "oms_ld", "export-site", str(tmp_path / "export"), *options],
                   env=environment(tmp_path / "cache", "4"), cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    site = tmp_path / "export" / "site"
    differ = []
    for path, file in paths().items():
        if file:
            digest = hashlib.sha256((site / file).read_bytes()).hexdigest()
            if digest != cold[path][0]:
                differ.append(path)
    assert not differ, f"the export differs from the server: {differ}"
