"""The streaming dump writer: same content, same bytes (file order, blank node labels, split files), and
every file parses back to the content it was written from."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from oms_ld.publishing.dumpfiles import write_dumps
from oms_ld.publishing.dumps import FORMATS, QUAD_FORMATS

GRAPHS = {"ontology": "https://example.org/graph/ontology", "data": "https://example.org/graph/data",
          "shapes": "https://example.org/graph/shapes"}  # fmt: skip
PREFIXES = {"ex": "https://example.org/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
ONTOLOGY = '@prefix ex: <https://example.org/> .\nex:Thing a <http://www.w3.org/2002/07/owl#Class> .\n'
SHAPES = ('@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <https://example.org/> .\n'
          'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:p ; sh:minCount 1 ] , '
          '[ sh:path ex:q ; sh:maxCount 2 ] .\n')  # fmt: skip
PART_A = '<https://example.org/a> <https://example.org/p> "å \\"1\\"\\n"@sv .\n' \
         '<https://example.org/a> <https://example.org/q> _:x .\n_:x <https://example.org/r> "x" .\n'  # fmt: skip
PART_B = '<https://example.org/b> <https://example.org/p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n' \
         '<https://example.org/Thing> <http://www.w3.org/2000/01/rdf-schema#label> "Thing" .\n'  # fmt: skip


def _content(root: Path, data: dict[str, str]) -> dict[str, tuple[Path, ...]]:
    root.mkdir(parents=True)
    (root / "ontology.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (root / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    for name, text in data.items():
        (root / name).write_text(text, encoding="utf-8")
    return {"ontology": (root / "ontology.ttl",), "data": tuple(root / n for n in data),
            "shapes": (root / "shapes.ttl",)}  # fmt: skip


def _dumps(root: Path, data: dict[str, str]) -> dict[str, bytes]:
    files = _content(root / "in", data)
    written = write_dumps(files, GRAPHS, root / "out", "dump", PREFIXES, FORMATS)
    assert [w.name for w in written] == [f"dump.{m.suffix}{gz}" for m in FORMATS for gz in ("", ".gz")]
    bodies = {w.name: (root / "out" / w.name).read_bytes() for w in written}
    for w in written:
        assert (w.size, w.sha256) == (len(bodies[w.name]), hashlib.sha256(bodies[w.name]).hexdigest())
    assert sorted(p.name for p in (root / "out").iterdir()) == sorted(bodies)  # no work files left behind
    return bodies


def test_the_bytes_depend_on_the_content_only(tmp_path: Path) -> None:
    """Files in another order, split otherwise, blank nodes labelled otherwise, a duplicate: same bytes."""
    first = _dumps(tmp_path / "1", {"a.nt": PART_A, "b.nt": PART_B})
    relabelled = PART_A.replace("_:x", "_:other")
    second = _dumps(tmp_path / "2", {"a.nt": PART_B, "b.nt": relabelled + PART_B.splitlines()[0] + "\n"})
    assert first == second
    assert first["dump.nt"].count(b"\n") == 6 and b"_:x" not in first["dump.nt"]
    assert b"@prefix ex: <https://example.org/> ." in first["dump.ttl"]


@pytest.mark.parametrize("media_type", FORMATS, ids=lambda m: m.suffix)
def test_every_dump_parses_back_to_its_content(tmp_path: Path, media_type: object) -> None:
    bodies = _dumps(tmp_path, {"a.nt": PART_A, "b.nt": PART_B})
    name = f"dump.{media_type.suffix}"  # type: ignore[attr-defined]
    assert gzip.decompress(bodies[f"{name}.gz"]) == bodies[name]
    assert bodies[f"{name}.gz"][4:8] == b"\0\0\0\0"  # mtime 0: no build time in the bytes
    rdflib_format = media_type.rdflib  # type: ignore[attr-defined]
    if media_type in QUAD_FORMATS:
        got = Dataset()
        got.parse(data=bodies[name], format=rdflib_format)
        for group, text in (("ontology", ONTOLOGY), ("shapes", SHAPES), ("data", PART_A + PART_B)):
            expected = Graph().parse(data=text, format="turtle")
            assert isomorphic(got.graph(GRAPHS[group]), expected), group
    else:
        expected = Graph().parse(data=ONTOLOGY + PART_A + PART_B, format="turtle")
        assert isomorphic(Graph().parse(data=bodies[name], format=rdflib_format), expected)
