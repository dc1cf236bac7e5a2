"""Benchmarks: `python -m bench` runs them all and writes docs/benchmarks.md (see bench/__main__.py)."""
