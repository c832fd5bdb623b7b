"""Small builders shared by tests: literal dumps in both formats."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl

from paperset import pipeline
from paperset.config import BuildConfig
from paperset.ingest.clean import clean_frame
from paperset.ingest.parse import DecodedDump, parse_dumps
from paperset.report import RunReport

HF_HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\n"
    "Subscribe\n\nbyAK and the research community\n\n"
)
ABSTRACT = (
    "We study how large language models learn from a handful of examples in context. "
    "Using controlled synthetic tasks we show that attention heads implement a simple "
    "form of gradient descent, and we measure how this ability scales with model size."
)
MTIME_2025_06_01 = dt.datetime(2025, 6, 1, tzinfo=dt.UTC).timestamp()


def hf_page(*records: tuple[str, str], date: str = "Apr 22") -> str:
    """A papers page with the standard header, a listing date and title/abstract pairs."""
    body = "\n\n".join(f"{title}\n\n{abstract}" for title, abstract in records)
    return f"{HF_HEADER}{date}\n\n{body}"


def arxiv_record(
    abstract: str = ABSTRACT,
    arxiv_id: str = "2407.00912",
    created: str = "2024-06-30",
    updated: str | None = None,
    comments: tuple[str, ...] = (),
    doi: str | None = None,
) -> str:
    """One arxiv-listing record."""
    id_line = f"arXiv:{arxiv_id}" + (f" - doi: {doi}" if doi else "")
    dates = f"Created: {created}" + (f" Updated: {updated}" if updated else "")
    parts = [abstract, *comments, f"{id_line}\n{dates}"]
    return "\n\n".join(parts)


def titled(*rows: tuple[str | None, str]) -> pl.DataFrame:
    """Papers with only a title and an abstract: what the topic classifiers read."""
    return pl.DataFrame(
        {"title": [t for t, _ in rows], "abstract": [a for _, a in rows]},
        schema={"title": pl.String, "abstract": pl.String},
    )


def parse(text: str, name: str = "dump.txt", year: int | None = None) -> pl.DataFrame:
    """Parse and clean one dump the way a build does; every record, reasons included."""
    parsed = parse_dumps(
        [DecodedDump(name, text.encode(), MTIME_2025_06_01)], year, 64 * 1024, dt.date(2026, 1, 1)
    )
    return clean_frame(parsed.records)


def unrecognised(text: str, name: str = "dump.txt") -> list[str]:
    """Names of files the parser could not place in either format."""
    return list(
        parse_dumps(
            [DecodedDump(name, text.encode(), MTIME_2025_06_01)],
            None,
            64 * 1024,
            dt.date(2026, 1, 1),
        ).unrecognised
    )


OTHER_ABSTRACT = (
    "Remote sensing images of landslides are scarce and noisy. We fuse high-resolution "
    "optical imagery with digital elevation models in a contrastive segmentation network "
    "and detect old landslides with markedly better precision than earlier baselines."
)


def build(
    raw_dir: str | Path,
    out_dir: str | Path,
    stages: pipeline.Stages | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Run one build as the flow does, without Prefect (`paperset.pipeline`): the report as a
    dict. `options` are the flow's parameters (`year`, `error_budget`, `full`, ...);
    `stages` replace the library's own."""
    names = {"year": "listing_year"}
    config = BuildConfig(
        raw_dir=Path(raw_dir),
        out_dir=Path(out_dir),
        **{names.get(key, key): value for key, value in options.items()},
    )
    now = config.run_time()
    run_id = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    report = RunReport(run_id, now.isoformat(), str(raw_dir), str(out_dir))
    return asdict(pipeline.build(config, report, stages))


MASK_64 = (1 << 64) - 1


def splitmix_finalise(value: int) -> int:
    """The splitmix64 finaliser on a Python int: the definition the stable hashes use."""
    value ^= value >> 30
    value = value * 0xBF58476D1CE4E5B9 & MASK_64
    value ^= value >> 27
    value = value * 0x94D049BB133111EB & MASK_64
    return value ^ value >> 31
