"""The switch to a new release (publishing/current.py): leases, the swap, closing the old site, refusals."""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from oms_ld.app import release_site
from oms_ld.config import Settings, load_settings
from oms_ld.publishing.build import build_release
from oms_ld.publishing.current import CurrentSite
from oms_ld.publishing.release import CURRENT, Release, _unused, current_name, prune, releases_dir

from ..conftest import ROOT

LABEL = 'rdfs:label "Uppsala"@sv , "Uppsala"@en ;'


def content(tmp_path: Path) -> Path:
    """A copy of the data folder, to change."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def settings(tmp_path: Path, data: Path, **more: Any) -> Settings:
    return load_settings({"RELEASES_DIR": str(tmp_path / "releases"), "CACHE_DIR": str(tmp_path / "cache"),
                          "DATA_DIR": str(data), "KEEP_RELEASES": 1, **more})  # fmt: skip


def relabel(data: Path, label: str) -> None:
    path = data / "nodes.ttl"
    text = path.read_text(encoding="utf-8")
    assert LABEL in text
    path.write_text(text.replace(LABEL, f'rdfs:label "Uppsala"@sv , "{label}"@en ;'), encoding="utf-8")


def open_under(folder: Path) -> list[str]:
    """This process's descriptors into `folder`."""
    fds = Path("/proc/self/fd")
    return [t for t in (os.readlink(fd) for fd in fds.iterdir() if fd.exists()) if t.startswith(f"{folder}/")]


def following(config: Settings) -> CurrentSite:
    """What a server runs: the current release's site, switched by `check` (no watcher thread)."""
    root = releases_dir(config)
    name = current_name(config)
    assert name is not None
    site = release_site(config, Release.open(root / name))
    return CurrentSite(site, watch=lambda: current_name(config),
                       open_site=lambda n: release_site(config, Release.open(root / n)), every=3600)  # fmt: skip


def test_a_request_keeps_its_release_and_the_old_one_is_closed_after_the_last(tmp_path: Path) -> None:
    data = content(tmp_path)
    config = settings(tmp_path, data)
    a = build_release(config).release
    current = following(config)
    try:
        assert not current.check()  # nothing new
        running = current.acquire()  # a request that began on A
        relabel(data, "Uppsala city")
        b = build_release(config).release
        assert b.path != a.path and b.version != a.version
        assert a.path.is_dir() and not _unused(a.path)  # the build's prune left A: it is held
        assert current.check()
        assert current.site.release == b and current.site.version == b.version
        assert running.site.release == a  # the running request still reads A
        assert running.site.store.query("ASK { ?s ?p ?o }").boolean
        assert not _unused(a.path)
        later = current.acquire()
        assert later.site.release == b
        running.release()
        running.release()  # idempotent: the count is not given back twice
        assert _unused(a.path)  # the last request on A has ended: A is let go...
        del running
        assert current.collect() == 0 and not open_under(a.path)  # ...its store freed, its files closed...
        assert prune(config, 1) == [a.path] and not a.path.exists()  # ...and the next prune removes it
        assert not _unused(b.path)
        later.release()
        assert not _unused(b.path)  # B is the site served: held until it is switched away from too
    finally:
        current.close()


def test_the_old_release_is_freed_though_the_server_froze_it(tmp_path: Path) -> None:
    """The server freezes its heap before forking its workers (server/__init__.py), and the first site is
    in it: a switch away from it must still free its store and close its files."""
    data = content(tmp_path)
    config = settings(tmp_path, data)
    a = build_release(config).release
    current = following(config)
    try:
        gc.freeze()
        relabel(data, "Uppsala city")
        build_release(config)
        assert current.check()
        assert current.collect() == 0 and not open_under(a.path)
    finally:
        gc.unfreeze()
        current.close()


def test_the_first_request_in_a_forked_worker_looks_at_current_before_it_answers(tmp_path: Path) -> None:
    """A worker forked from a parent that had not yet seen a switch answers from the new release at once,
    not after its own watcher's first round (RELEASE_CHECK_SECONDS later)."""
    data = content(tmp_path)
    config = settings(tmp_path, data)
    build_release(config)
    current = following(config)
    try:
        relabel(data, "Uppsala city")
        b = build_release(config).release
        current._watcher_pid = -1  # what a forked worker sees: the watcher thread is its parent's
        lease = current.acquire()
        assert lease.site.release == b
        lease.release()
    finally:
        current.close()


def test_a_release_that_cannot_be_opened_leaves_the_old_one_answering(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = content(tmp_path)
    config = settings(tmp_path, data)
    a = build_release(config).release
    current = following(config)
    try:
        root = releases_dir(config)
        link = root / ".link"
        link.symlink_to("2026-11-26-missing")
        link.replace(root / CURRENT)
        assert not current.check()
        assert current.site.release == a and "cannot switch to release 2026-11-26-missing" in caplog.text
        caplog.clear()
        assert not current.check() and not caplog.text  # the same link is not tried (nor logged) again
        # A release of other content (built here with another data folder) is not this server's.
        other = content(tmp_path / "other")
        relabel(other, "Somewhere else")
        build_release(config.replace(data_dir=str(other)))
        assert not current.check() and current.site.release == a
        assert "not the build of the configured content" in caplog.text
        lease = current.acquire()
        assert lease.site.store.query("ASK { ?s ?p ?o }").boolean
        lease.release()
    finally:
        current.close()
