"""Content digests are hashed once and remembered by file status, never trusted after a write."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from oms_ld.rdf.digests import CACHE_FILE, file_digests


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = []
    for name, text in (("a.ttl", "<urn:a> <urn:p> 1 .\n"), ("b.nt", "<urn:b> <urn:p> 2 .\n")):
        path = tmp_path / "content" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _plant(cache_dir: Path, path: Path, digest: str) -> None:
    """Replace the remembered digest of `path`, keeping its status (what a stale cache would hold)."""
    cache = cache_dir / CACHE_FILE
    entries = json.loads(cache.read_text(encoding="utf-8"))
    entries[str(path.resolve())][1] = digest
    cache.write_text(json.dumps(entries), encoding="utf-8")


def test_digests_are_the_files_sha256_with_or_without_a_cache(files: list[Path], tmp_path: Path) -> None:
    expected = {path: _sha(path) for path in files}
    assert file_digests(files, None) == expected
    assert file_digests(files, tmp_path / "cache", settled_ns=0) == expected
    assert file_digests(files, tmp_path / "cache", settled_ns=0) == expected


def test_an_unchanged_file_is_not_read_again(files: list[Path], tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    file_digests(files, cache_dir, settled_ns=0)
    _plant(cache_dir, files[0], "0" * 64)
    assert file_digests(files, cache_dir)[files[0]] == "0" * 64  # the remembered digest was used


def test_a_rewritten_file_is_hashed_again_even_with_its_size_and_mtime_restored(
    files: list[Path], tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    file_digests(files, cache_dir, settled_ns=0)
    _plant(cache_dir, files[0], "0" * 64)
    before = files[0].stat()
    files[0].write_text(files[0].read_text(encoding="utf-8").replace("1", "9"), encoding="utf-8")
    os.utime(files[0], ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time still moves
    assert files[0].stat().st_size == before.st_size
    assert file_digests(files, cache_dir)[files[0]] == _sha(files[0])


def test_a_file_changed_just_before_it_was_read_is_not_remembered(files: list[Path], tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    assert file_digests(files, cache_dir) == {path: _sha(path) for path in files}
    assert not (cache_dir / CACHE_FILE).exists()  # written a moment ago: the same clock tick could hide a write


def test_an_unwritable_cache_folder_still_gives_digests(files: list[Path], tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    assert file_digests(files, blocked / "cache", settled_ns=0) == {path: _sha(path) for path in files}


def test_a_broken_cache_file_is_ignored(files: list[Path], tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / CACHE_FILE).write_text("{not json", encoding="utf-8")
    assert file_digests(files, cache_dir, settled_ns=0) == {path: _sha(path) for path in files}
    assert json.loads((cache_dir / CACHE_FILE).read_text(encoding="utf-8"))  # and replaced by a good one
