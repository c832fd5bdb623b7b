"""The run report: counts per stage and reason, written as `runs/<run_id>.json`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from paperset.errors import ErrorBudgetExceeded, InvariantBroken
from paperset.storage.fsio import atomic_write_json
from paperset.storage.layout import RUNS_DIR
from paperset.taxonomy import TAXONOMY_VERSION

if TYPE_CHECKING:
    from paperset.storage import CommitResult


@dataclass
class RunReport:
    """Everything a person needs to know about one run."""

    run_id: str
    started_at: str
    raw_dir: str
    out_dir: str
    status: str = "running"
    failure: str | None = None
    files: dict[str, int] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    error_budget: dict[str, Any] = field(default_factory=dict)
    papers: dict[str, Any] = field(default_factory=dict)
    partitions: dict[str, int] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, str | None] = field(default_factory=dict)

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
        self.files = {
            "found": found,
            "skipped": skipped,
            "unchanged": unchanged,
            "parsed": parsed,
            "quarantined": quarantined,
            "empty": found - unchanged - parsed - quarantined,
        }

    def count_partitions(self, committed: CommitResult) -> None:
        """Record how many partition files the commit wrote, removed and left alone."""
        self.partitions = {
            "written": len(committed.written),
            "removed": len(committed.removed),
            "unchanged": len(committed.unchanged),
        }

    def count_changes(self, feed: pl.DataFrame, path: Path | None) -> None:
        """Record the change feed: rows per kind of change, and the file (none when the run
        changed nothing, so it wrote no feed)."""
        counts = feed.group_by("change").len().sort("change")
        self.changes = {"feed": str(path) if path else None, **dict(counts.iter_rows())}
        self.outputs["changes"] = str(path) if path else None

    def count_records(self, read: int, accepted: int, rejected: pl.DataFrame) -> None:
        """Record the record counts and check that every record landed in one place."""
        by_reason = _by_reason(rejected)
        self.records = {
            "read": read,
            "accepted": accepted,
            "quarantined": rejected.height,
            "quarantined_by_reason": by_reason,
            "invariant_holds": read == accepted + rejected.height,
        }
        if not self.records["invariant_holds"]:
            raise InvariantBroken(
                f"records_read {read} != accepted {accepted} + quarantined {rejected.height}"
            )

    def check_lines(self, content_lines: int, lines_in_records: int) -> None:
        """Prove every content line of the raw files landed in exactly one record."""
        self.records["content_lines"] = content_lines
        self.records["lines_in_records"] = lines_in_records
        if content_lines != lines_in_records:
            raise InvariantBroken(
                f"{content_lines} content lines read but {lines_in_records} in records: "
                "the parser dropped or doubled text"
            )

    def check_error_budget(self, limit: float) -> None:
        """Fail when the quarantined share of records and whole files is over `limit`."""
        bad = self.records["quarantined"] + self.files.get("quarantined", 0)
        total = self.records["read"] + self.files.get("quarantined", 0)
        share = bad / total if total else 0.0
        self.error_budget = {"limit": limit, "share": round(share, 4), "exceeded": share > limit}
        if share > limit:
            raise ErrorBudgetExceeded(
                f"{bad} of {total} records and files quarantined ({share:.1%}), "
                f"over the error budget of {limit:.0%}"
            )

    def write(self, out_dir: Path) -> Path:
        """Write the report as `runs/<run_id>.json`, atomically."""
        path = out_dir / RUNS_DIR / f"{self.run_id}.json"
        atomic_write_json(path, asdict(self))
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
) -> dict[str, Any]:
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
    return {
        "total": totals.height,
        "remade": remade.height,
        "titled": totals["titled"].sum(),
        "arxiv_only": (~totals["titled"]).sum(),
        "new": remade.height - compared.height,
        "updated": (compared["before"] != compared["after"]).sum(),
        "sightings_merged": int(totals["n_sightings"].sum() - totals.height),
        "taxonomy_version": TAXONOMY_VERSION,
        "merges_by_rule": dict(
            zip(per_rule["rule"].to_list(), per_rule["count"].to_list(), strict=True)
        ),
        "per_topic": dict(
            zip(per_topic["topic"].to_list(), per_topic["count"].to_list(), strict=True)
        ),
    }


def summary_markdown(report: RunReport) -> str:
    """Render the report's headline figures as markdown for people and Prefect."""
    papers, records = report.papers, report.records
    lines = [
        f"# paperset run `{report.run_id}`: {report.status}",
        "",
        f"- **papers**: {papers.get('total', 0)} "
        f"({papers.get('titled', 0)} titled, {papers.get('arxiv_only', 0)} arXiv-only), "
        f"{papers.get('new', 0)} new, {papers.get('updated', 0)} updated",
        f"- **records**: {records.get('read', 0)} read = {records.get('accepted', 0)} accepted "
        f"+ {records.get('quarantined', 0)} quarantined",
        f"- **files**: {report.files}",
        f"- **partitions**: {report.partitions}",
    ]
    if report.failure:
        lines.append(f"- **failure**: {report.failure}")
    lines += ["", "| topic | papers |", "|---|---|"]
    lines += [f"| {topic} | {n} |" for topic, n in papers.get("per_topic", {}).items()]
    return "\n".join(lines) + "\n"


def topic_table(report: RunReport) -> list[dict[str, Any]]:
    """Papers per topic as table rows, largest first, for the Prefect table artifact."""
    per_topic = report.papers.get("per_topic", {})
    total = sum(per_topic.values()) or 1
    return [
        {"topic": topic, "papers": n, "share": f"{n / total:.1%}"}
        for topic, n in sorted(per_topic.items(), key=lambda item: (-item[1], item[0]))
    ]
