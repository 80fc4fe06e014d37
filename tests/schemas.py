"""The Reconciliation Service API 0.2 schemas as Draft 7 validators, every file registered by its `$id`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from .conftest import REFERENCE

SPEC = REFERENCE / "reconciliation-api-0.2"
SCHEMAS = SPEC / "schemas"
#: Example folders that name a part of a schema rather than a schema file: (file, JSON pointer).
PARTS = {
    "data-extension-metadata": ("manifest", "#/properties/extend"),
    "suggest-metadata": ("manifest", "#/properties/suggest/definitions/service_definition"),
    "reconciliation-candidate": ("reconciliation-result-batch", "#/patternProperties/^.*$/properties/result/items"),
}
#: `examples/security-scheme` holds OpenAPI 3 schemes (`"type": "http"`), which the 0.2 manifest's
#: Swagger 2.0 `authentication` does not describe: no schema of this version classifies them.


@cache
def _registry() -> tuple[Registry, dict[str, str]]:
    registry: Registry = Registry()
    ids: dict[str, str] = {}
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        uri = contents["$id"].rstrip("#")
        ids[path.stem] = uri
        registry = registry.with_resource(uri, Resource(contents, specification=DRAFT7))
    return registry.crawl(), ids


@cache
def validator(name: str) -> Draft7Validator:
    """A Draft 7 validator for schema file `name` (its stem) or a part listed in PARTS."""
    registry, ids = _registry()
    file, pointer = PARTS.get(name, (name, ""))
    return Draft7Validator({"$ref": ids[file] + pointer}, registry=registry)


def schema_names() -> list[str]:
    """Every schema file's stem."""
    return sorted(p.stem for p in SCHEMAS.glob("*.json"))


def errors(name: str, instance: Any) -> list[str]:
    """Every error of `instance` against schema `name`, as readable lines (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(instance)]


def examples() -> list[tuple[str, bool, Path]]:
    """(schema name, should be valid, file) for every JSON example whose folder names a schema or part."""
    known = set(schema_names()) | set(PARTS)
    found = []
    for path in sorted((SPEC / "examples").glob("*/*/*.json")):
        name, verdict = path.parent.parent.name, path.parent.name
        if name in known and verdict in ("valid", "invalid"):
            found.append((name, verdict == "valid", path))
    return found
