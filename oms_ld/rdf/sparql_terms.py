"""The terminals of SPARQL 1.1 Query and Update (§19.8) and a longest-match tokenizer over them,
with the \\u / \\U escapes of §19.2 applied first, plus RFC 3986 reference resolution for the IRIs a
request declares. Pure: no I/O, no Flask. `sparql.read` builds on it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import QueryError

#: What an update request starts with after its prologue (SPARQL 1.1 Update §3).
UPDATE_VERBS = frozenset({"INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})


#: Keywords only the update grammar has: a query never contains one.
UPDATE_ONLY = UPDATE_VERBS | {"DATA", "USING", "INTO", "TO", "DEFAULT", "ALL"}


#: Every keyword of the SPARQL 1.1 Query and Update grammars (§19.8), matched case-insensitively.
KEYWORDS = frozenset(
    {
        "BASE", "PREFIX", "SELECT", "DISTINCT", "REDUCED", "AS", "CONSTRUCT", "WHERE", "DESCRIBE", "ASK", "FROM",
        "NAMED", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "VALUES", "UNDEF", "OPTIONAL",
        "GRAPH", "SERVICE", "SILENT", "BIND", "MINUS", "UNION", "FILTER", "NOT", "IN", "EXISTS", "TRUE", "FALSE",
        "SEPARATOR", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL",
        "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS",
        "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW",
        "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT",
        "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE", "COUNT",
        "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT",
    }
) | UPDATE_ONLY  # fmt: skip


# --- The terminals of SPARQL 1.1 Query §19.8, as regular expressions.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)


_PN_CHARS_U = _PN_CHARS_BASE + "_"


_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"


_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"


_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"


_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"


_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"


_ECHAR = r"\\[tbnrf\\\"']"


_EXPONENT = "[eE][+-]?[0-9]+"


_WS = "[\x20\t\r\n]"


_TERMINALS = [
    ("WS", f"{_WS}+"),
    ("COMMENT", "#[^\r\n]*"),
    ("IRIREF", '<[^<>"{}|^`\\\\\x00-\x20]*>'),
    ("PNAME_LN", f"(?:{_PN_PREFIX})?:{_PN_LOCAL}"),
    ("PNAME_NS", f"(?:{_PN_PREFIX})?:"),
    ("BLANK_NODE_LABEL", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("VAR", f"[?$]{_VARNAME}"),
    ("LANGTAG", "@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("DOUBLE", f"[+-]?(?:[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT})"),
    ("DECIMAL", "[+-]?[0-9]*\\.[0-9]+"),
    ("INTEGER", "[+-]?[0-9]+"),
    ("STRING_LONG1", f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*'''"),
    ("STRING_LONG2", f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*"""'),
    ("STRING1", f"'(?:[^'\\\\\n\r]|{_ECHAR})*'"),
    ("STRING2", f'"(?:[^"\\\\\n\r]|{_ECHAR})*"'),
    ("NIL", f"\\({_WS}*\\)"),
    ("ANON", f"\\[{_WS}*\\]"),
    ("WORD", "[A-Za-z][A-Za-z0-9_]*"),
    ("PUNCT", r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*/+\-=!<>^|?]"),
]


#: Alternatives in an order where the first that matches is the longest (IRIREF before "<", a
#: prefixed name before a keyword, numbers before "." and signs, long strings before short ones).
_TOKEN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _TERMINALS))


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


_UNESCAPE_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


_IRI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)


class Token(NamedTuple):
    """One terminal: its kind (the §19.8 name, or KEYWORD, A, PUNCT, STRING), text and position.

    A tuple rather than a frozen dataclass: a query's reading makes one per terminal on every request,
    and a tuple is cheaper to make and to read (with finditer, reading a query costs a fifth less).
    """

    kind: str
    text: str
    line: int
    column: int
    #: The keyword in upper case ("" for any other token).
    keyword: str = ""

    @property
    def symbol(self) -> str:
        """What decides grammar here: the keyword, the punctuation, or the kind of the token."""
        return self.keyword or (self.text if self.kind == "PUNCT" else self.kind)


ESCAPE_OUT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def string_value(text: str) -> str:
    quote = 3 if text[:3] in ("'''", '"""') else 1
    return re.sub(r"\\(.)", lambda m: _UNESCAPE_ECHAR[m.group(1)], text[quote:-quote], flags=re.DOTALL)


