"""`make bench`: generate a corpus, run every variant on it side by side, print and save results.

    python -m bench.run --n 100000 [--n 1000000] [--seed 9] [--delta 5000] [--repeat 1]
                        [--prefect ephemeral|shared] [--out bench/out] [--keep]

Variants, each a child process with its own output folder (same corpus, same machine):

- floor: read + split + write the records as Parquet, no parsing (`bench.floor`);
- build: `paperset build`; build-exact: the same with `--no-near-duplicates`;
- duckdb: the SQL peer (`bench.peers`);
- build-listings, build-one-file: `paperset build` of the corpus's listings in their files,
  and concatenated into one dump (`bench.one_file`): memory bounded by the batch, not the file;
- incremental: `paperset build` of the 5k-record newer batch into a copy of build's output.

With `--prefect ephemeral` (the default) each build starts Prefect's temporary server as a
user's `paperset build` does (the database is migrated once beforehand, untimed, so the first
build pays no more than the others); `shared` starts one server for the whole run instead.
Likewise the numba kernels are compiled once beforehand into a fresh cache (`kernels` in the
results: what a new environment's first build pays once).
Either way `compute s` is the sum of the run report's `stage_seconds`, and `start-up s` the
rest of the wall time: Prefect's start-up, imports and the report.
Results go to `<out>/bench-<time>.json` and `<out>/latest.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from bench import report
from bench.generate import DEFAULT_DELTA, DEFAULT_SEED, Corpus, generate_corpus
from bench.measure import prefect_server, run_measured
from bench.one_file import listing_records, write_one_file
from bench.quality import dedup_quality, load_assignments
from bench.readers import reader_benchmark, reader_table
from paperset.report import RunReport

REPO = Path.cwd()  # run from the repository root, so `-m bench.floor` resolves in children
MIN_N = 20
LOG_TAIL = 3000


@dataclass(frozen=True)
class Settings:
    """What to run: sizes, corpus seed, incremental batch, repeats, Prefect mode, where."""

    sizes: list[int]
    seed: int = DEFAULT_SEED
    delta: int = DEFAULT_DELTA
    repeat: int = 1
    prefect: Literal["ephemeral", "shared"] = "ephemeral"
    out: Path = Path("bench/out")
    keep: bool = False


@dataclass(frozen=True)
class Variant:
    """One way of processing the corpus: its command line given its output folder."""

    name: str
    command: Callable[[Path], list[str]]
    records: int
    is_build: bool = False
    prepare: Callable[[Path], object] | None = None


def build_command(raw: Path, *extra: str) -> Callable[[Path], list[str]]:
    """`paperset build` of `raw` into the variant's output folder."""
    return lambda out: [
        sys.executable,
        "-m",
        "flows.cli",
        "build",
        "--raw",
        str(raw),
        "--out",
        str(out),
        *extra,
    ]


def module_command(module: str, raw: Path) -> Callable[[Path], list[str]]:
    """`python -m <module> RAW OUT`."""
    return lambda out: [sys.executable, "-m", module, str(raw), str(out)]


def variants(corpus: Corpus, runs: Path) -> list[Variant]:
    """The variants in the order they run; incremental starts from build's output;
    build-one-file builds the corpus's listings concatenated into one dump (written here,
    untimed)."""
    one_file, listings = write_one_file(corpus.raw, runs.parent)
    chosen = [
        Variant("floor", module_command("bench.floor", corpus.raw), corpus.n),
        Variant("build", build_command(corpus.raw), corpus.n, is_build=True),
        Variant(
            "build-exact",
            build_command(corpus.raw, "--no-near-duplicates"),
            corpus.n,
            is_build=True,
        ),
        Variant("duckdb", module_command("bench.peers", corpus.raw), corpus.n),
        Variant("build-dask", build_command(corpus.raw, "--workers", "2"), corpus.n, is_build=True),
        Variant(
            "build-listings", build_command(listings), listing_records(one_file), is_build=True
        ),
        Variant(
            "build-one-file", build_command(one_file), listing_records(one_file), is_build=True
        ),
        Variant(
            "incremental",
            build_command(corpus.delta),
            corpus.n_delta,
            is_build=True,
            prepare=lambda out: shutil.copytree(runs / "build", out),
        ),
    ]
    return [v for v in chosen if v.records]


