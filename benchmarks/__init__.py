"""Benchmarks: each `bench_*.py` module measures ours against a baseline in the same run."""
