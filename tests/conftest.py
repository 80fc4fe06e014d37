"""Shared fixtures: paths, the reference material beside the repository, and an app per backend.

A test that uses `app` or `client` runs once per backend (ids `[embedded]`, `[oxigraph]`, `[virtuoso]`);
one that calls `create_app()` itself runs on the embedded store only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from rdflib import URIRef

from oms_ld.config import DEFAULT_BASE_IRI
from oms_ld.rdf.uris import UriPolicy

from .backends import Server, ServerFailed, ServerPool

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
FIXTURES = TESTS / "data"
#: The shared reference material (fact sheet, W3C tests, DCAT-AP shapes) lives beside the repository.
REFERENCE = Path(os.environ.get("OMS_LD_REFERENCE_DIR", ROOT.parent / "shared" / "reference"))
IN_CI = os.environ.get("CI", "").lower() == "true"
#: The IRIs of the default deployment, as the tests expect them.
URIS = UriPolicy(DEFAULT_BASE_IRI)
BASE, ID, DATASET, CATALOG, SPARQL_SERVICE = URIS.base, URIS.id, URIS.dataset, URIS.catalog, URIS.sparql_service
GRAPHS = URIS.graphs
DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH = (URIRef(GRAPHS[g]) for g in ("data", "ontology", "shapes"))


def need(condition: bool, reason: str) -> None:
    """Skip on a developer machine that lacks a component; fail in CI, where everything must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def reference() -> Path:
    """The reference folder (fact sheet, standards material)."""
    need(REFERENCE.is_dir(), f"reference material not found at {REFERENCE}")
    return REFERENCE


@pytest.fixture(scope="session")
def app(backend: Backend) -> Iterator[Flask]:
    """One app over the real content per backend (building it validates the data).

    Tests that use `app` or `client` run once per backend: embedded, Oxigraph server, Virtuoso.
    """
    from oms_ld import create_app

    app = create_app({"TESTING": True, **backend.config})
    yield app
    app.extensions["oms_ld"].store.close()


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


# --- The backend matrix: the same HTTP tests against the embedded store and two real SPARQL servers.

BACKENDS = ("embedded", "oxigraph", "virtuoso")
REMOTE = BACKENDS[1:]
INSTALL_HINT = {
    "oxigraph": "pip install oxigraph (the test extras)",
    "virtuoso": "apt-get install virtuoso-opensource-7 (tests/run.sh does this as root)",
}
_POOL = pytest.StashKey[ServerPool]()


@dataclass(frozen=True)
class Backend:
    """A store the app can run on: its name (the test id) and the config that selects it."""

    name: str
    config: dict[str, object] = field(default_factory=dict)
    server: Server | None = None


_RELEASES = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_POOL] = ServerPool()
    # Releases built by this run (one per content: later builds of it are no-ops) stay out of the
    # user's cache, and no other run's pruning or `current` switch reaches them.
    if "OMS_LD_RELEASES_DIR" not in os.environ:
        config.stash[_RELEASES] = os.environ["OMS_LD_RELEASES_DIR"] = tempfile.mkdtemp(prefix="oms-ld-releases-")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the servers the selected tests need now, so they come up while other tests run."""
    needed: set[str] = set()
    for item in items:
        params = getattr(item, "callspec", None)
        if params is not None and params.params.get("backend") in REMOTE:
            needed.add(params.params["backend"])
        needed.update(name for name in REMOTE if f"{name}_server" in getattr(item, "fixturenames", ()))
    config.stash[_POOL].start(sorted(needed))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _POOL in config.stash:
        config.stash[_POOL].stop_all()
    if _RELEASES in config.stash:
        shutil.rmtree(config.stash[_RELEASES], ignore_errors=True)


def _server(name: str, config: pytest.Config) -> Server:
    """The named server for the session: skip if it is not installed (fail in CI), fail if it broke."""
    try:
        server = config.stash[_POOL].get(name)
    except ServerFailed as exc:
        pytest.fail(f"{name} failed to start: {exc}", pytrace=False)
    need(server is not None, f"{name} is not installed: {INSTALL_HINT[name]}")
    assert server is not None
    return server


@pytest.fixture(scope="session")
def oxigraph_server(pytestconfig: pytest.Config) -> Server:
    """Oxigraph server (read-only) on loopback, loaded through the Graph Store Protocol."""
    return _server("oxigraph", pytestconfig)


@pytest.fixture(scope="session")
def virtuoso_server(pytestconfig: pytest.Config) -> Server:
    """Virtuoso 7 on loopback with our own ini, loaded through SPARQL Update (writable as dba)."""
    return _server("virtuoso", pytestconfig)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn (the test id says which); the remote ones are real servers on loopback."""
    name: str = request.param
    if name == "embedded":
        return Backend(name)
    server: Server = request.getfixturevalue(f"{name}_server")
    return Backend(name, dict(server.config), server)


@pytest.fixture(scope="module")
def retired_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on the embedded store whose retired IRIs are the fixture's (tests/data/retired/)."""
    from oms_ld import create_app

    app = create_app({"TESTING": True, "CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
                      "RETIRED_DIR": str(FIXTURES / "retired")})  # fmt: skip
    yield app
    app.extensions["oms_ld"].store.close()
