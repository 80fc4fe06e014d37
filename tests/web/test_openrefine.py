"""A real reconciliation client: Debian's OpenRefine 3.6.2, headless, driven through its HTTP API.

OpenRefine imports a CSV of municipality and county names as other agencies write them, reconciles
each column against our /reconcile (served by a real HTTP server) with auto-match, and the test reads
back the matched IRIs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ..conftest import BASE, need
from ..live import serve
from ..polling import wait_until

REFINE = Path("/usr/share/openrefine/refine")
OMS, ID = BASE + "def/oms#", BASE + "id/"
#: (name as written elsewhere, expected thing or None for "we do not publish it").
MUNICIPALITIES = [
    ("Stockholms stad", "municipality/stockholm"), ("Stockholm", "municipality/stockholm"),
    ("Södertälje kommun", "municipality/sodertalje"), ("Huddinge", "municipality/huddinge"),
    ("Botkyrka kommun", "municipality/botkyrka"), ("JÄRFÄLLA", "municipality/jarfalla"),
    ("Sollentuna kommun", "municipality/sollentuna"), ("Sundbybergs stad", "municipality/sundbyberg"),
    ("Sigtuna", "municipality/sigtuna"), ("Uppsala kommun", "municipality/uppsala"),
    ("Gavle", "municipality/gavle"), ("Västerås stad", "municipality/vasteras"),
    ("Örebro kommun", "municipality/orebro"), ("Eskilstuna", "municipality/eskilstuna"),
    ("Nyköpings kommun", "municipality/nykoping"), ("Norrköping", "municipality/norrkoping"),
    ("Linköpings kommun", "municipality/linkoping"), ("Kiruna kommun", None),
]  # fmt: skip
COUNTIES = [
    ("Stockholms län", "county/stockholms-lan"), ("Region Uppsala", "county/uppsala-lan"),
    ("Sörmland", "county/sodermanlands-lan"), ("Södermanlands län", "county/sodermanlands-lan"),
    ("Region Östergötland", "county/ostergotlands-lan"), ("Örebro län", "county/orebro-lan"),
    ("Västmanland", "county/vastmanlands-lan"), ("Gävleborgs län", "county/gavleborgs-lan"),
    ("Norrbottens län", None),
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def refine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """OpenRefine on a free loopback port with a fresh workspace; stopped (its process group) afterwards."""
    need(REFINE.exists(), "OpenRefine is not installed (Debian package openrefine)")
    port, workspace = free_port(), tmp_path_factory.mktemp("refine")
    log = (workspace / "refine.log").open("wb")
    proc = subprocess.Popen(
        [str(REFINE), "-i", "127.0.0.1", "-p", str(port), "-d", str(workspace), "-m", "700M",
         "-x", "refine.headless=true"],  # fmt: skip
        cwd=REFINE.parent, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "no_proxy": "127.0.0.1,localhost"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def started() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"OpenRefine exited with {proc.returncode}: {(workspace / 'refine.log').read_text()[-2000:]}")
        try:
            requests.get(f"{url}/command/core/get-csrf-token", timeout=2).raise_for_status()
        except requests.RequestException:
            return False
        return True

    try:
        wait_until(started, "OpenRefine to start", 90, every=0.5,
                   detail=lambda: (workspace / "refine.log").read_text()[-2000:])  # fmt: skip
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from oms_ld import create_app

    app = create_app({"TESTING": True})
    with serve(app) as url:
        yield url
    app.extensions["oms_ld"].store.close()


def token(refine: str) -> str:
    return str(requests.get(f"{refine}/command/core/get-csrf-token", timeout=10).json()["token"])


def create_project(refine: str, rows: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["kommun", "lan"])
    writer.writerows(rows)
    options = {"separator": ",", "headerLines": 1, "guessCellValueTypes": False, "encoding": "UTF-8"}
    response = requests.post(
        f"{refine}/command/core/create-project-from-upload",
        params={"csrf_token": token(refine)},
        data={"project-name": "oms-ld linking", "format": "text/line-based/*sv", "options": json.dumps(options)},
        files={"project-file": ("names.csv", buffer.getvalue().encode("utf-8"), "text/csv")},
        allow_redirects=False,
        timeout=30,
    )
    location = response.headers.get("Location", "")
    assert "project=" in location, (response.status_code, response.text[:500])
    return location.split("project=", 1)[1].split("&", 1)[0]


def reconcile_column(refine: str, project: str, column: str, service: str, type_: str, type_name: str) -> None:
    config = {"mode": "standard-service", "service": service, "identifierSpace": ID, "schemaSpace": OMS,
              "type": {"id": type_, "name": type_name}, "autoMatch": True, "columnDetails": [], "limit": 0}  # fmt: skip
    response = requests.post(
        f"{refine}/command/core/reconcile",
        params={"project": project, "csrf_token": token(refine)},
        data={"columnName": column, "config": json.dumps(config), "engine": '{"facets":[],"mode":"row-based"}'},
        timeout=30,
    )
    assert response.json().get("code") in ("ok", "pending"), response.text
    wait(refine, project, "OpenRefine's reconciliation to finish")


def matched(refine: str, project: str) -> list[list[Any]]:
    answer = requests.post(
        f"{refine}/command/core/get-rows", params={"project": project, "start": 0, "limit": 100}, timeout=10
    ).json()
    pool = answer.get("pool", {}).get("recons", {})  # cells name their recon by id; the pool holds it
    table = []
    for row in answer["rows"]:
        cells = []
        for cell in row["cells"]:
            recon = (cell or {}).get("r") or {}
            if isinstance(recon, str):
                recon = pool.get(recon, {})
            cells.append((recon.get("m") or {}).get("id") if recon.get("j") == "matched" else None)
        table.append(cells)
    return table


def wait(refine: str, project: str, what: str = "OpenRefine's long-running operation to finish") -> None:
    def idle() -> bool:
        answer = requests.get(f"{refine}/command/core/get-processes", params={"project": project}, timeout=10)
        return not answer.json()["processes"]

    wait_until(idle, what, every=0.3)


def extend_column(refine: str, project: str, column: str, service: str, properties: list[dict[str, str]]) -> None:
    """OpenRefine's "Add columns from reconciled values" (data extension)."""
    response = requests.post(
        f"{refine}/command/core/extend-data",
        params={"project": project, "csrf_token": token(refine)},
        data={"baseColumnName": column, "endpoint": service, "identifierSpace": ID, "schemaSpace": OMS,
              "extension": json.dumps({"properties": properties}), "columnInsertIndex": "1",
              "engine": '{"facets":[],"mode":"row-based"}'},  # fmt: skip
        timeout=30,
    )
    assert response.json().get("code") in ("ok", "pending"), response.text
    wait(refine, project)


