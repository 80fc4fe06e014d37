"""What the build computes once for the pages (class counts, external labels), equal to asking the store."""

from __future__ import annotations

from oms_ld import create_app
from oms_ld.publishing.counts import class_counts
from oms_ld.rdf.namespaces import OMS


def test_the_release_records_the_counts_the_store_gives() -> None:
    app = create_app({"TESTING": True})
    site = app.extensions["oms_ld"]
    try:
        assert site.release is not None and "class_counts" in site.release.manifest
        asked = class_counts(site.store, site.base, site.uris.graphs["data"])
        assert site.class_counts() == asked
        assert asked["classes"][str(OMS.NodeCity)] == 14
        assert asked["resources"] >= sum(1 for _ in asked["classes"]) > 0
    finally:
        site.store.close()


def test_the_release_records_the_external_labels_the_store_gives() -> None:
    """The query page's names for IRIs outside the base: read from the build, the same as asking the store."""
    from oms_ld.publishing.names import Names, external_labels

    app = create_app({"TESTING": True})
    site = app.extensions["oms_ld"]
    try:
        assert site.release is not None
        asked = external_labels(site.store, site.uris.graphs["data"], site.base)
        assert site.release.manifest["external_labels"] == asked
        assert asked and not any(iri.startswith(site.base) for iri, *_ in asked)
        fresh = Names(site.store, site.uris.graphs["data"], site.sources.ontology, site.base,
                      prefixes=site.uris.prefixes)  # fmt: skip
        known, stored = site.names.known(), fresh.known()
        assert site.names._precomputed is not None and fresh._precomputed is None
        assert {iri: known.texts(iri) for iri in known} == {iri: stored.texts(iri) for iri in stored}
    finally:
        site.store.close()
