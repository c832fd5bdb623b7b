"""The sections of the run report (`report.RunReport`): one typed dataclass per kind of count."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paperset.taxonomy import TAXONOMY_VERSION


@dataclass
class FileCounts:
    """What happened to the raw files found."""

    found: int = 0
    skipped: int = 0  # hidden, links leaving the folder, FIFOs: each with a warning
    unchanged: int = 0  # read by an earlier run, same bytes
    parsed: int = 0
    quarantined: int = 0  # whole files: binary, unrecognised, unreadable
    empty: int = 0


@dataclass
class RecordCounts:
    """Records read, and where each went; the line invariant's two sides."""

    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    invariant_holds: bool = True
    content_lines: int = 0
    lines_in_records: int = 0


@dataclass
class ErrorBudget:
    """The share of input quarantined against the run's limit."""

    limit: float = 0.0
    share: float = 0.0
    exceeded: bool = False


@dataclass
class PaperCounts:
    """The dataset after the run, and what the run re-made and merged."""

    total: int = 0
    remade: int = 0
    titled: int = 0
    arxiv_only: int = 0
    new: int = 0
    updated: int = 0
    sightings_merged: int = 0
    sightings_remerged: int = 0
    taxonomy_version: str = TAXONOMY_VERSION
    merges_by_rule: dict[str, int] = field(default_factory=dict)
    per_topic: dict[str, int] = field(default_factory=dict)


@dataclass
class PartitionCounts:
    """Partition files the commit wrote, removed and left alone."""

    written: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass
class ChangeCounts:
    """The run's change feed: its file (None when the run changed nothing) and its rows."""

    feed: str | None = None
    added: int = 0
    updated: int = 0
    removed: int = 0
    renamed: int = 0


SECTIONS: dict[str, type[Any]] = {
    "files": FileCounts,
    "records": RecordCounts,
    "error_budget": ErrorBudget,
    "papers": PaperCounts,
    "partitions": PartitionCounts,
    "changes": ChangeCounts,
}
