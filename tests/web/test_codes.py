"""Code lookups (`/code/{scheme}/{code}` → 303 to the thing) and the code crosswalk download."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from oms_ld.web import site_of

from ..conftest import BASE, DATASET

ID = BASE + "id/"


@pytest.mark.parametrize(
    ("path", "thing"),
    [
        ("/code/kommunkod/0180", "municipality/stockholm"),
        ("/code/kommunkod/180", "municipality/stockholm"),
        ("/code/lanskod/04", "county/sodermanlands-lan"),
        ("/code/lanskod/0004", "county/sodermanlands-lan"),
        ("/code/nuts/SE110", "county/stockholms-lan"),
        ("/code/nuts/se121", "county/uppsala-lan"),
        ("/code/iso3166-2/SE-AB", "county/stockholms-lan"),
        ("/code/orgnr/232100-0016", "region/stockholm"),
        ("/code/orgnr/2321000016", "region/stockholm"),
    ],
)
def test_a_code_redirects_to_the_thing(web: FlaskClient, path: str, thing: str) -> None:
    response = web.get(path)
    assert response.status_code == 303 and response.headers["Location"] == f"/id/{thing}"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert web.get(response.headers["Location"]).status_code == 303  # the thing exists


def test_unknown_codes_and_schemes_are_404_naming_the_scheme(web: FlaskClient) -> None:
    response = web.get("/code/kommunkod/2584")
    assert response.status_code == 404 and "kommunkod" in response.get_data(as_text=True)
    response = web.get("/code/fips/01")
    assert response.status_code == 404 and "fips" in response.get_data(as_text=True)
    assert "kommunkod" in response.get_data(as_text=True)


def test_the_crosswalk_lists_every_code_once(web: FlaskClient, linking_app: Flask) -> None:
    date = site_of(linking_app).settings.release_date
    response = web.get("/download/oms-ld-codes-latest.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {"code": "0180", "scheme": "kommunkod", "iri": ID + "municipality/stockholm",
            "name_sv": "Stockholms kommun", "name_en": "Stockholm Municipality"} in rows  # fmt: skip
    schemes = {r["scheme"] for r in rows}
    assert schemes == {"kommunkod", "lanskod", "nuts", "iso3166-2", "orgnr"}
    assert len({(r["scheme"], r["code"]) for r in rows}) == len(rows)
    for row in rows:  # every row is a working lookup
        found = web.get(f"/code/{row['scheme']}/{row['code']}")
        assert found.headers["Location"] == "/" + row["iri"].removeprefix(BASE)
    assert web.get(f"/download/oms-ld-codes-{date}.csv").data == response.data
    meta = json.loads(web.get("/download/oms-ld-codes-latest.csv-metadata.json").data)
    assert meta["@context"][0] == "http://www.w3.org/ns/csvw" and meta["url"] == f"oms-ld-codes-{date}.csv"
    assert [c["name"] for c in meta["tableSchema"]["columns"]] == list(rows[0])


def test_the_crosswalk_is_listed_and_catalogued(web: FlaskClient) -> None:
    listing = json.loads(web.get("/download/", headers={"Accept": "application/json"}).data)
    assert {"oms-ld-codes-latest.csv", "oms-ld-codes-latest.csv-metadata.json"} <= {d["name"] for d in listing}
    catalog = Graph().parse(data=web.get("/catalog?_mediatype=ttl").data, format="turtle")
    urls = {str(u) for d in catalog.objects(DATASET, DCAT.distribution) for u in catalog.objects(d, DCAT.downloadURL)}
    assert BASE + "download/oms-ld-codes-latest.csv" in urls
    dist = next(catalog.subjects(DCAT.downloadURL, URIRef(BASE + "download/oms-ld-codes-latest.csv")))
    assert any("kommunkod" in str(t) for t in catalog.objects(dist, DCTERMS.description))
    assert Literal("The whole dataset (data and ontology) as CSV.", lang="en") not in set(
        catalog.objects(dist, DCTERMS.description)
    )
