"""The `oms-ld` console command, run as a real process: exit codes and messages of `validate`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT


def oms_ld(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oms_ld", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_validate_real_data_exits_0() -> None:
    run = oms_ld("validate")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Conforms" in run.stdout


@pytest.mark.parametrize("path", sorted((FIXTURES / "invalid").glob("*.ttl"))[:3], ids=lambda p: p.stem)
def test_validate_invalid_fixture_exits_1_with_a_readable_report(path: Path) -> None:
    run = oms_ld("validate", str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Does not conform" in run.stdout
    assert "message:" in run.stdout and "path:" in run.stdout


def test_validate_every_invalid_fixture_in_one_process_exits_1() -> None:
    run = oms_ld("validate", str(FIXTURES / "invalid"))
    assert run.returncode == 1


def test_validate_unreadable_turtle_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n  ex:d .\n", encoding="utf-8")
    run = oms_ld("validate", str(bad))
    assert run.returncode == 2
    assert "bad.ttl" in run.stderr
    assert "line 4" in run.stderr


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    run = oms_ld("validate", str(tmp_path / "nope.ttl"))
    assert run.returncode == 2
    assert "nope.ttl" in run.stderr
