"""Benchmarks for oms-ld: `python -m benchmarks` (see README-sections.md). Not part of the package."""
