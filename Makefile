# One command per chore. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RAW ?= data/raw
OUT ?= data/processed
N ?= 100000
# The real development set: papers.parquet, raw/ and their truth.
REAL ?= ../shared/real
BENCH_ARGS ?=

.PHONY: run test test-spark check eval-topics train-topics eval-real bench uv sync

run: sync  ## build the dataset from data/raw into data/processed
	$(UV) run paperset build --raw $(RAW) --out $(OUT)

test: sync  ## run the test suite
	$(UV) run pytest

check: sync  ## lint, format check, type check, import layers
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports --no-cache

test-spark: uv  ## also run the Spark reader test (installs pyspark; needs Java 17+)
	$(UV) sync --frozen --group spark
	$(UV) run pytest tests/storage/test_readers.py -k spark
	$(UV) sync --frozen

eval-topics: sync  ## measure the topic classifier on the hand labels and the held-out real papers
	$(UV) run paperset eval-topics --raw $(RAW) --real $(REAL)/papers.parquet

train-topics: sync  ## retrain the shipped topic model from the real papers (deterministic)
	$(UV) run paperset train-topics --real $(REAL)/papers.parquet

eval-real: sync  ## build the real development set (../shared/real) and compare it with its truth
	$(UV) run paperset eval-real --real $(REAL)

bench: sync  ## time the build vs a floor and DuckDB on a generated corpus: N=100000,1000000 BENCH_ARGS="--prefect shared"
	$(UV) run python -m bench.run --n $(N) $(BENCH_ARGS)

# --compile-bytecode: with PYTHONDONTWRITEBYTECODE set (CI machines, containers) every command
# would otherwise re-compile Prefect's sources, ~3 s of each `paperset build`. In the Makefile,
# not in pyproject's [tool.uv]: there, every `uv run` would re-check 16k files (0.6 s).
sync: uv
	$(UV) sync --frozen --compile-bytecode

uv:  ## install uv with pip when the machine has none
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
