"""Turn a pyoxigraph answer into the bytes the client gets, within row and byte limits.

This runs where the query runs (a query process, or in-process for trusted queries). With a wanted
media type, the bytes written are the final representation, so the serving worker only passes them
on. Without one, they are TSV / N-Triples (or `true`/`false`) for the caller to read as values.

Rows are counted on a TSV or N-Triples serialization, where one line is one row or triple (both
formats escape line breaks). Other formats are written from the answer directly (`direct`, given a
way to evaluate the query again): an answer too short to hold more rows than allowed (every format
spends at least a few bytes per row) needs no count, a longer one is read back and counted, up to
the cap. Anything unusual (a failure, an answer that cannot be read back) is answered the old way,
from the TSV / N-Triples text, so errors are classified exactly as before.
Every failure becomes one of the project's errors, chosen by whose fault it is: the query's or the
client's (400/406) or the engine's (502).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, cast

import pyoxigraph as ox

from ..errors import NotAcceptable, OmsLdError, QueryError, QueryRefused, ResultTooLarge, StoreError

TSV = ox.QueryResultsFormat.TSV
NT = ox.RdfFormat.N_TRIPLES
Write = Callable[[bytes], None]
Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: The fewest bytes a row (or triple) takes in each format written directly: `<result></result>` in XML,
#: `{}` and a comma in JSON, a line break in CSV, a separator and a one-character term in RDF syntaxes.
_MIN_ROW_BYTES: dict[ox.RdfFormat | ox.QueryResultsFormat, int] = {ox.QueryResultsFormat.XML: 17}
_MIN_BYTES = 2
#: Past this many bytes (and each time twice as many) an untrusted answer written directly has its rows
#: counted so far (SPARQL JSON and XML), or is answered the old way, from TSV / N-Triples (the others).
_DIRECT_MAX = 2 << 20
#: A string in SPARQL JSON results, possibly cut off at the end of a partial answer.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.|\\\Z)*(?:"|\Z)')


class _Stop(Exception):
    """Raised inside a serializer callback to stop an answer that went over a limit."""

    def __init__(self, error: OmsLdError) -> None:
        super().__init__(error.message)
        self.error = error


class _Sink:
    """A bytes sink for pyoxigraph's writers: counts lines and bytes, then keeps or forwards the bytes."""

    def __init__(
        self, max_bytes: int, max_rows: int | None = None, header: int = 0, forward: Write | None = None
    ) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.lines = 0
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.max_lines = None if max_rows is None else max_rows + header
        self.forward = forward

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise _Stop(ResultTooLarge(f"the answer is over the limit of {self.max_bytes} bytes; add a LIMIT"))
        if self.max_lines is not None:
            self.lines += chunk.count(b"\n")
            if self.lines > self.max_lines:
                raise _Stop(QueryError(f"the result has more than {self.max_rows} rows; add a LIMIT"))
        if self.forward is not None:
            self.forward(bytes(chunk))
        else:
            self.parts.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        """Nothing is buffered here."""

    def value(self) -> bytes:
        return b"".join(self.parts)


class _Abandon(Exception):
    """Raised inside the direct writer: this answer is to be written the old way."""


def _rows_so_far(body: bytes, final: ox.RdfFormat | ox.QueryResultsFormat) -> int | None:
    """The rows begun in a partial answer; None when its format cannot be counted part-written.

    In SPARQL XML a row is a `result` element (text cannot hold a raw `<`); in SPARQL JSON, once the
    strings are gone, a row is the only object opened right after `[` or `,` (the other arrays hold strings).
    """
    if final == ox.QueryResultsFormat.XML:
        return body.count(b"<result>") + body.count(b"<result/>")
    if final == ox.QueryResultsFormat.JSON:
        bare = _JSON_STRING.sub(b"", body)
        return bare.count(b"[{") + bare.count(b",{")
    return None


class _DirectSink(_Sink):
    """The sink of an untrusted answer written directly: over the row cap it stops as the TSV path would."""

    def __init__(self, max_bytes: int, max_rows: int, final: ox.RdfFormat | ox.QueryResultsFormat) -> None:
        super().__init__(max_bytes)
        self.cap, self.final, self.check_at = max_rows, final, _DIRECT_MAX

    def _rows(self, chunk: bytes = b"") -> int:
        rows = _rows_so_far(self.value() + chunk, self.final)  # a row begun is a row the answer has
        if rows is None:
            raise _Abandon
        return rows

    def write(self, chunk: bytes) -> int:
        try:
            written = super().write(chunk)
        except _Stop:  # over the byte cap: too large, unless the row cap may have come first (the old way says)
            if self._rows(bytes(chunk)) > self.cap:
                raise _Abandon from None
            raise
        if self.size > self.check_at:
            if self._rows() > self.cap:  # the TSV text of these rows is shorter still: the row cap came first
                raise _Stop(QueryError(f"the result has more than {self.cap} rows; add a LIMIT"))
            self.check_at *= 2  # counting what was written so far stays linear in the answer
        return written


def query_error(exc: Exception) -> OmsLdError:
    """The project error for an exception pyoxigraph raised while evaluating a query."""
    if isinstance(exc, _Stop):
        return exc.error
    if isinstance(exc, SyntaxError):
        return QueryError(f"SPARQL syntax error: {exc}")
    if isinstance(exc, MemoryError):
        return ResultTooLarge(f"the query needs more memory than a query may use ({exc})")
    if isinstance(exc, PermissionError):  # socket() denied by the query process's seccomp filter
        return QueryRefused(f"the query tried to open a network connection, which queries cannot do ({exc})")
    if isinstance(exc, RuntimeError | ValueError):  # evaluation errors: unknown function, unbound SERVICE, …
        return QueryError(f"the query cannot be evaluated: {exc}")
    return StoreError(f"query failed: {type(exc).__name__}: {exc}")