def run_variant(variant: Variant, runs: Path, env: dict[str, str], repeat: int) -> dict[str, Any]:
    """Run a variant `repeat` times in fresh folders; keep the fastest run's figures."""
    best: dict[str, Any] | None = None
    for attempt in range(repeat):
        out = runs / (variant.name if attempt == 0 else f"{variant.name}-{attempt}")
        if variant.prepare:
            variant.prepare(out)
        log = runs.parent / "logs" / f"{out.name}.log"
        measured = run_measured(variant.command(out), env=env, cwd=REPO, log=log)
        result = {
            "records": variant.records,
            **asdict(measured),
            **_outputs(variant, out),
        }
        if measured.exit_code:
            result["log_tail"] = log.read_text(errors="replace")[-LOG_TAIL:]
        if attempt:
            shutil.rmtree(out, ignore_errors=True)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    assert best is not None
    figures = f"{best['seconds']} s, {best['peak_rss_mb']} MB, exit {best['exit_code']}"
    print(f"  {variant.name}: {figures}", file=sys.stderr)
    return best


def _outputs(variant: Variant, out: Path) -> dict[str, Any]:
    """What the variant wrote: papers, files, and for builds the run report's timings."""
    files = list((out / "papers").rglob("*.parquet")) if (out / "papers").exists() else []
    found: dict[str, Any] = {"parquet_files": len(files)}
    if variant.is_build:
        found |= _run_report(out)
    elif files:
        found["papers"] = pl.scan_parquet(files).select(pl.len()).collect().item()
    return found


def _run_report(out: Path) -> dict[str, Any]:
    reports = [RunReport.read(path) for path in (out / "runs").glob("*.json")]
    if not reports:
        return {}
    latest = max(reports, key=lambda r: r.started_at)
    stages = latest.stage_seconds
    return {
        "papers": latest.papers.total,
        "records_read": latest.records.read,
        "records_quarantined": latest.records.quarantined,
        "stage_seconds": stages,
        "compute_seconds": round(sum(stages.values()), 3),
    }


def bench_size(n: int, settings: Settings) -> dict[str, Any]:
    """Generate a corpus of `n` records and measure every variant on it."""
    work = settings.out / f"work-n{n}"
    shutil.rmtree(work, ignore_errors=True)
    load_before = os.getloadavg()
    corpus = generate_corpus(n, work / "corpus", seed=settings.seed, n_delta=settings.delta)
    print(f"N = {n:,}: corpus of {corpus.files} files in {corpus.seconds} s", file=sys.stderr)
    truth = pl.read_parquet(corpus.truth)
    runs = work / "runs"
    results: dict[str, Any] = {}
    quality: dict[str, Any] = {}
    with _prefect_env(settings, work) as env:
        for variant in variants(corpus, runs):
            results[variant.name] = run_variant(variant, runs, env, settings.repeat)
            if variant.name in report.BUILDS and results[variant.name]["exit_code"] == 0:
                batch = (
                    truth
                    if variant.name == "incremental"
                    else truth.filter(pl.col("batch") == "raw")
                )
                quality[variant.name] = dedup_quality(batch, load_assignments(runs / variant.name))
    for result in results.values():
        if "compute_seconds" in result:
            result["overhead_seconds"] = round(result["seconds"] - result["compute_seconds"], 3)
    report.add_ratios(results)
    built = results.get("build", {}).get("exit_code") == 0
    readers = reader_benchmark(runs / "build", work) if built else {}
    if not settings.keep:
        shutil.rmtree(work, ignore_errors=True)
    corpus_facts = asdict(corpus) | {"root": str(corpus.root)}
    return {
        "n": n,
        "corpus": corpus_facts,
        "load_average": [load_before, os.getloadavg()],
        "variants": results,
        "quality": quality,
        "readers": readers,
        "targets": report.targets(results, quality, n) + report.reader_targets(readers),
    }