def unescape(text: str) -> str:
    """The text with the \\u and \\U escapes of SPARQL 1.1 §19.2 replaced by their characters.

    Raises:
        QueryError: an escape of a surrogate or beyond U+10FFFF, or escapes that spell another escape.
    """

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"\\u or \\U escape of a code point that is not a character: {match.group()}")
        return chr(code)

    result = _ESCAPE.sub(char, text)
    if result != text and _ESCAPE.search(result):
        raise QueryError("the query has \\u escapes that spell other \\u escapes: write the characters themselves")
    return result


def tokenize(text: str) -> list[Token]:
    """The terminals of `text` (already unescaped), without white space and comments.

    Raises:
        QueryError: text that is no SPARQL 1.1 terminal (the message gives line and column).
    """
    tokens: list[Token] = []
    append = tokens.append
    position, line, line_start = 0, 1, 0
    for match in _TOKEN.finditer(text):
        if match.start() != position:  # finditer stepped over text that no terminal reads
            break
        kind = match.lastgroup
        value = match.group()
        if kind == "WS" or kind == "COMMENT":
            pass
        elif kind == "WORD":
            upper = value.upper()
            if upper in KEYWORDS:
                append(Token("KEYWORD", value, line, position - line_start + 1, upper))
            elif value == "a":
                append(Token("A", value, line, position - line_start + 1))
            else:
                column = position - line_start + 1
                raise QueryError(f"SPARQL syntax error at {line}:{column}: {value!r} is not a SPARQL 1.1 keyword")
        else:
            assert kind is not None
            append(Token("STRING" if kind.startswith("STRING") else kind, value, line, position - line_start + 1))
        if "\n" in value or "\r" in value:
            line += value.count("\n") or value.count("\r")
            line_start = position + max(value.rfind("\n"), value.rfind("\r")) + 1
        position = match.end()
    if position < len(text):
        column = position - line_start + 1
        raise QueryError(f"SPARQL syntax error at {line}:{column}: {_unreadable(text, position)}")
    return tokens


def _unreadable(text: str, position: int) -> str:
    rest = text[position : position + 20]
    if rest[:1] in "'\"":
        return "a string that is not closed on its line (or has an escape other than \\t \\b \\n \\r \\f \\\\ \\\" \\')"
    if rest[:1] == "\\":
        return "a backslash outside a string"
    return f"cannot read {rest!r} (not a SPARQL 1.1 token)"


def resolve(base: str | None, reference: str) -> str:
    """`reference` resolved against `base` by RFC 3986 §5.2 (unchanged when there is no base)."""
    if SCHEME.match(reference):
        scheme, authority, path, query, fragment = _split(reference)
        return _join(scheme, authority, _remove_dots(path), query, fragment)
    if base is None:
        return reference
    b_scheme, b_authority, b_path, b_query, _ = _split(base)
    r_scheme, r_authority, r_path, r_query, r_fragment = _split(reference)
    if r_authority is not None:
        authority, path, query = r_authority, _remove_dots(r_path), r_query
    elif r_path == "":
        authority, path, query = b_authority, b_path, r_query if r_query is not None else b_query
    else:
        if r_path.startswith("/"):
            path = _remove_dots(r_path)
        elif b_authority is not None and b_path == "":
            path = _remove_dots("/" + r_path)
        else:
            path = _remove_dots(b_path[: b_path.rfind("/") + 1] + r_path)
        authority, query = b_authority, r_query
    return _join(b_scheme, authority, path, query, r_fragment)


def _split(iri: str) -> tuple[str | None, str | None, str, str | None, str | None]:
    match = _IRI_PARTS.match(iri)
    assert match is not None  # every string matches
    scheme, authority, path, query, fragment = match.groups()
    return scheme, authority, path or "", query, fragment


def _join(scheme: str | None, authority: str | None, path: str, query: str | None, fragment: str | None) -> str:
    return (
        (f"{scheme}:" if scheme is not None else "")
        + (f"//{authority}" if authority is not None else "")
        + path
        + (f"?{query}" if query is not None else "")
        + (f"#{fragment}" if fragment is not None else "")
    )


def _remove_dots(path: str) -> str:
    output: list[str] = []
    while path:
        if path.startswith(("../", "./")):
            path = path[path.index("/") + 1 :]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            end = len(path) if end == -1 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)
