"""The run report: counts per stage and reason, written as `runs/<run_id>.json`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from paperset.errors import ErrorBudgetExceeded, InvariantBroken
from paperset.report_sections import (
    SECTIONS,
    ChangeCounts,
    ErrorBudget,
    FileCounts,
    PaperCounts,
    PartitionCounts,
    RecordCounts,
)
from paperset.storage.fsio import atomic_write_json
from paperset.storage.layout import RUNS_DIR

if TYPE_CHECKING:
    from paperset.storage import CommitResult


@dataclass
class RunReport:
    """Everything a person needs to know about one run: written once as `runs/<run_id>.json`
    (`to_json`) and read back through the same types (`read`)."""

    run_id: str
    started_at: str
    raw_dir: str
    out_dir: str
    status: str = "running"
    failure: str | None = None
    files: FileCounts = field(default_factory=FileCounts)
    records: RecordCounts = field(default_factory=RecordCounts)
    error_budget: ErrorBudget = field(default_factory=ErrorBudget)
    papers: PaperCounts = field(default_factory=PaperCounts)
    partitions: PartitionCounts = field(default_factory=PartitionCounts)
    changes: ChangeCounts = field(default_factory=ChangeCounts)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, str | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The report as the JSON object `runs/<run_id>.json` holds."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunReport:
        """Read a report back; sections missing from older reports take their defaults,
        and figures they no longer hold are left out."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and k not in SECTIONS}
        for name, section in SECTIONS.items():
            raw = data.get(name) or {}
            names = {f.name for f in fields(section)}
            values[name] = section(**{k: v for k, v in raw.items() if k in names})
        return cls(**values)

    @classmethod
    def read(cls, path: Path) -> RunReport:
        """Read `runs/<run_id>.json`."""
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        """Add the wall time of the block to `stage_seconds[stage]`."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add_seconds(stage, time.perf_counter() - start)

    def add_seconds(self, stage: str, seconds: float) -> None:
        """Add `seconds` of wall time to `stage_seconds[stage]`."""
        self.stage_seconds[stage] = round(self.stage_seconds.get(stage, 0.0) + seconds, 3)

    def count_files(
        self, *, found: int, skipped: int, unchanged: int, parsed: int, quarantined: int
    ) -> None:
        """Record what happened to the raw files: read, already ingested, empty or rejected."""
        empty = found - unchanged - parsed - quarantined
        self.files = FileCounts(found, skipped, unchanged, parsed, quarantined, empty)

    def count_partitions(self, committed: CommitResult) -> None:
        """Record how many partition files the commit wrote, removed and left alone."""
        self.partitions = PartitionCounts(
            len(committed.written), len(committed.removed), len(committed.unchanged)
        )

    def count_changes(self, feed: pl.DataFrame, path: Path | None) -> None:
        """Record the change feed: rows per kind of change, and the file (none when the run
        changed nothing, so it wrote no feed)."""
        counts = dict(feed.group_by("change").len().iter_rows())
        self.changes = ChangeCounts(str(path) if path else None, **counts)
        self.outputs["changes"] = self.changes.feed

    def count_records(self, read: int, accepted: int, rejected: pl.DataFrame) -> None:
        """Record the record counts and check that every record landed in one place."""
        by_reason = _by_reason(rejected)
        holds = read == accepted + rejected.height
        self.records = RecordCounts(read, accepted, rejected.height, by_reason, holds)
        if not holds:
            raise InvariantBroken(
                f"records_read {read} != accepted {accepted} + quarantined {rejected.height}"
            )

    def check_lines(self, content_lines: int, lines_in_records: int) -> None:
        """Prove every content line of the raw files landed in exactly one record."""
        self.records.content_lines = content_lines
        self.records.lines_in_records = lines_in_records
        if content_lines != lines_in_records:
            raise InvariantBroken(
                f"{content_lines} content lines read but {lines_in_records} in records: "
                "the parser dropped or doubled text"
            )

    def check_error_budget(self, limit: float) -> None:
        """Fail when the quarantined share of records and whole files is over `limit`."""
        bad = self.records.quarantined + self.files.quarantined
        total = self.records.read + self.files.quarantined
        share = bad / total if total else 0.0
        self.error_budget = ErrorBudget(limit, round(share, 4), share > limit)
        if share > limit:
            raise ErrorBudgetExceeded(
                f"{bad} of {total} records and files quarantined ({share:.1%}), "
                f"over the error budget of {limit:.0%}"
            )

    def write(self, out_dir: Path) -> Path:
        """Write the report as `runs/<run_id>.json`, atomically."""
        path = out_dir / RUNS_DIR / f"{self.run_id}.json"
        atomic_write_json(path, self.to_json())
        return path


def _by_reason(rejected: pl.DataFrame) -> dict[str, int]:
    if rejected.is_empty():
        return {}
    # Reasons that quote the input ("impossible date: 2024-13-45") are grouped by kind.
    kinds = rejected.select(pl.col("reason").str.replace(r":.*$", "")).to_series()
    counts = kinds.value_counts(sort=True)
    return dict(zip(counts["reason"].to_list(), counts["count"].to_list(), strict=True))


def paper_counts(
    remade: pl.DataFrame, previous: pl.DataFrame, merges: pl.DataFrame, totals: pl.DataFrame
) -> PaperCounts:
    """Totals, titled vs arXiv-only, new and changed papers, merges per rule, per topic.

    `remade` are the papers this run re-made and `previous` their rows before it; `merges`
    the links inside them; `totals` one row per paper of the whole dataset (`topic`,
    `titled`, `n_sightings`).
    """
    # Only papers that were there before can have changed: hash those rows alone.
    again = remade.filter(pl.col("paper_id").is_in(previous["paper_id"].implode()))
    known = previous.select("paper_id", pl.struct(pl.all()).hash().alias("before"))
    now = again.select("paper_id", pl.struct(pl.all()).hash().alias("after"))
    compared = now.join(known, on="paper_id")
    per_topic = totals["topic"].value_counts(sort=True)
    per_rule = merges["rule"].value_counts(sort=True)
    return PaperCounts(
        total=totals.height,
        remade=remade.height,
        titled=int(totals["titled"].sum()),
        arxiv_only=int((~totals["titled"]).sum()),
        new=remade.height - compared.height,
        updated=int((compared["before"] != compared["after"]).sum()),
        sightings_merged=int(totals["n_sightings"].sum() - totals.height),
        merges_by_rule=dict(
            zip(per_rule["rule"].to_list(), per_rule["count"].to_list(), strict=True)
        ),
        per_topic=dict(
            zip(per_topic["topic"].to_list(), per_topic["count"].to_list(), strict=True)
        ),
    )
