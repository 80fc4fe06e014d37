"""Linking features: reconciliation, code lookups, search and OGC API Features (no Flask here)."""