def _serialize_error(exc: Exception, mime: str) -> OmsLdError:
    """The project error for a failure to write an answer in `mime` (e.g. RDF 1.2 as JSON-LD)."""
    if isinstance(exc, MemoryError):  # pyoxigraph's reader takes no value over 16 MiB
        return ResultTooLarge(f"a value in the answer is too large to be written as {mime} ({exc}); "
                              "ask for TSV or N-Triples")  # fmt: skip
    if isinstance(exc, _Stop):
        return exc.error
    return NotAcceptable(f"this answer cannot be written as {mime}: {exc}", [])


def _rows(body: bytes, final: ox.RdfFormat | ox.QueryResultsFormat, cap: int) -> int | None:
    """How many rows (triples) `body` holds, counted up to `cap` + 1; None when it cannot be read back."""
    rows: Iterable[object]
    try:
        if final == ox.QueryResultsFormat.CSV:  # the csv module knows quoted line breaks; the first is the header
            rows = itertools.islice(csv.reader(io.StringIO(body.decode("utf-8"), newline="")), 1, None)
        elif isinstance(final, ox.RdfFormat):
            rows = ox.parse(body, final)
        else:
            rows = ox.parse_query_results(body, final)  # type: ignore[assignment]
        return sum(1 for _ in itertools.islice(rows, cap + 1))
    except Exception:  # noqa: BLE001 -- e.g. a value over the reader's 16 MiB: count it the old way
        return None


def _direct(answer: ox.QuerySolutions | ox.QueryTriples, final: ox.RdfFormat | ox.QueryResultsFormat,
            max_rows: int | None, max_bytes: int) -> bytes | None:  # fmt: skip
    """`answer` written in `final` straight from the engine, within the caps; None: ask again the old way.

    A long untrusted answer has its rows counted as it is written (`_DirectSink`), so it stops at the
    row cap as the TSV path did, or it is abandoned to the old way when its format cannot be counted.
    """
    out = _Sink(max_bytes) if max_rows is None else _DirectSink(max_bytes, max_rows, final)
    try:
        answer.serialize(cast(IO[bytes], out), final)  # type: ignore[arg-type]
    except _Stop:
        raise
    except Exception:  # noqa: BLE001 -- abandoned, an evaluation or a writer error: the old path says which
        return None
    body = out.value()
    if max_rows is not None and len(body) // _MIN_ROW_BYTES.get(final, _MIN_BYTES) > max_rows:
        rows = _rows(body, final, max_rows)
        if rows is None:
            return None
        if rows > max_rows:
            raise _Stop(QueryError(f"the result has more than {max_rows} rows; add a LIMIT"))
    return body


def encode(answer: Answer, write: Write, *, mime: str | None, max_rows: int | None, max_bytes: int,
           again: Callable[[], Answer] | None = None) -> str:  # fmt: skip
    """Write `answer` in `mime` (None: TSV / N-Triples) through `write`; returns its kind.

    The kind is "boolean", "solutions" or "triples" (the text form), or "encoded" (the final bytes).
    With `again` (the same query, evaluated anew), a format other than TSV / N-Triples is written
    directly; `again` is called only when that fails, so the failure is reported as it always was.

    Raises:
        OmsLdError: over a limit, not writable in `mime`, or an evaluation error (which pyoxigraph
            raises while the answer is being read).
    """
    if isinstance(answer, ox.QueryBoolean):
        if mime is None:
            write(b"true" if answer else b"false")
            return "boolean"
        results = ox.QueryResultsFormat.from_media_type(mime)
        if results is None:
            raise QueryError(f"{mime} is not a SPARQL results format")
        write(answer.serialize(format=results) or b"")
        return "encoded"
    graph = isinstance(answer, ox.QueryTriples)
    text_format = NT if graph else TSV
    final: ox.RdfFormat | ox.QueryResultsFormat | None = None
    if mime is not None:
        final = ox.RdfFormat.from_media_type(mime) if graph else ox.QueryResultsFormat.from_media_type(mime)
        if final is None:
            raise QueryError(f"{mime} is not {'an RDF' if graph else 'a SPARQL results'} format")
    if again is not None and final is not None and final != text_format:
        try:
            body = _direct(answer, final, max_rows, max_bytes)
        except _Stop as exc:
            raise exc.error from exc
        if body is not None:
            for start in range(0, len(body), 1 << 20):
                write(body[start : start + (1 << 20)])
            return "encoded"
        return encode(again(), write, mime=mime, max_rows=max_rows, max_bytes=max_bytes)
    text = _Sink(max_bytes, max_rows, header=0 if graph else 1)  # TSV starts with a header line
    try:
        answer.serialize(cast(IO[bytes], text), text_format)  # type: ignore[arg-type]
    except Exception as exc:
        raise query_error(exc) from exc
    if final is None or final == text_format:
        body = text.value()
        for start in range(0, len(body), 1 << 20):
            write(body[start : start + (1 << 20)])
        return "encoded" if final is not None else ("triples" if graph else "solutions")
    assert mime is not None
    out = _Sink(max_bytes, forward=write)
    try:
        if isinstance(final, ox.RdfFormat):
            ox.serialize(_triples(text.value()), cast(IO[bytes], out), final)
        else:
            solutions = ox.parse_query_results(text.value(), TSV)
            assert isinstance(solutions, ox.QuerySolutions)
            solutions.serialize(cast(IO[bytes], out), final)
    except Exception as exc:
        raise _serialize_error(exc, mime) from exc
    return "encoded"


def _triples(ntriples: bytes) -> Iterator[ox.Triple]:
    """The triples of an N-Triples text, one at a time."""
    for quad in ox.parse(ntriples, NT):
        yield quad.triple
