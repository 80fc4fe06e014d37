"""Reconciliation Service API 0.2 at /reconcile: every answer validates against the 0.2 schemas."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from .. import schemas
from ..conftest import BASE

OMS = BASE + "def/oms#"
ID = BASE + "id/"
MUNICIPALITY, COUNTY, REGION = OMS + "Municipality", OMS + "County", OMS + "RegionalAuthority"


def valid(name: str, data: Any) -> Any:
    problems = schemas.errors(name, data)
    assert not problems, f"{name}: {problems}"
    return data


@pytest.mark.parametrize(("name", "ok", "path"), schemas.examples(), ids=lambda v: getattr(v, "name", str(v)))
def test_the_validator_classifies_every_example_of_the_spec(name: str, ok: bool, path: Any) -> None:
    assert (not schemas.errors(name, json.loads(path.read_text(encoding="utf-8")))) == ok


def test_there_are_examples_both_ways() -> None:
    found = schemas.examples()
    assert sum(ok for _n, ok, _p in found) >= 30 and sum(not ok for _n, ok, _p in found) >= 10


def reconcile(web: FlaskClient, queries: dict[str, Any], *, method: str = "POST") -> dict[str, Any]:
    valid("reconciliation-query-batch", queries)
    body = json.dumps(queries)
    if method == "POST":
        response = web.post("/reconcile", data={"queries": body})
    else:
        response = web.get(f"/reconcile?queries={quote(body)}")
    assert response.status_code == 200, response.data
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return dict(valid("reconciliation-result-batch", response.get_json()))


def best(web: FlaskClient, query: str, type_: str | None = None, **extra: Any) -> dict[str, Any]:
    q: dict[str, Any] = {"query": query, **extra}
    if type_:
        q["type"] = type_
    results: list[dict[str, Any]] = reconcile(web, {"q0": q})["q0"]["result"]
    return results[0] if results else {}


def test_manifest(web: FlaskClient) -> None:
    response = web.get("/reconcile")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = valid("manifest", response.get_json())
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == ID and manifest["schemaSpace"] == OMS
    types = {t["id"]: t["name"] for t in manifest["defaultTypes"]}
    assert types[MUNICIPALITY] and types[COUNTY]
    assert "{{id}}" in manifest["view"]["url"] and "{{id}}" in manifest["preview"]["url"]
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    assert manifest["extend"]["propose_properties"]["service_path"] == "/propose_properties"


def test_jsonp(web: FlaskClient) -> None:
    response = web.get("/reconcile?callback=cb")
    assert response.data.startswith(b"/**/cb(") and response.mimetype == "text/javascript"
    assert web.get("/reconcile?callback=alert(1)").status_code == 400


@pytest.mark.parametrize(
    ("query", "type_", "expected"),
    [
        ("Stockholms stad", MUNICIPALITY, "municipality/stockholm"),
        ("Stockholms kommun", MUNICIPALITY, "municipality/stockholm"),
        ("Stockholm", MUNICIPALITY, "municipality/stockholm"),
        ("STOCKHOLM", MUNICIPALITY, "municipality/stockholm"),
        ("Vasteras", MUNICIPALITY, "municipality/vasteras"),
        ("Västerås stad", MUNICIPALITY, "municipality/vasteras"),
        ("Sörmland", COUNTY, "county/sodermanlands-lan"),
        ("Södermanlands län", COUNTY, "county/sodermanlands-lan"),
        ("Södermanland", COUNTY, "county/sodermanlands-lan"),
        ("Region Sörmland", COUNTY, "county/sodermanlands-lan"),
        ("Region Uppsala", COUNTY, "county/uppsala-lan"),
        ("Stockholm", COUNTY, "county/stockholms-lan"),
        ("Region Sörmland", None, "region/sormland"),
        ("Region Sörmland", REGION, "region/sormland"),
        ("Stockholms kommun", None, "municipality/stockholm"),
    ],
)
def test_names_match_in_the_forms_agencies_use(web: FlaskClient, query: str, type_: str | None, expected: str) -> None:
    result = best(web, query, type_)
    assert result["id"] == ID + expected and result["match"] is True, result
    if type_:
        assert type_ in [t["id"] for t in result["type"]]


@pytest.mark.parametrize("query", ["Stockholm", "Uppsala"])
def test_a_name_shared_by_several_things_is_no_match_without_a_type(web: FlaskClient, query: str) -> None:
    results = reconcile(web, {"q0": {"query": query}})["q0"]["result"]
    assert len(results) >= 2 and not any(r["match"] for r in results)


def test_a_name_we_do_not_publish_gets_no_match(web: FlaskClient) -> None:
    results = reconcile(web, {"q0": {"query": "Kiruna kommun", "type": MUNICIPALITY}})["q0"]["result"]
    assert not any(r["match"] for r in results)


def test_typos_score_lower_and_do_not_match(web: FlaskClient) -> None:
    exact, typo = best(web, "Stockholm", MUNICIPALITY), best(web, "Stokholm", MUNICIPALITY)
    assert typo["id"] == exact["id"] and typo["score"] < exact["score"] and typo["match"] is False


@pytest.mark.parametrize(
    ("pid", "code", "expected"),
    [
        (OMS + "municipalityCode", "0180", "municipality/stockholm"),
        (OMS + "municipalityCode", "180", "municipality/stockholm"),
        (OMS + "countyCode", "04", "county/sodermanlands-lan"),
        (OMS + "nuts3Region", "SE110", "county/stockholms-lan"),
        (OMS + "iso31662Code", "SE-AB", "county/stockholms-lan"),
        (OMS + "organizationNumber", "232100-0016", "region/stockholm"),
        ("kommunkod", "0380", "municipality/uppsala"),
    ],
)
def test_a_code_property_gives_a_sure_match(web: FlaskClient, pid: str, code: str, expected: str) -> None:
    result = best(web, "", properties=[{"pid": pid, "v": code}])
    assert result["id"] == ID + expected and result["score"] == 100 and result["match"] is True


def test_a_wrong_code_spoils_a_name_match(web: FlaskClient) -> None:
    result = best(web, "Stockholms kommun", MUNICIPALITY, properties=[{"pid": OMS + "municipalityCode", "v": "0181"}])
    assert not (result.get("id") == ID + "municipality/stockholm" and result["match"])


def test_get_batch_limit_and_type_strict(web: FlaskClient) -> None:
    answer = reconcile(web, {"q0": {"query": "Stockholm", "limit": 2}, "q1": {"query": "Uppsala län"}}, method="GET")
    assert len(answer["q0"]["result"]) == 2 and answer["q1"]["result"][0]["id"] == ID + "county/uppsala-lan"
    should = reconcile(web, {"q0": {"query": "Uppsala län", "type": MUNICIPALITY, "type_strict": "should"}})
    ids = [r["id"] for r in should["q0"]["result"]]
    assert ids[0] == ID + "municipality/uppsala" and ID + "county/uppsala-lan" in ids  # preferred, not filtered
    strict = reconcile(web, {"q0": {"query": "Uppsala län", "type": MUNICIPALITY}})
    assert all(MUNICIPALITY in [t["id"] for t in r["type"]] for r in strict["q0"]["result"])


def test_suggest(web: FlaskClient) -> None:
    entities = valid("suggest-entities-response", web.get("/reconcile/suggest/entity?prefix=sod").get_json())
    ids = [r["id"] for r in entities["result"]]
    assert ID + "county/sodermanlands-lan" in ids and ID + "municipality/sodertalje" in ids
    english = valid("suggest-entities-response", web.get("/reconcile/suggest/entity?prefix=Stockholm%20Cou").get_json())
    assert english["result"][0]["id"] == ID + "county/stockholms-lan"
    page = web.get("/reconcile/suggest/entity?prefix=s&cursor=1&limit=2").get_json()["result"]
    first = web.get("/reconcile/suggest/entity?prefix=s&limit=3").get_json()["result"]
    assert page == first[1:3]
    types = valid("suggest-types-response", web.get("/reconcile/suggest/type?prefix=MUNI").get_json())
    assert types["result"][0]["id"] == MUNICIPALITY
    props = valid("suggest-properties-response", web.get("/reconcile/suggest/property?prefix=kommunk").get_json())
    assert props["result"][0]["id"] == OMS + "municipalityCode"


def test_propose_properties(web: FlaskClient) -> None:
    response = web.get(f"/reconcile/propose_properties?type={quote(COUNTY)}")
    proposal = valid("data-extension-property-proposal", response.get_json())
    ids = [p["id"] for p in proposal["properties"]]
    assert OMS + "countyCode" in ids and OMS + "regionalAuthority" in ids and OMS + "municipalityCode" not in ids


def test_data_extension(web: FlaskClient) -> None:
    ask = {"ids": [ID + "municipality/stockholm", ID + "node-city/uppsala"],
           "properties": [{"id": OMS + "municipalityCode"}, {"id": OMS + "county"}, {"id": OMS + "region"},
                          {"id": "http://www.opengis.net/ont/geosparql#asWKT"}]}  # fmt: skip
    valid("data-extension-query", ask)
    for response in (web.post("/reconcile", data={"extend": json.dumps(ask)}),
                     web.get(f"/reconcile?extend={quote(json.dumps(ask))}")):  # fmt: skip
        answer = valid("data-extension-response", response.get_json())
        stockholm, uppsala = answer["rows"][ask["ids"][0]], answer["rows"][ask["ids"][1]]
        assert stockholm[OMS + "municipalityCode"] == [{"str": "0180"}]
        assert stockholm[OMS + "county"] == [{"id": ID + "county/stockholms-lan", "name": "Stockholms län"}]
        assert uppsala[OMS + "region"][0]["id"] == ID + "region/uppsala"
        assert uppsala["http://www.opengis.net/ont/geosparql#asWKT"][0]["str"].startswith("POINT(")
        assert [m["id"] for m in answer["meta"]] == [p["id"] for p in ask["properties"]]


@pytest.mark.parametrize("how", ["raw", "encoded", "double"])
def test_preview(web: FlaskClient, how: str) -> None:
    iri = ID + "county/sodermanlands-lan"
    value = {"raw": iri, "encoded": quote(iri, safe=""), "double": quote(quote(iri, safe=""), safe="")}[how]
    response = web.get(f"/reconcile/preview?id={value}" if how == "raw" else f"/reconcile/preview?id={value}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Södermanlands län" in response.get_data(as_text=True)
    assert web.get("/reconcile/preview?id=nope").status_code == 404


def test_every_backend_builds_the_same_answers(client: FlaskClient) -> None:
    """The index comes from SPARQL through the store, so the remote stores must give the same matches."""
    code = [{"pid": OMS + "municipalityCode", "v": "0180"}]
    answer = reconcile(client, {"q0": {"query": "Sörmland", "type": COUNTY}, "q1": {"query": "", "properties": code}})
    assert answer["q0"]["result"][0]["id"] == ID + "county/sodermanlands-lan" and answer["q0"]["result"][0]["match"]
    assert answer["q1"]["result"][0]["id"] == ID + "municipality/stockholm"
    assert client.get("/code/nuts/SE110").headers["Location"] == "/id/county/stockholms-lan"
    assert client.get("/features/collections/places/items/uppsala").get_json()["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    "data",
    [
        {"queries": "not json"},
        {"queries": "[1, 2]"},
        {"queries": '{"q0": {"query": "x", "limit": "many"}}'},
        {"queries": '{"q0": {"query": "x", "properties": "kommunkod"}}'},
        {"extend": '{"ids": "x"}'},
    ],
)
def test_malformed_requests_are_400(web: FlaskClient, data: dict[str, str]) -> None:
    response = web.post("/reconcile", data=data)
    assert response.status_code == 400 and response.headers["Access-Control-Allow-Origin"] == "*"
