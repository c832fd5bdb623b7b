"""Small Paper frames and a locked commit, shared by the storage tests (no tests here)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import polars as pl

from paperset.schema import Paper, polars_schema
from paperset.storage import CommitResult, commit_papers, output_lock


def paper(num: int, day: str = "2024-01-15", topic: str = "physics", **changes: Any) -> dict:
    """Return one valid Paper row; `day` is both `published` and `date`, its month the partition."""
    date = dt.date.fromisoformat(day)
    row = {
        "paper_id": f"arxiv:2403.{num:05d}",
        "arxiv_id": f"2403.{num:05d}",
        "doi": None,
        "title": f"Paper number {num}",
        "abstract": f"We study problem {num} and solve it.",
        "comments": "12 pages",
        "published": date,
        "updated": None,
        "listed_on": None,
        "code_url": None,
        "sources": ["dump.txt"],
        "n_sightings": 1,
        "aliases": [],
        "ingested_at": dt.datetime(2024, 3, 2, 9, 30, tzinfo=dt.UTC),
        "topic_score": 0.65,
        "secondary_topics": ["time-series"],
        "secondary_topic_scores": [0.3],
        "topic_evidence": ["forecasting"],
        "date": date,
        "month": date.strftime("%Y-%m"),
        "topic": topic,
    }
    return row | changes


def frame(*rows: dict) -> pl.DataFrame:
    """Build a frame with exactly the Paper schema from `rows`."""
    return pl.DataFrame(list(rows), schema=polars_schema(Paper), orient="row")


def commit(papers: pl.DataFrame, out: Path, run_id: str = "run-1") -> CommitResult:
    """Commit `papers` to `out` the way a build does: under the writer lock."""
    with output_lock(out, run_id):
        return commit_papers(papers, out, run_id)


def snapshot(out: Path) -> dict[str, str]:
    """Return sha256 per file under `papers/`, keyed by path relative to `out`."""
    files = sorted((out / "papers").rglob("*")) if (out / "papers").exists() else []
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


# Dataset A, then B: two papers change topic, one changes date, one changes title, one is new.
# B rewrites 1 partition in place, adds 4, keeps 1 as it is, and leaves 3 of A with no paper.
STATE_A = (
    paper(1, "2024-01-15", "physics"),
    paper(2, "2024-01-15", "physics"),
    paper(3, "2024-02-15", "computer-vision"),
    paper(4, "2024-03-15", "efficient-ml"),
    paper(5, "2024-04-15", "other"),
    paper(7, "2024-07-15", "physics", title="Old title"),
)
STATE_B = (
    paper(1, "2024-01-15", "physics"),
    paper(2, "2024-01-15", "physics"),
    paper(3, "2024-02-15", "generative-models"),
    paper(4, "2024-05-15", "efficient-ml"),
    paper(5, "2024-04-15", "language-models"),
    paper(6, "2024-06-15", "time-series"),
    paper(7, "2024-07-15", "physics", title="New title"),
)
