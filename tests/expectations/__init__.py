"""Reviewed expectations: the graph's answers pinned as data (see tests/README.md)."""
