"""The landing page's class counts: computed once in the build, equal to asking the store."""

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
