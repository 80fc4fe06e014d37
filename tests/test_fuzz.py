"""A bounded fuzz run against the shipped front: random requests under the real routes never get a 5xx.

Requests are built from the published paths (README "What the server publishes"), their
parameters, SPARQL snippets, odd headers and methods, and sent with http.client; then byte-level
mutations of such requests go over raw sockets. Allowed: any 1xx-4xx, a closed connection, and
503 (the query queue or time limit). Never: another 5xx (502/504 cannot come from the embedded
store) or a hang. Set OMS_LD_FUZZ_SEED to replay a run.
"""

from __future__ import annotations

import http.client
import os
import random
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from .front import HANG, exchange, served

SEED = int(os.environ.get("OMS_LD_FUZZ_SEED", "20261201"))
#: Every request is sent, whatever the machine's speed: the same seed is the same run.
HTTP_REQUESTS = 3000
RAW_REQUESTS = 1500

TYPES = ["collaboration", "region", "organization", "county", "municipality", "place", "node-city", "strategy",
         "report", "partner-region", "topic", "scheme", "nope", "", "NODE-CITY"]  # fmt: skip
SLUGS = ["uppsala", "stockholm", "oms", "oms-2050", "oms-2050/direction-1", "gavle", "x", "", "..", "%2e%2e",
         "uppsala.ttl", "a" * 300, "ö", "%C3%B6", "%FF", "%zz", "%", "%00", "upp%73ala"]  # fmt: skip
SUFFIXES = ["", ".html", ".ttl", ".jsonld", ".rdf", ".nt", ".trig", ".nq", ".gz", ".xyz", ".", ".ttl.ttl"]
FIXED = ["/", "/def/oms", "/def/shapes", "/map.svg", "/sparql", "/download/", "/download/latest.ttl",
         "/download/oms-ld-2026-11-26.ttl.gz", "/download/../etc/passwd", "/.well-known/void", "/catalog",
         "/static/style.css", "/static/../app.py", "/static/%2e%2e/app.py", "/robots.txt", "/favicon.ico",
         "//", "/./", "/def/oms.ttl", "/def/shapes.jsonld", "/id/", "/doc/", "/def/", "/sparql/"]  # fmt: skip
SPARQL = [
    "ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
    "DESCRIBE <https://w3id.org/oms-ld/id/node-city/uppsala>", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "SELECT ?g { GRAPH ?g {} }", "INSERT DATA { <a:b> <a:c> <a:d> }", "DROP ALL", "LOAD <http://example.org/>",
    "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SELECT * FROM <http://example.org/> {}",
    "BASE <x:> SELECT * { <rel> ?p ?o }", "SELECT * {", "((((((((((((((((((((", "SELECT ?x { BIND(1/0 AS ?x) }",
    'SELECT * { ?s ?p ?o FILTER regex(str(?o), "(a+)+$") } LIMIT 1', "SELECT \x00 {}", "ASK { <\udcff> ?p ?o }",
    "PREFIX : <" + "a" * 2000 + "> ASK {}", "SELECT * { VALUES ?x { " + "1 " * 500 + "} }", "", " ", "\ufeffASK{}",
    "SELECT ?x { ?x ?y 'å' }", "ASK { ?s <https://w3id.org/oms-ld//evil.example/> ?o }",
]  # fmt: skip
PARAMS = ["format", "lang", "_profile", "_mediatype", "query", "default-graph-uri", "named-graph-uri", "run",
          "x", "", "Query", "format[]"]  # fmt: skip
VALUES = ["ttl", "jsonld", "rdf", "nt", "html", "csv", "json", "xml", "tsv", "sv", "en", "xx", "dcat-ap",
          "dcat-ap-se", "text/turtle", "application/ld+json", "*/*", "", "%FF%FE", "%zz", "%00", "a" * 500,
          "https://w3id.org/oms-ld/graph/data", "urn:x"]  # fmt: skip
