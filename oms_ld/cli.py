"""The `oms-ld` command: validate, serve, dump. Thin wrappers over the package's functions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .config import load_config
from .errors import OmsLdError, SourceError
from .sources import Sources, content_files, load_sources, parse_files
from .validation import validate_graph


def _sources(config: dict[str, Any]) -> Sources:
    """Load the content, turning unreadable input into exit code 2 with the parser's message."""
    try:
        return load_sources(config)
    except SourceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)


@click.group()
@click.version_option(package_name="oms-ld")
def main() -> None:
    """Publish the ÖMS knowledge graph as linked open data."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Validate data + ontology against the shapes (exit 0 conforms, 1 does not, 2 unreadable).

    PATHS are data files or directories to validate instead of the configured data directory.
    """
    config = load_config()
    sources = _sources(config)
    data = sources.data
    if paths:
        try:
            files = [f for p in paths for f in (content_files(p) if p.is_dir() else [p])]
            missing = [f for f in files if not f.is_file()]
            if missing:
                raise SourceError(f"{missing[0]}: no such file")
            data = parse_files(files)
        except SourceError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(2)
    report = validate_graph(data, sources.shapes, sources.ontology)
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes (one per core).")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Validate the data, then serve it (refusing to start if it does not conform)."""
    from .server import run

    try:
        run(host=host, port=port, workers=workers, threads=threads)
    except OmsLdError as exc:
        report = getattr(exc, "report", None)
        if report is not None:
            click.echo(report.text(), err=True, nl=False)
        click.echo(f"error: {exc.message}; not serving", err=True)
        sys.exit(1)


@main.command()
@click.option(
    "--format",
    "suffix",
    type=click.Choice(["ttl", "nt", "jsonld", "rdf", "trig", "nq"]),
    default="ttl",
    show_default=True,
    help="ttl, nt, jsonld, rdf: data + ontology; trig, nq: every named graph (ontology, data, shapes).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
def dump(suffix: str, output: Path | None) -> None:
    """Write the dump the server publishes at /download/ (exit 1 with the report if the data does not conform)."""
    from .dumps import BY_SUFFIX, dump_bytes

    sources = _sources(load_config())
    report = validate_graph(sources.data, sources.shapes, sources.ontology)
    if not report.conforms:
        click.echo(report.text(), err=True, nl=False)
        sys.exit(1)
    body = dump_bytes(sources, BY_SUFFIX[suffix])
    if output is None:
        click.get_binary_stream("stdout").write(body)
    else:
        output.write_bytes(body)
