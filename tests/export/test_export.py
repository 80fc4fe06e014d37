"""The static export served by a real nginx answers as the app does: status, Location, Content-Type, bytes.

The export is whatever the app serves, whichever store answers it, so these tests build their own app
on the embedded store instead of running once per backend.
"""

from __future__ import annotations

import getpass
import http.client
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oms_ld import create_app
from oms_ld.export.nginx import standalone_config
from oms_ld.export.nginx_maps import CLIENT_ACCEPTS, VARIANTS, accept_rules, choose
from oms_ld.export.site import document_paths, export_site
from oms_ld.rdf.formats import ALIASES, BY_MIME
from oms_ld.web.representations import DOC_FORMATS

from ..conftest import FIXTURES, need
from ..polling import wait_until
from ..web.test_conneg import CHROME, COMUNICA, DOCUMENT_CASES, FIREFOX, RAPPER, RDFLIB, SPARQLWRAPPER_RDFXML

ACCEPTS = (None, FIREFOX, CHROME, RDFLIB, RAPPER, COMUNICA, SPARQLWRAPPER_RDFXML, "text/turtle", "application/ld+json")
PATHS = (
    "/",
    "/map.svg",
    "/id/node-city/uppsala",
    "/id/region/stockholm",
    "/id/node-city/atlantis",
    "/doc/node-city/uppsala",
    "/doc/county/uppsala-lan",
    "/doc/dataset/oms-ld",
    "/doc/node-city/uppsala.ttl",
    "/doc/node-city/uppsala.jsonld",
    "/doc/node-city/uppsala.html",
    "/doc/node-city/uppsala?format=nt",
    "/doc/node-city/uppsala?lang=en",
    "/def/oms",
    "/def/shapes.ttl",
    "/def/oms.html",
    "/.well-known/void",
    "/catalog",
    "/catalog?_profile=dcat-ap&_mediatype=ttl",
    "/download/",
    "/download/oms-ld-latest.ttl",
    "/download/oms-ld-latest.nq.gz",
    "/static/style.css",
    "/graph/data",
    "/graph/ontology.ttl",
    "/graph/shapes.html",
    "/graph/data/triples.nt",
    "/def/oms/1.0.0",
    "/def/oms/1.0.0.ttl",
    "/id/node-city/uppsala-stad",
    "/doc/node-city/uppsala-stad.ttl",
    "/doc/report/utkast",
)
LANGUAGES = (None, "en-US,en;q=0.9", "sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7", "de-DE,de;q=0.9,en;q=0.8", "fi", "*")


