"""The `oms-ld` command: validate, serve, dump. Thin wrappers over the package's functions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from .config import Settings, load_settings
from .errors import OmsLdError, SourceError
from .publishing.validation import record_conformance, validate_graph
from .rdf.sources import Sources, content_files, load_sources, parse_files
from .rdf.uris import UriPolicy


def _sources(settings: Settings, *, parse: bool = True) -> Sources:
    """Load (and by default parse) the content; unreadable input exits 2 with the parser's message."""
    try:
        sources = load_sources(settings)
        if parse:
            for graph in (sources.ontology, sources.data, sources.shapes):
                len(graph)
        return sources
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
    settings = load_settings()
    sources = _sources(settings)
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
    if report.conforms and not paths:  # the server may skip validating this exact content again
        record_conformance(sources, settings.cache_dir)
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


def _refuse(exc: OmsLdError, doing: str = "serving") -> NoReturn:
    """Explain why nothing is published (the validation report first, when there is one) and exit 1."""
    report = getattr(exc, "report", None)
    if report is not None:
        click.echo(report.text(), err=True, nl=False)
    click.echo(f"error: {exc.message}; not {doing}", err=True)
    sys.exit(1)


@main.command()
@click.option("--no-switch", is_flag=True, help="Build (or find) the release but leave `current` where it is.")
def build(no_switch: bool) -> None:
    """Compile the content into a release under RELEASES_DIR (exit 0 built or already built, 1 does not conform).

    A release holds the validation report, an on-disk store, every dump and the precomputed dataset
    description; `current` then points at it. A release that does not conform is never published.
    """
    from .publishing.build import build_release

    settings = load_settings()
    sources = _sources(settings, parse=False)
    try:
        done = build_release(settings, sources, switch=not no_switch)
    except SourceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    except OmsLdError as exc:
        _refuse(exc, "publishing it; the current release is unchanged")
    verb = f"built in {done.seconds:.1f} s" if done.built else "already built: nothing to do"
    click.echo(f"release {done.release.path.name} ({done.release.version}) {verb}")
    click.echo(f"{done.release.path}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes (one per core).")
@click.option("--threads", default=16, show_default=True, type=int,
              help="Threads per worker (keep above QUERY_PROCESSES + QUERY_EXPRESS_PROCESSES + QUERY_QUEUE, so "
                   "pages find one).")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log every request to stdout (costs throughput under heavy load).")  # fmt: skip
def serve(host: str, port: int, workers: int, threads: int, access_log: bool) -> None:
    """Validate the data, then serve it (refusing to start if it does not conform)."""
    from .server import run

    try:
        run(host=host, port=port, workers=workers, threads=threads, access_log=access_log)
    except OmsLdError as exc:
        _refuse(exc)


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
    import shutil
    import tempfile

    from .publishing.dumps import BY_SUFFIX, write_content_dumps

    settings = load_settings()
    sources = _sources(settings)
    report = validate_graph(sources.data, sources.shapes, sources.ontology)
    if not report.conforms:
        click.echo(report.text(), err=True, nl=False)
        sys.exit(1)
    with tempfile.TemporaryDirectory(prefix="oms-ld-dump-") as tmp:  # streamed: never a whole body in memory
        (written,) = write_content_dumps(sources, UriPolicy(settings.base_iri), Path(tmp), "dump",
                                         (BY_SUFFIX[suffix],), level=None)  # fmt: skip
        with (Path(tmp) / written.name).open("rb") as body:
            if output is None:
                shutil.copyfileobj(body, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                with output.open("wb") as out:
                    shutil.copyfileobj(body, out)


@main.command("export-site")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--listen", default="8080", show_default=True, help="nginx `listen`: a port, or address:port.")
@click.option("--server-name", default="_", show_default=True, help="nginx `server_name`.")
@click.option("--document", "documents", multiple=True, metavar="PATH",
              help="Export only this document (a path such as node-city/uppsala); repeatable.")  # fmt: skip
def export_site(directory: Path, listen: str, server_name: str, documents: tuple[str, ...]) -> None:
    """Write every representation as files into DIRECTORY/site, and an nginx configuration that serves them.

    DIRECTORY/nginx.conf is a server block (with the maps that negotiate as the app does) for nginx's
    http {} block; its `root` is DIRECTORY/site. DIRECTORY/nginx-standalone.conf runs it as any user:
    nginx -p DIRECTORY/nginx -c DIRECTORY/nginx-standalone.conf -e DIRECTORY/nginx/error.log
    """
    from .app import create_app
    from .export.site import export_site as write

    try:
        app = create_app()
    except SourceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    except OmsLdError as exc:
        _refuse(exc, "exporting")
    try:
        summary = write(app, directory, listen=listen, server_name=server_name, documents=documents or None)
    except OmsLdError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    click.echo(f"{summary.files} files ({summary.bytes} bytes; {summary.documents} documents) in {summary.root}")
    click.echo(f"nginx server block: {summary.config} (include it in the http {{}} block)")


@main.command()
@click.option("--endpoint", required=True, help="The store's SPARQL query endpoint (used to check the load).")
@click.option("--update-endpoint", default="", help="Its SPARQL Update endpoint [default: --endpoint].")
@click.option("--graph-store", default="", help="Its Graph Store Protocol endpoint: replace graphs by HTTP PUT.")
@click.option("--user", default=None, help="User for Basic or Digest auth [default: SPARQL_USER].")
@click.option("--password", default=None, help="Password [default: SPARQL_PASSWORD, i.e. OMS_LD_SPARQL_PASSWORD].")
@click.option("--chunk-size", default=2000, show_default=True, type=click.IntRange(min=1),
              help="Triples per SPARQL Update request.")  # fmt: skip
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds to wait for each request.")  # fmt: skip
def load(
    endpoint: str,
    update_endpoint: str,
    graph_store: str,
    user: str | None,
    password: str | None,
    chunk_size: int,
    timeout: float,
) -> None:
    """Validate the data, then replace the ontology, data and shapes graphs in a remote store.

    Idempotent: each graph is replaced whole. Exit 0 loaded, 1 the data does not conform (nothing is
    sent), 2 unreadable input or the store is unreachable or refused the data.
    """
    from .store.loader import Target, collect_graphs
    from .store.loader import load as load_graphs

    settings = load_settings()
    sources = _sources(settings)
    report = validate_graph(sources.data, sources.shapes, sources.ontology)
    if not report.conforms:
        click.echo(report.text(), nl=False)
        click.echo("error: the data does not conform to the shapes; nothing was loaded", err=True)
        sys.exit(1)
    target = Target(
        endpoint=endpoint,
        update_endpoint=update_endpoint,
        graph_store=graph_store,
        user=settings.sparql_user if user is None else user,
        password=settings.sparql_password if password is None else password,
        timeout=timeout,
    )
    try:
        graphs = collect_graphs(sources, UriPolicy(settings.base_iri).graphs, settings.extra_graphs)
        sizes = load_graphs(target, graphs, chunk_size=chunk_size)
    except OmsLdError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    for graph, size in sizes.items():
        click.echo(f"{graph}: {size} triples")
    click.echo(f"loaded version {sources.version} into {graph_store or update_endpoint or endpoint}")