@contextlib.contextmanager
def _prefect_env(settings: Settings, work: Path) -> Iterator[dict[str, str]]:
    """Environment for the children: a private PREFECT_HOME, and a shared server if asked."""
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env |= {
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    if settings.prefect == "shared":
        with prefect_server(env, _log(work, "prefect-server")) as url:
            yield env | {"PREFECT_API_URL": url}
    else:
        migrate = [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"]
        run_measured(migrate, env=env, cwd=REPO, log=_log(work, "prefect-database"))
        yield env


def _log(work: Path, name: str) -> Path:
    path = work / "logs" / f"{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def print_run(run: dict[str, Any]) -> None:
    """Print one size's tables."""
    print(
        f"\n== N = {run['n']:,} records ({run['corpus']['files']} files), "
        f"delta {run['corpus']['n_delta']:,}; load average before/after {run['load_average']}"
    )
    print(report.variant_table(run["variants"]))
    print("\nstage seconds (share of compute):")
    print(report.stage_table(run["variants"]))
    if run["quality"]:
        print("\ndedup quality against the ground truth:")
        print(report.quality_table(run["quality"]))
    if run["readers"]:
        print("\nreaders: the built dataset against a single-file copy (best of 3):")
        print(reader_table(run["readers"]))
    print(f"\ntargets (stated for N = {report.TARGET_N:,} on 2 cores):")
    print(report.target_table(run["targets"]))


def machine() -> dict[str, Any]:
    """Where the figures come from: they are only comparable within one run."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "duckdb": duckdb.__version__,
    }


def compile_kernels(settings: Settings) -> dict[str, float]:
    """Compile the numba kernels into a fresh cache the variants then share, so that none
    of them pays for it: build the sample in `data/raw` twice, the first time compiling.

    A user's first build in a new environment pays the difference once (numba caches the
    machine code beside the package, or in NUMBA_CACHE_DIR).
    """
    cache = settings.out / "numba-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["NUMBA_CACHE_DIR"] = str(cache)
    work = settings.out / "compile"
    seconds = []
    for attempt in ("cold", "warm"):
        out = work / attempt
        shutil.rmtree(out, ignore_errors=True)
        argv = [sys.executable, "-m", "bench.profile", str(REPO / "data" / "raw"), str(out)]
        measured = run_measured(argv, env=dict(os.environ), cwd=REPO, log=_log(work, attempt))
        if measured.exit_code != 0:
            raise RuntimeError(f"the sample build failed: see {_log(work, attempt)}")
        seconds.append(measured.seconds)
    shutil.rmtree(work, ignore_errors=True)
    facts = {"sample_cold_s": seconds[0], "sample_warm_s": seconds[1]}
    facts["compile_s"] = round(seconds[0] - seconds[1], 3)
    print(
        f"kernels: compiled in ~{facts['compile_s']} s (sample build {seconds[0]} s cold, "
        f"{seconds[1]} s warm)",
        file=sys.stderr,
    )
    return facts


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each size asked; print the tables; save the JSON."""
    settings = _parse(argv)
    kernels = compile_kernels(settings)
    runs = []
    for n in settings.sizes:
        runs.append(bench_size(n, settings))
        print_run(runs[-1])
    found = report.slopes(runs)
    slope_verdicts = report.slope_targets(found) if found else []
    if found:
        print("\nlog-log slopes, smallest to largest N:")
        print(json.dumps(found, indent=2))
        print(report.target_table(slope_verdicts))
    settings_facts = asdict(settings) | {"out": str(settings.out)}
    document = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "machine": machine(),
        "settings": settings_facts,
        "kernels": kernels,
        "runs": runs,
        "slopes": found,
        "slope_targets": slope_verdicts,
    }
    _save(document, settings.out)
    return 0 if all(v["exit_code"] == 0 for run in runs for v in run["variants"].values()) else 1


def _save(document: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(document, indent=2, default=str)
    (out / f"bench-{stamp}.json").write_text(text)
    (out / "latest.json").write_text(text)
    print(f"\nresults: {out / f'bench-{stamp}.json'}")


def _parse(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--n",
        type=_sizes,
        action="extend",
        required=True,
        help="records in the corpus; repeat or comma-separate for several sizes",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--delta", type=int, default=DEFAULT_DELTA, help="records of the incremental batch"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per variant; the fastest counts"
    )
    parser.add_argument("--prefect", choices=["ephemeral", "shared"], default="ephemeral")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--keep", action="store_true", help="keep the corpus and outputs")
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.n) < MIN_N:
        parser.error(f"--repeat must be at least 1 and --n at least {MIN_N}")
    return Settings(
        sorted(set(args.n)), args.seed, args.delta, args.repeat, args.prefect, args.out, args.keep
    )


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


if __name__ == "__main__":
    raise SystemExit(main())