def values(refine: str, project: str) -> tuple[list[str], list[list[Any]]]:
    """The column names and the cell values of every row."""
    model = requests.get(f"{refine}/command/core/get-columns-info", params={"project": project}, timeout=10).json()
    answer = requests.post(
        f"{refine}/command/core/get-rows", params={"project": project, "start": 0, "limit": 100}, timeout=10
    ).json()
    names = [c["name"] for c in model]
    models = requests.get(f"{refine}/command/core/get-models", params={"project": project}, timeout=10).json()
    order = [c["cellIndex"] for c in models["columnModel"]["columns"]]
    rows = [[(row["cells"][i] or {}).get("v") if i < len(row["cells"]) else None for i in order]
            for row in answer["rows"]]  # fmt: skip
    return names, rows


def test_openrefine_reconciles_names_from_other_agencies(refine: str, server: str) -> None:
    width = max(len(MUNICIPALITIES), len(COUNTIES))
    pad: list[tuple[str, str | None]] = [("", None)]
    kommuner, lan = MUNICIPALITIES + pad * (width - len(MUNICIPALITIES)), COUNTIES + pad * (width - len(COUNTIES))
    project = create_project(refine, [(k[0], c[0]) for k, c in zip(kommuner, lan, strict=True)])
    service = f"{server}/reconcile"
    reconcile_column(refine, project, "kommun", service, OMS + "Municipality", "municipality")
    reconcile_column(refine, project, "lan", service, OMS + "County", "county")
    table = matched(refine, project)
    assert len(table) == width
    got = [(row[0], row[1]) for row in table]
    expected = [(ID + k[1] if k[1] else None, ID + c[1] if c[1] else None) for k, c in zip(kommuner, lan, strict=True)]
    wrong = [(k[0], c[0], g) for k, c, g, e in zip(kommuner, lan, got, expected, strict=True) if g != e]
    assert not wrong, f"rows OpenRefine matched wrongly: {wrong}"
    right = sum(1 for g, e in zip(got, expected, strict=True) for a, b in zip(g, e, strict=True) if a == b and a)
    assert right == sum(1 for _n, t in MUNICIPALITIES + COUNTIES if t)
    # Then "Add columns from reconciled values": the kommunkod and the county of every matched municipality.
    asked = [{"id": OMS + "municipalityCode", "name": "kommunkod"}, {"id": OMS + "county", "name": "län"}]
    extend_column(refine, project, "kommun", service, asked)
    names, rows = values(refine, project)
    assert len(names) == 4, names  # OpenRefine names the new columns after our meta names
    code, county = names.index("municipality code"), names.index("in county")
    by_name = {row[names.index("kommun")]: row for row in rows}
    assert by_name["Stockholms stad"][code] == "0180" and by_name["Gavle"][code] == "2180"
    assert by_name["Stockholms stad"][county] == "Stockholms län"
    assert by_name["Kiruna kommun"][code] is None
