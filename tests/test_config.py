"""Settings enter in one place: defaults, then OMS_LD_* environment, then the caller's mapping."""

from __future__ import annotations

import pytest

from oms_ld.config import defaults, load_config
from oms_ld.errors import ConfigError


def test_defaults_point_at_the_repository_content() -> None:
    config = load_config()
    assert config["DATA_DIR"].endswith("data")
    assert config["SPARQL_ENDPOINT"] == ""


def test_environment_overrides_defaults_and_is_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_LD_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("OMS_LD_SPARQL_ENDPOINT", "http://127.0.0.1:7878/query")
    config = load_config()
    assert config["QUERY_TIMEOUT"] == 2.5
    assert config["SPARQL_ENDPOINT"] == "http://127.0.0.1:7878/query"


def test_caller_mapping_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_LD_MAX_RESULT_ROWS", "5")
    assert load_config({"MAX_RESULT_ROWS": 7})["MAX_RESULT_ROWS"] == 7


@pytest.mark.parametrize(
    "override",
    [{"BASE_IRI": "https://w3id.org/oms-ld"}, {"QUERY_TIMEOUT": 0}, {"MAX_REQUEST_BYTES": "big"}],
)
def test_settings_that_cannot_work_fail_fast(override: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        load_config(override)


def test_defaults_are_fresh_each_time() -> None:
    first = defaults()
    first["DATA_DIR"] = "elsewhere"
    assert defaults()["DATA_DIR"] != "elsewhere"