ACCEPTS = ["text/html", "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
           "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "*/*", "", "image/png",
           "text/*;q=0.5, */*;q=0.1", ";;;", "text/html;q=2", "text/html;q=-1", "text/html;q=nan, */*;q=1e999",
           "a/b/c", "text/turtle;charset=latin-1", "application/json, text/javascript", ",,,,", "*/*;q=0"]  # fmt: skip
METHODS = ["GET"] * 8 + ["HEAD"] * 2 + ["POST"] * 4 + ["OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "FOO", "get"]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
                 "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=latin-1",
                 "", "application/sparql-query; charset=utf-16"]  # fmt: skip
HEADERS = {
    "Accept-Language": ["sv", "en", "en-GB,en;q=0.8", "*", "xx-YY", ";q=1", "sv;q=abc", "a" * 300],
    "Accept-Encoding": ["gzip", "br", "identity;q=0", "*;q=0", "gzip;q=nan"],
    "If-None-Match": ['"abc"', "*", 'W/"x"', '"', "", '"a", "b"'],
    "If-Modified-Since": ["Tue, 01 Dec 2026 09:56:11 GMT", "yesterday", "0", "Tue, 99 Foo 9999 99:99:99 GMT"],
    "Range": ["bytes=0-10", "bytes=9-1", "bytes=-0", "lines=1-2"],
    "Origin": ["https://example.org", "null"],
    "Cookie": ["a=b", "=", ";;"],
    "X-Forwarded-Host": ["evil.example"],
    "Access-Control-Request-Method": ["POST", "DELETE"],
}


def pick_path(rng: random.Random) -> str:
    """A path under a real route, sometimes bent."""
    roll = rng.random()
    if roll < 0.35:
        path = rng.choice(FIXED)
    elif roll < 0.85:
        path = f"/{rng.choice(['id', 'doc', 'doc', 'id'])}/{rng.choice(TYPES)}/{rng.choice(SLUGS)}"
        if path.startswith("/doc/"):
            path += rng.choice(SUFFIXES)
    else:
        path = "/" + "".join(rng.choice("abc/-_.~%0123456789AFzZö") for _ in range(rng.randint(0, 40)))
    if rng.random() < 0.1:
        path = path.replace("/", rng.choice(["//", "/./", "/../", "%2F"]), 1)
    return quote(path, safe="/%-_.~!$&'()*+,;=:@")


def pick_query(rng: random.Random) -> str:
    """A query string: real parameters, SPARQL snippets, bad escapes, repeats."""
    parts = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
        name = rng.choice(PARAMS)
        value = rng.choice(SPARQL) if name == "query" and rng.random() < 0.8 else rng.choice(VALUES)
        encoded = value if value.startswith("%") else quote(value.encode("utf-8", "surrogatepass"), safe="")
        parts.append(f"{quote(name)}={encoded}" if rng.random() < 0.95 else quote(name))
    return "&".join(parts)


def build(rng: random.Random) -> tuple[str, str, dict[str, str], bytes]:
    """Method, target, headers and body of one random (well-framed) request."""
    method = rng.choice(METHODS)
    path = "/sparql" if method == "POST" and rng.random() < 0.7 else pick_path(rng)
    query = pick_query(rng)
    headers = {"Host": rng.choice(["t", "127.0.0.1", "example.org:8080", "[::1]"]), "Accept": rng.choice(ACCEPTS)}
    for name, values in HEADERS.items():
        if rng.random() < 0.15:
            headers[name] = rng.choice(values)
    body = b""
    if method in ("POST", "PUT", "PATCH") or rng.random() < 0.03:
        content_type = rng.choice(CONTENT_TYPES)
        sparql = rng.choice(SPARQL).encode("utf-8", "surrogatepass")
        if "form" in content_type:
            body = b"query=" + quote(sparql, safe="").encode() + rng.choice([b"", b"&run=1", b"&query=ASK{}", b"&%FF"])
        elif rng.random() < 0.8:
            body = sparql
        else:
            body = rng.randbytes(rng.randint(0, 300))
        if content_type:
            headers["Content-Type"] = content_type
    return method, path + (f"?{query}" if query else ""), headers, body


def raw_bytes(method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {target} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


FRAMING_BYTES = [b"\r\n", b"\n", b"\r", b"\x00", b" ", b":", b"\xff", b"\t", b"%", b"\r\n\r\n"]


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One to three byte-level mutations: flips, insertions of framing bytes, deletions, duplications."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        where = rng.randrange(len(out) + 1)
        kind = rng.randrange(7)
        if kind == 0 and out:
            out[min(where, len(out) - 1)] = rng.randrange(256)
        elif kind == 1:
            out[where:where] = rng.choice(FRAMING_BYTES)
        elif kind == 2:
            del out[where : where + rng.randint(1, 20)]
        elif kind == 3:
            end = bytes(out).find(b"\r\n", where)
            if end > 0:
                out[end:end] = out[where:end]  # a repeated (part of a) line
        elif kind == 4:
            out[where:where] = rng.choice([b"Transfer-Encoding: chunked\r\n", b"Content-Length: 3\r\n",
                                           b"Content-Length: 99999\r\n", b"Expect: 100-continue\r\n",
                                           b"Host: other\r\n", b"Connection: upgrade\r\nUpgrade: h2c\r\n"])  # fmt: skip
        elif kind == 5:
            out = out[:where]
        else:
            out[where:where] = rng.randbytes(rng.randint(1, 8))
    return bytes(out)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with served() as port:
        yield port


def test_fuzzed_requests_never_get_an_unexpected_5xx_or_hang(port: int) -> None:
    rng = random.Random(SEED)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG)  # a hang: no answer in HANG seconds
    for _ in range(HTTP_REQUESTS):
        method, target, headers, body = build(rng)
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value.encode("utf-8"))
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.will_close:
                conn.close()
        except TimeoutError:
            failures.append(f"hang: {method} {target} {headers}")
            conn.close()
            continue
        except (http.client.HTTPException, ConnectionError):
            conn.close()  # the server closed the connection: allowed
            status = 0
        statuses[status] += 1
        if status >= 500 and status != 503:
            failures.append(f"{status}: {method} {target} {headers} {body[:100]!r}")
    conn.close()
    for _ in range(RAW_REQUESTS):
        request = mutate(rng, raw_bytes(*build(rng)))
        try:
            status, answer = exchange(port, request, half_close=True)
        except TimeoutError:
            failures.append(f"hang: {request[:300]!r}")
            continue
        except ConnectionError:
            status = 0
        statuses[status] += 1
        if status >= 500 and status != 503:
            failures.append(f"{status}: {request[:300]!r} -> {answer[:300]!r}")
    summary = f"seed {SEED}: {HTTP_REQUESTS} http.client + {RAW_REQUESTS} raw, statuses {sorted(statuses.items())}"
    assert not failures, summary + "\n" + "\n".join(failures[:20])
    print(summary)
