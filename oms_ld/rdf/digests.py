"""SHA-256 of content files, remembered across processes by each file's status.

A release is found by the SHA-256 of its content, so every start hashed every content file: at 10M
triples 1.5 GB, read twice, which was most of a warm start. A file's digest is kept in a small JSON
file under CACHE_DIR next to the file's size, inode, modification and change times, and reused while
all four are unchanged (the way git trusts its index). The change time cannot be set by a program
and moves on every write, so an edited file is always hashed again. A digest is only remembered for a
file last changed well before it was read (`SETTLED_NS`), so a write in the same clock tick as the
read cannot hide behind an equal timestamp.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

#: The remembered digests, in CACHE_DIR.
CACHE_FILE = "content-digests.json"
#: How long before it was read a file must have last changed for its digest to be remembered.
SETTLED_NS = 2_000_000_000


def _status(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns]


def _hash(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _load(cache: Path) -> dict[str, list[object]]:
    try:
        loaded = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def file_digests(
    paths: Iterable[Path], cache_dir: str | Path | None, *, settled_ns: int = SETTLED_NS
) -> dict[Path, str]:
    """Each file's SHA-256 (hex), hashed only when its status differs from the remembered one.

    Without `cache_dir`, or when it cannot be written, every file is hashed.
    """
    cache = Path(cache_dir) / CACHE_FILE if cache_dir else None
    known = _load(cache) if cache else {}
    found: dict[Path, str] = {}
    fresh: dict[str, list[object]] = {}
    for path in paths:
        key = str(path.resolve())
        status = _status(path.stat())
        entry = known.get(key)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == status and isinstance(entry[1], str):
            found[path] = entry[1]
            continue
        started = time.time_ns()
        found[path] = _hash(path)
        after = _status(path.stat())
        if after == status and max(status[2], status[3]) < started - settled_ns:
            fresh[key] = [status, found[path]]
    if cache is not None and fresh:
        _save(cache, {k: v for k, v in known.items() if os.path.exists(k)} | fresh)
    return found


def _save(cache: Path, entries: dict[str, list[object]]) -> None:
    """Write the remembered digests with one rename (a concurrent reader sees the old file or the new)."""
    temporary = cache.with_name(f".{cache.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(entries, sort_keys=True), encoding="utf-8")
        os.replace(temporary, cache)
    except OSError as exc:  # a read-only cache folder: digests are hashed again next time
        log.info("cannot remember content digests in %s: %s", cache, exc.strerror)
        with contextlib.suppress(OSError):
            temporary.unlink()
