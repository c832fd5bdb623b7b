"""Build RAW into OUT in this process, without Prefect, and print where the time and memory go.

    uv run python -m bench.profile RAW OUT

Prints the run report's seconds per stage and the peak resident memory of each stage
(sampled every 50 ms). Run it under a sampling profiler for a flame graph of the build
alone, Prefect's start-up left out:

    py-spy record --idle -o bench/out/profile/build.svg -- .venv/bin/python -m bench.profile RAW OUT
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from paperset import pipeline
from paperset.config import BuildConfig
from paperset.report import RunReport

SAMPLE_SECONDS = 0.05
_PAGE_MB = 4096 / 2**20


class StagePeaks:
    """The peak resident memory seen during each stage of a run, in MiB."""

    def __init__(self) -> None:
        self.stage = "start"
        self.peaks: dict[str, float] = {}
        self._done = threading.Event()

    def enter(self, stage: str) -> None:
        """Count what follows under `stage`, from a first sample now (so no stage is missed,
        however short)."""
        self.stage = stage
        self.note()

    def note(self) -> None:
        """Note the resident memory now."""
        with open("/proc/self/statm") as statm:
            resident = int(statm.read().split()[1]) * _PAGE_MB
        self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), resident)

    def sample(self) -> None:
        """Note the memory every SAMPLE_SECONDS until `stop`."""
        while not self._done.wait(SAMPLE_SECONDS):
            self.note()

    def stop(self) -> None:
        self._done.set()


def profile(raw: Path, out: Path) -> tuple[RunReport, dict[str, float]]:
    """Run one build and return its report and each stage's peak memory (reading, parsing
    and cleaning together as `ingest`, then the stages after it)."""
    config = BuildConfig(raw_dir=raw, out_dir=out)
    now = config.run_time()
    report = RunReport(
        f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}", now.isoformat(), str(raw), str(out)
    )
    peaks = StagePeaks()
    timing = report.timing

    @contextmanager
    def noted(stage: str) -> Iterator[None]:
        peaks.enter("ingest" if stage in ("read", "clean") else stage)
        with timing(stage):
            yield

    report.timing = noted  # type: ignore[method-assign]
    sampler = threading.Thread(target=peaks.sample, daemon=True)
    sampler.start()
    try:
        pipeline.build(config, report)
    finally:
        peaks.stop()
        sampler.join()
    return report, peaks.peaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("raw", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report, peaks = profile(args.raw, args.out)
    print(f"wall {time.perf_counter() - start:.1f} s")
    for stage, seconds in report.stage_seconds.items():
        print(f"{stage:10s} {seconds:7.2f} s")
    for stage, peak in peaks.items():
        print(f"peak during {stage:10s} {peak:7.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