@dataclass(frozen=True)
class Nginx:
    """A running nginx serving an export."""

    port: int
    root: Path

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def app() -> Flask:
    """The app over the real content on the embedded store (shadows the per-backend fixture)."""
    return create_app({"TESTING": True, "RETIRED_DIR": str(FIXTURES / "retired")})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def nginx(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    """The real content exported and served by nginx on 127.0.0.1 (a tmp prefix, in the foreground)."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    need(binary is not None, "nginx is not installed (Debian package nginx)")
    assert binary is not None
    directory = tmp_path_factory.mktemp("export")
    port = _free_port()
    summary = export_site(app, directory, listen=f"127.0.0.1:{port}")
    prefix = directory / "nginx"
    conf = directory / "test-nginx.conf"
    conf.write_text(standalone_config(summary.config, prefix, user=getpass.getuser() if os.geteuid() == 0 else ""))
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def listening() -> bool:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        return True

    try:
        wait_until(listening, f"nginx listening on 127.0.0.1:{port}", every=0.05)
        yield Nginx(port, summary.root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _headers(accept: str | None, language: str | None) -> dict[str, str]:
    headers = {"Accept-Encoding": "identity"}
    if accept is not None:
        headers["Accept"] = accept
    if language is not None:
        headers["Accept-Language"] = language
    return headers


@pytest.mark.parametrize("accept", ACCEPTS, ids=lambda a: (a or "none")[:24])
@pytest.mark.parametrize("path", PATHS)
def test_nginx_answers_as_the_app(nginx: Nginx, client: FlaskClient, path: str, accept: str | None) -> None:
    headers = _headers(accept, None)
    expected = client.get(path, headers=headers)
    expected_body = expected.get_data()
    expected.close()  # a static file comes as an open file wrapper
    status, got, body = nginx.get(path, headers)
    assert status == expected.status_code, (path, accept)
    if status >= 400:
        return  # error bodies and their types are each server's own
    assert got.get("location") == expected.headers.get("Location")
    if status == 301:
        return  # a retired IRI moved (retired/): the Location is the answer, the note is each server's own
    if status == 303:
        # The app's 303 also carries the document for an RDF client that does not follow redirects;
        # nginx's carries its stock note. Clients that follow the redirect see the same thing.
        assert "Accept" in got.get("vary", ""), (path, accept)
        return
    assert got["content-type"] == expected.headers["Content-Type"]
    if status == 200:
        assert body == expected_body, (path, accept)
        assert got.get("content-location") == expected.headers.get("Content-Location")
        assert got.get("content-language") == expected.headers.get("Content-Language")
        assert got.get("access-control-allow-origin") == expected.headers.get("Access-Control-Allow-Origin")
        assert got.get("cache-control") == expected.headers.get("Cache-Control")
        assert "etag" in got and "last-modified" in got
        assert got["last-modified"] == expected.headers["Last-Modified"]


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda a: (a or "none")[:12])
@pytest.mark.parametrize("path", ["/", "/map.svg", "/doc/node-city/uppsala", "/doc/region/stockholm.html",
                                  "/def/shapes"])  # fmt: skip
def test_html_language_as_the_app(nginx: Nginx, client: FlaskClient, path: str, language: str | None) -> None:
    headers = _headers(FIREFOX, language)
    expected = client.get(path, headers=headers)
    status, got, body = nginx.get(path, headers)
    assert (status, got.get("content-language")) == (expected.status_code, expected.headers.get("Content-Language"))
    assert body == expected.get_data()


def test_negotiated_headers(nginx: Nginx, client: FlaskClient) -> None:
    path = "/doc/node-city/uppsala"
    status, got, _ = nginx.get(path, _headers(COMUNICA, None))
    expected = client.get(path, headers=_headers(COMUNICA, None))
    assert status == 200
    assert {v.strip() for v in got["vary"].split(",")} == set(expected.vary)
    redirect = nginx.get("/id/node-city/uppsala", _headers(None, None))[1]
    assert "Accept" in redirect["vary"] and redirect["access-control-allow-origin"] == "*"


def test_gzip_on_request(nginx: Nginx) -> None:
    status, got, _ = nginx.get("/doc/node-city/uppsala.html", {"Accept-Encoding": "gzip"})
    assert status == 200 and got.get("content-encoding") == "gzip"
    status, got, body = nginx.get("/download/oms-ld-latest.ttl.gz", {"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in got and body[:2] == b"\x1f\x8b"


def test_not_acceptable_and_unknown(nginx: Nginx) -> None:
    assert nginx.get("/doc/node-city/uppsala", {"Accept": "image/png"})[0] == 406
    assert nginx.get(f"/{VARIANTS}/index.sv.html", {})[0] == 404
    assert nginx.get("/doc/node-city/uppsala.trig", {})[0] == 404
    assert nginx.get("/download/nothing.ttl", {})[0] == 404


def test_every_document_is_exported(nginx: Nginx, app: Flask) -> None:
    paths = document_paths(app.extensions["oms_ld"])
    assert "node-city/uppsala" in paths and "dataset/oms-ld" in paths
    assert not any("#" in p for p in paths)
    for path in paths:
        for media_type in DOC_FORMATS:
            if media_type.suffix == "html":
                assert (nginx.root / VARIANTS / "doc" / f"{path}.sv.html").is_file()
                assert (nginx.root / VARIANTS / "doc" / f"{path}.en.html").is_file()
            else:
                assert (nginx.root / "doc" / f"{path}.{media_type.suffix}").is_file()


#: Where the regex rules alone (without the exact client entries) differ from our conneg: edge cases only.
KNOWN_DIFFERENCES = {"text/turtle;q=0, */*;q=0.5", "garbage;;;q=x,,"}


@pytest.mark.parametrize(("accept", "expected"), [c for c in DOCUMENT_CASES if c[0]])
def test_regex_rules_alone_follow_conneg(accept: str, expected: str) -> None:
    chosen = choose(accept_rules(DOC_FORMATS, ALIASES), accept)
    assert (chosen == BY_MIME[expected].suffix) != (accept in KNOWN_DIFFERENCES)


def test_client_headers_are_in_the_table() -> None:
    for header in (FIREFOX, CHROME, RDFLIB, RAPPER, COMUNICA, SPARQLWRAPPER_RDFXML):
        assert header in CLIENT_ACCEPTS or header in BY_MIME


def test_the_language_choice_sticks_as_in_the_app(nginx: Nginx) -> None:
    """`?lang=` sets the cookie; with it, a later page without `?lang=` speaks that language."""
    status, got, _ = nginx.get("/?lang=en", _headers(FIREFOX, "sv"))
    assert status == 200 and got.get("set-cookie", "").startswith("lang=en;")
    status, got, _ = nginx.get("/doc/node-city/uppsala", {**_headers(FIREFOX, "sv"), "Cookie": "lang=en"})
    assert status == 200 and got.get("content-language") == "en"
    status, got, _ = nginx.get("/download/", {**_headers(FIREFOX, "sv"), "Cookie": "lang=en"})
    assert status == 200 and got.get("content-language") == "en"
    assert "set-cookie" not in nginx.get("/", _headers(FIREFOX, "sv"))[1]


def test_favicon_as_the_app(nginx: Nginx, client: FlaskClient) -> None:
    expected = client.get("/favicon.ico")
    status, got, body = nginx.get("/favicon.ico", {})
    assert status == expected.status_code == 200
    assert got["content-type"].split(";")[0] == expected.mimetype == "image/svg+xml" and body == expected.get_data()
    expected.close()
