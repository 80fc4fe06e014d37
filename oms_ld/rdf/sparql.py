"""SPARQL 1.1 request text read by the grammar's terminals: pure functions, no I/O, no Flask.

`read(text)` tokenizes a request exactly by the SPARQL 1.1 Query terminals (§19.8, longest match,
with the \\u and \\U escapes of §19.2 applied first) and returns a `Reading`: the query form, whether
it is an update, whether it uses SERVICE, its FROM / FROM NAMED graphs, its nesting depth, and a
canonical text (`Reading.canonical`) that every engine reads the same way.

Why a tokenizer is enough to decide: outside strings, IRIs, variables, names and language tags,
a bare word in SPARQL can only be a keyword. Why engines are given the canonical text and not the
client's: parsers do not all follow the longest-match rule. pyoxigraph (and Oxigraph server) match
keywords without a word boundary and read `<` after a value as "less than" even when an IRI
reference could be read there, so a query the grammar reads one way could run another way:

* ``PREFIX : <http://evil/> PREFIX service: <x:> SELECT * { service:x { ?s ?p ?o } }`` runs
  ``SERVICE :x`` in pyoxigraph; the grammar reads the prefixed name ``service:x``.
* ``FILTER(1<2)SERVICE#>`` + newline + ``<http://evil/> {…}`` runs SERVICE in pyoxigraph;
  the grammar reads the IRI ``<2)SERVICE#>``.

The canonical text closes both: prefixes are renamed (``p0:``, ``p1:``, never the start of a
keyword), tokens are separated by one space, comments are dropped, strings are written with
escapes on one line; and an IRI reference right after a value inside an expression (always a
syntax error by the grammar, "less than" to pyoxigraph) is refused.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..errors import QueryError
from .sparql_terms import (
    ESCAPE_OUT,
    KEYWORDS,
    SCHEME,
    UPDATE_ONLY,
    UPDATE_VERBS,
    Token,
    resolve,
    string_value,
    tokenize,
    unescape,
)

#: Brackets plus chained unary operators deeper than this are refused (pyoxigraph's recursive
#: parser and evaluator overflow the stack somewhere above a few thousand levels).
MAX_NESTING = 200


#: Operators, triple patterns, UNION, OPTIONAL, MINUS, BIND … that each add a level to the algebra tree,
#: summed over the open brackets: a chain of 10 000 `+`, `UNION` or triple patterns crashes pyoxigraph too.
MAX_TREE = 1000


FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


#: The keywords that name a function (built-in calls and aggregates), not a clause.
_CALLS = KEYWORDS - UPDATE_ONLY - {
    "BASE", "PREFIX", "SELECT", "DISTINCT", "REDUCED", "AS", "CONSTRUCT", "WHERE", "DESCRIBE", "ASK", "FROM", "NAMED",
    "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "VALUES", "UNDEF", "OPTIONAL", "GRAPH",
    "SERVICE", "SILENT", "BIND", "MINUS", "UNION", "FILTER", "NOT", "IN", "EXISTS", "TRUE", "FALSE", "SEPARATOR",
}  # fmt: skip


_NOT_OPERATORS = frozenset({"VALUES", "TRUE", "FALSE", "UNDEF"})


#: Tokens after which an IRI reference is grammatical inside an expression (anything else there
#: could also be read as the operator "<": refused, see the module docstring).
_BEFORE_IRI_IN_EXPRESSION = frozenset({"(", ",", "!", "&&", "||", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/",
                                       "^^", "DISTINCT"})  # fmt: skip


_CHAINING = frozenset({"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^", ".", ";", ",",
                       "UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "VALUES", "GRAPH", "IN"})  # fmt: skip


_UNARY = frozenset({"!", "+", "-", "^"})


#: The kinds of token a template leaves out: the values a program changes from one run to the next.
_VALUES = frozenset({"IRIREF", "STRING", "INTEGER", "DECIMAL", "DOUBLE"})


def _template(tokens: list[Token]) -> int:
    """A hash of the query's tokens (after the prologue) with IRI references and literal values left out:
    `SELECT ?p ?o { <a> ?p ?o }` and `SELECT ?p ?o { <b> ?p ?o }` share it. Prefixed names stay (the
    predicates, mostly, which decide much of a query's cost), and so do variables, keywords and punctuation.
    """
    return hash(tuple(t.kind if t.kind in _VALUES else t.keyword or t.text for t in tokens))


@dataclass(frozen=True)
class Reading:
    """What the grammar says a request is, and the text to give an engine."""

    tokens: tuple[Token, ...]
    #: SELECT, ASK, CONSTRUCT or DESCRIBE; None for an update.
    form: str | None
    is_update: bool
    has_service: bool
    has_base: bool
    #: Whether an IRI reference is relative (it resolves against BASE, or the service's base IRI).
    has_relative_iri: bool
    #: The FROM and FROM NAMED graphs, resolved against BASE and the prefixes.
    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]
    #: The deepest nesting of brackets and unary operators.
    depth: int
    #: Positions (in `tokens`) of the "(" (or NIL) that open the arguments of a function call.
    calls: frozenset[int] = frozenset()
    #: The IRIs of the functions called by IRI (not the built-ins): XSD casts, extension functions.
    functions: tuple[str, ...] = ()
    #: Each call of a function by IRI with its number of arguments, in the order written.
    function_calls: tuple[tuple[str, int], ...] = ()
    #: What queries of one shape share, whatever their IRIs and values (`_template`): the query
    #: processes learn their cost under it (store/lanes.py).
    template: int = 0

    @property
    def has_dataset(self) -> bool:
        """Whether the query names its own dataset (FROM or FROM NAMED)."""
        return bool(self.from_graphs or self.from_named)

    def canonical(self, *, without_dataset: bool = False) -> str:
        """The request as one line of tokens joined by single spaces: comments dropped, keywords in
        upper case, strings re-escaped, prefixes renamed `p0:`, `p1:` … (so no name can be read as a
        keyword followed by a name). `without_dataset` leaves out the FROM and FROM NAMED clauses.
        """
        return " ".join(text for text, _ in self.pieces(without_dataset=without_dataset))

    def pieces(self, *, without_dataset: bool = False) -> list[tuple[str, Token]]:
        """The words of `canonical()`, each with the (first) token it was written from."""
        names: dict[str, str] = {}
        for i, token in enumerate(self.tokens):
            if token.keyword == "PREFIX" and i + 1 < len(self.tokens):
                names.setdefault(self.tokens[i + 1].text[:-1], f"p{len(names)}")
        out: list[tuple[str, Token]] = []
        skip = 0
        for i, token in enumerate(self.tokens):
            if skip:
                skip -= 1
                continue
            if without_dataset and token.keyword == "FROM":
                skip = 2 if i + 1 < len(self.tokens) and self.tokens[i + 1].keyword == "NAMED" else 1
                continue
            text = _canonical(token, names)
            attached = token.kind == "LANGTAG" or token.text in ("^^", ",") or bool(out) and out[-1][0].endswith("^^")
            attached = attached or i in self.calls
            if out and attached:
                # A literal stays one word ("x"@en, "1"^^<…>), and so does a call: pyoxigraph 0.5 refuses
                # CONCAT ( ?a, ?b ) and COALESCE(?a , ?b), though white space between tokens is free in SPARQL.
                out[-1] = (out[-1][0] + text, out[-1][1])
            else:
                out.append((text, token))
        return out

    def position(self, offset: int, *, without_dataset: bool = False) -> tuple[int, int]:
        """The line and column in the client's text of the character at `offset` in `canonical()`."""
        start = 0
        found = self.tokens[0] if self.tokens else Token("", "", 1, 1)
        for text, token in self.pieces(without_dataset=without_dataset):
            if start > offset:
                break
            found = token
            start += len(text) + 1
        return found.line, found.column


def _canonical(token: Token, names: dict[str, str]) -> str:
    if token.kind == "KEYWORD":
        # true and false in lower case: pyoxigraph 0.5 does not read TRUE, though keywords ignore case.
        return token.keyword.lower() if token.keyword in ("TRUE", "FALSE") else token.keyword
    if token.kind in ("PNAME_NS", "PNAME_LN"):
        prefix, local = token.text.split(":", 1)
        return f"{names[prefix]}:{local}"
    if token.kind == "STRING":
        value = string_value(token.text)
        escaped = "".join(ESCAPE_OUT.get(c, c) for c in value)
        return f'"{escaped}"'
    if token.kind == "NIL":
        return "()"
    if token.kind == "ANON":
        return "[]"
    return token.text


def _local_name(local: str) -> str:
    """A prefixed name's local part as IRI text: `\\x` escapes undone (percent escapes stay)."""
    return re.sub(r"\\(.)", r"\1", local)


@functools.lru_cache(maxsize=32)  # the endpoint and the store read the same request; a reading can be large
def read(text: str) -> Reading:
    """The grammar's reading of a SPARQL request (query or update).

    Raises:
        QueryError: text that is not made of SPARQL 1.1 terminals, an undeclared prefix, unbalanced
            brackets, nesting deeper than MAX_NESTING / MAX_TREE, text that is neither a query nor an
            update, or an IRI reference where an engine could read "<" instead.
    """
    tokens = tokenize(unescape(text))
    prefixes: dict[str, str] = {}
    base: str | None = None
    has_base = False
    position = 0
    while position < len(tokens) and tokens[position].keyword in ("BASE", "PREFIX"):
        token = tokens[position]
        if token.keyword == "BASE":
            iri = _expect(tokens, position + 1, "IRIREF", "BASE needs an IRI reference <…>")
            base = resolve(base, iri.text[1:-1])
            has_base = True
            position += 2
        else:
            name = _expect(tokens, position + 1, "PNAME_NS", "PREFIX needs a prefix name ending in ':'")
            iri = _expect(tokens, position + 2, "IRIREF", "PREFIX needs an IRI reference <…> after the name")
            prefixes[name.text[:-1]] = resolve(base, iri.text[1:-1])
            position += 3
    if position == len(tokens):
        raise QueryError("the request has no query, only comments or BASE and PREFIX declarations")
    first = tokens[position]
    is_update = first.keyword in UPDATE_VERBS or any(t.keyword in UPDATE_ONLY for t in tokens)
    form = None if is_update else first.keyword
    if not is_update and form not in FORMS:
        raise QueryError(
            f"SPARQL syntax error at {first.line}:{first.column}: a query starts with SELECT, ASK, CONSTRUCT "
            f"or DESCRIBE (after BASE and PREFIX), not {first.text[:40]!r}"
        )
    has_service = any(t.keyword == "SERVICE" for t in tokens)
    if is_update:  # refused whatever else it holds (each operation of an update may have its own prologue)
        return Reading(tuple(tokens), None, True, has_service, has_base, False, (), (), 0)
    from_graphs: list[str] = []
    from_named: list[str] = []
    depth, calls = _check_structure(tokens, prefixes)
    for i, token in enumerate(tokens):
        if token.keyword == "FROM":
            named = i + 1 < len(tokens) and tokens[i + 1].keyword == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else tokens[i + 1] if i + 1 < len(tokens) else None
            if target is None or target.kind not in ("IRIREF", "PNAME_LN", "PNAME_NS"):
                raise QueryError(f"SPARQL syntax error at {token.line}:{token.column}: FROM needs an IRI")
            (from_named if named else from_graphs).append(_iri(target, base, prefixes))
    relative = any(t.kind == "IRIREF" and not SCHEME.match(t.text[1:]) for t in tokens) or any(
        not SCHEME.match(iri) for iri in prefixes.values()
    )
    by_iri = [(_iri(tokens[i - 1], base, prefixes), _arguments(tokens, i))
              for i in sorted(calls) if tokens[i - 1].kind != "KEYWORD"]  # fmt: skip
    return Reading(
        tokens=tuple(tokens),
        form=form,
        is_update=is_update,
        has_service=has_service,
        has_base=has_base,
        has_relative_iri=relative,
        from_graphs=tuple(from_graphs),
        from_named=tuple(from_named),
        depth=depth,
        calls=calls,
        functions=tuple(iri for iri, _ in by_iri),
        function_calls=tuple(by_iri),
        template=_template(tokens[position:]),
    )


def _arguments(tokens: list[Token], opening: int) -> int:
    """How many arguments the call whose "(" (or NIL) is `tokens[opening]` has: commas at its own depth."""
    if tokens[opening].kind == "NIL":
        return 0
    depth, count = 0, 1
    for token in tokens[opening:]:
        if token.text in ("(", "[", "{"):
            depth += 1
        elif token.text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                break
        elif token.text == "," and depth == 1:
            count += 1
    return count


def _expect(tokens: list[Token], index: int, kind: str, message: str) -> Token:
    if index >= len(tokens) or tokens[index].kind != kind:
        where = tokens[min(index, len(tokens) - 1)]
        raise QueryError(f"SPARQL syntax error at {where.line}:{where.column}: {message}")
    return tokens[index]


def _iri(token: Token, base: str | None, prefixes: dict[str, str]) -> str:
    if token.kind == "IRIREF":
        return resolve(base, token.text[1:-1])
    prefix, local = token.text.split(":", 1)
    return prefixes[prefix] + _local_name(local)


def _check_structure(tokens: list[Token], prefixes: dict[str, str]) -> tuple[int, frozenset[int]]:
    """Check brackets, prefixes, nesting and the "<" ambiguity; return the deepest nesting and the
    positions of the "(" that open function arguments.

    Each open bracket is one of "{", "[", "expr(" (an expression: FILTER, BIND, function arguments,
    SELECT and solution-modifier expressions) or "pat(" (a collection, a path group, a VALUES row).
    """
    stack: list[str] = []
    chains: list[int] = [0]
    chained = 0  # sum(chains)
    query_levels: set[int] = {0}  # bracket depths where a (sub)query's clauses are, not a pattern
    unary = deepest = 0
    previous: Token | None = None
    before: Token | None = None
    calls: set[int] = set()
    for index, token in enumerate(tokens):
        symbol = token.symbol
        name = token.text.split(":", 1)[0] if token.kind in ("PNAME_NS", "PNAME_LN") else None
        if name is not None and name not in prefixes and (previous is None or previous.keyword != "PREFIX"):
            raise QueryError(f"SPARQL syntax error {_at(token)}: the prefix {name}: is not declared "
                             "(add PREFIX … <…> before the query)")  # fmt: skip
        if symbol in FORMS and stack and stack[-1] == "{":
            query_levels.add(len(stack))
        top = stack[-1] if stack else None
        if token.kind == "IRIREF" and top == "expr(" and (previous is None or previous.symbol not in
                                                            _BEFORE_IRI_IN_EXPRESSION):  # fmt: skip
            raise QueryError(
                f"SPARQL syntax error {_at(token)}: {token.text[:60]} follows a value inside an expression, where "
                "SPARQL 1.1 reads it as an IRI reference (§19.8: the longest token wins); to compare with "
                "'<' or '>', put spaces around the operator (?a < ?b)"
            )
        if token.kind == "NIL" and previous is not None:  # an empty argument list: NOW(), ex:f()
            function = previous.kind in ("IRIREF", "PNAME_LN", "PNAME_NS") and (
                top == "expr(" or len(stack) in query_levels or before is not None and before.keyword == "FILTER"
            )
            if function or previous.keyword in _CALLS:
                calls.add(index)
        if symbol in ("{", "[", "("):
            stack.append(_paren(top, previous, before, len(stack) in query_levels) if symbol == "(" else symbol)
            if stack[-1] == "expr(" and previous is not None and (
                previous.kind in ("IRIREF", "PNAME_LN", "PNAME_NS") or previous.keyword in _CALLS
            ):
                calls.add(index)
            chains.append(0)
        elif symbol in ("}", "]", ")"):
            opener = {"}": "{", "]": "[", ")": "("}[symbol]
            if not stack or stack[-1][-1] != opener:
                raise QueryError(f"SPARQL syntax error {_at(token)}: {symbol!r} closes nothing that is open here")
            query_levels.discard(len(stack))
            stack.pop()
            chained -= chains.pop()
        elif symbol in _CHAINING or token.kind in ("INTEGER", "DECIMAL", "DOUBLE") and token.text[0] in "+-":
            chains[-1] += 1
            chained += 1
        unary = unary + 1 if symbol in _UNARY and _operand_expected(previous) else 0
        nesting = len(stack) + unary
        deepest = max(deepest, nesting)
        if nesting > MAX_NESTING or nesting + chained > MAX_TREE:
            raise QueryError(
                f"the query is nested too deeply {_at(token)}: more than {MAX_NESTING} levels of brackets and unary "
                f"operators, or more than {MAX_TREE} operators, triple patterns, UNION, OPTIONAL … in the open "
                "groups (the query engine would run out of stack); write it flatter"
            )
        before, previous = previous, token
    if stack:
        raise QueryError(f"SPARQL syntax error: {len(stack)} bracket(s) are not closed at the end of the query")
    return deepest, frozenset(calls)


def _at(token: Token) -> str:
    return f"at {token.line}:{token.column}"


def _operand_expected(previous: Token | None) -> bool:
    """Whether the token after `previous` starts an operand (so "!", "-", "+", "^" are unary there)."""
    if previous is None:
        return True
    return previous.kind in ("PUNCT", "KEYWORD") and previous.text not in (")", "]", "}")


def _paren(top: str | None, previous: Token | None, before: Token | None, query_level: bool) -> str:
    """Whether a "(" opens an expression ("expr(") or a pattern ("pat(": collection, path, VALUES)."""
    if top == "expr(":
        return "expr("
    word = previous.keyword if previous is not None else ""
    if word == "VALUES":
        return "pat("
    if word and word not in _NOT_OPERATORS:
        return "expr("  # FILTER ( BIND ( STR ( IN ( ORDER BY ( …
    if query_level or top is None:
        return "expr("  # SELECT (… AS ?x), GROUP BY, HAVING, ORDER BY: outside any pattern
    function = previous is not None and previous.kind in ("IRIREF", "PNAME_LN", "PNAME_NS")
    if function and before is not None and before.keyword == "FILTER":
        return "expr("  # FILTER <function>(…)
    return "pat("
