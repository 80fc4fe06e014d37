"""The example queries of the query page: `*.rq` files with a header of `# key: value` comment lines.

A file starts with comment lines that give `title-sv`, `title-en`, `description-sv`, `description-en`
and optionally `runnable: no` (for a query this endpoint refuses, such as one using SERVICE); an indented
comment line continues the value above it. The query follows the header. Pure: reads files, no app state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from ..errors import SourceError

LANGUAGES = ("sv", "en")
REQUIRED = tuple(f"{field}-{lang}" for field in ("title", "description") for lang in LANGUAGES)
KNOWN = (*REQUIRED, "runnable")
_FIELD = re.compile(r"#\s?([a-z]+(?:-[a-z]+)?):\s*(.*)")
_CONTINUATION = re.compile(r"#\s{2,}(\S.*)")


@dataclass(frozen=True)
class Example:
    """One example query, with its title and description in Swedish and English."""

    slug: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    query: str
    runnable: bool = True

    @property
    def permalink(self) -> str:
        """`/sparql?query=…`: the query page with this query in the editor (works without JavaScript)."""
        return permalink(self.query)


def parse_example(slug: str, text: str, *, where: str = "") -> Example:
    """The example in `text` (the content of `<slug>.rq`).

    Raises:
        SourceError: a header field is missing, unknown or repeated, or there is no query after it.
    """
    where = where or f"{slug}.rq"
    fields: dict[str, str] = {}
    last = ""
    lines = text.splitlines()
    body_start = len(lines)
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith("#"):
            body_start = number
            break
        if (continued := _CONTINUATION.fullmatch(stripped)) and last:
            fields[last] += " " + continued.group(1).strip()
        elif field := _FIELD.fullmatch(stripped):
            key, value = field.group(1), field.group(2).strip()
            if key not in KNOWN:
                raise SourceError(f"{where}:{number + 1}: unknown header field {key!r} (known: {', '.join(KNOWN)})")
            if key in fields:
                raise SourceError(f"{where}:{number + 1}: header field {key!r} given twice")
            fields[key], last = value, key
        else:
            raise SourceError(f"{where}:{number + 1}: expected '# key: value' in the header, got {stripped!r}")
    missing = [key for key in REQUIRED if not fields.get(key)]
    if missing:
        raise SourceError(f"{where}: header lacks {', '.join(missing)}")
    runnable = fields.get("runnable", "yes").lower()
    if runnable not in ("yes", "no"):
        raise SourceError(f"{where}: runnable must be 'yes' or 'no', not {runnable!r}")
    query = "\n".join(lines[body_start:]).strip()
    if not query:
        raise SourceError(f"{where}: no query after the header")
    return Example(
        slug=slug,
        title={lang: fields[f"title-{lang}"] for lang in LANGUAGES},
        description={lang: fields[f"description-{lang}"] for lang in LANGUAGES},
        query=query + "\n",
        runnable=runnable == "yes",
    )


def load_examples(directory: str | Path) -> list[Example]:
    """Every `*.rq` file in `directory`, sorted by file name (so a numeric prefix sets the order).

    Raises:
        SourceError: the directory or a file cannot be read, or a file's header is malformed.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise SourceError(f"the example queries folder {folder} does not exist")
    try:
        files = sorted(folder.glob("*.rq"))
        return [parse_example(path.stem, path.read_text(encoding="utf-8"), where=str(path)) for path in files]
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read the example queries in {folder}: {exc}") from exc


@lru_cache(maxsize=8)
def examples_in(directory: str) -> tuple[Example, ...]:
    """`load_examples(directory)`, read once per process (the files are content, like data/)."""
    return tuple(load_examples(directory))


def permalink(query: str, endpoint: str = "/sparql") -> str:
    """The link that opens the query page with `query` in the editor (`/sparql?query=…`)."""
    return f"{endpoint}?query={quote(query, safe='')}"
