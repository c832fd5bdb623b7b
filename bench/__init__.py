"""The benchmark of issue 9: a seeded synthetic corpus with ground truth, and a runner that
times the build against a floor and a DuckDB peer and scores its deduplication.

`python -m bench.generate N DIR` writes a corpus; `python -m bench.run --n N` (`make bench`)
generates one and measures every variant on it.
"""
