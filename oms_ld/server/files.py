"""Answers whose body is a file the app sends: granian reads the file and sends it, whole or one range.

The app (Flask's `send_file`, for dumps and big graph files) is given `FileChunks` as PEP 3333's
`wsgi.file_wrapper`, which notes the file's path; the front then hands that path to granian instead
of joining the body into memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class FileChunks:
    """PEP 3333's `wsgi.file_wrapper`: a file read in pieces (seekable, for the app's range answers)."""

    def __init__(self, file: Any, size: int) -> None:
        self.file = file
        self.size = size

    def __iter__(self) -> FileChunks:
        return self

    def __next__(self) -> bytes:
        data: bytes = self.file.read(self.size)
        if not data:
            raise StopIteration
        return data

    def seekable(self) -> bool:
        return bool(self.file.seekable())

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self.file.seek(offset, whence))

    def tell(self) -> int:
        return int(self.file.tell())

    def close(self) -> None:
        self.file.close()


@dataclass(frozen=True)
class FileAnswer:
    """An answer whose body is (a range of) a file: granian reads and sends it in pieces, so that a slow
    reader of a dump holds a few pieces in the worker, not the whole file (werkzeug's file wrapper,
    joined, held a whole dump per download: 150 MB each at 1M triples). The path was the app's answer
    an instant ago: a release is only deleted once no process holds it, well after that."""

    status: int
    headers: list[tuple[str, str]]
    path: str
    start: int = 0
    end: int | None = None


def file_answer(status: int, headers: list[tuple[str, str]], files: list[str]) -> FileAnswer | None:
    """The file answer when the app's body is one whole file (200) or one range of it (206)."""
    if len(files) != 1 or status not in (200, 206):
        return None
    if status == 200:
        return FileAnswer(status, headers, files[0])
    found = next((value for name, value in headers if name.lower() == "content-range"), "")
    unit, _, spec = found.partition(" ")
    first, _, rest = spec.partition("-")
    last = rest.partition("/")[0]
    if unit != "bytes" or not first.isdigit() or not last.isdigit():
        return None
    return FileAnswer(status, headers, files[0], int(first), int(last) + 1)
