"""Build a release folder: export, chart, Croissant, card, changelog, and the manifest last.

The folder is assembled under a hidden name beside its final place and renamed into place
only when complete, so `releases/` never shows half a release, and a failed build leaves none.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperset.errors import ReleaseRefused
from paperset.release.card import CARD, CardInputs, render_card
from paperset.release.changelog import changelog, section
from paperset.release.chart import CHART, draw_papers_per_month
from paperset.release.config import ReleaseConfig
from paperset.release.croissant import write_croissant
from paperset.release.export import export_papers
from paperset.release.history import Previous, check_new_version, load_previous
from paperset.release.identity import Identity
from paperset.release.manifest import write_manifest
from paperset.release.snapshot import Snapshot, take_snapshot
from paperset.release.stats import release_stats
from paperset.release.targets import Target
from paperset.storage.changes import compare

CHANGELOG = "CHANGELOG.md"


@dataclass(frozen=True)
class Release:
    """A finished release folder and its manifest."""

    version: str
    path: Path
    manifest: dict[str, Any]


def build_release(
    config: ReleaseConfig, target: Target | None, into: Path | None = None
) -> Release:
    """Build release `config.version` into `into` (default: its place under `releases/`)."""
    final = into or config.release_dir
    previous = load_previous(check_new_version(config.releases_dir, config.version))
    snapshot = take_snapshot(config.out_dir)
    staging = final.with_name(f".{final.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        manifest = write_release(staging, Identity.of(config, target), config, snapshot, previous)
        _move_into_place(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Release(config.version, final, manifest)


def write_release(
    folder: Path,
    release: Identity,
    config: ReleaseConfig,
    snapshot: Snapshot,
    previous: Previous | None,
) -> dict[str, Any]:
    """Write every file of the release into `folder`, the manifest last; return the manifest."""
    papers = snapshot.papers
    files = export_papers(papers, folder, config.max_shard_bytes)
    draw_papers_per_month(papers, folder / CHART)
    changes = compare(previous.papers if previous else None, papers)
    before = previous.version if previous else None
    stats = release_stats(papers, snapshot.quarantine, config.labels)
    write_croissant(folder, files, release)
    card = CardInputs(
        release,
        stats,
        changes,
        before,
        files,
        snapshot.run_id,
        snapshot.schema_version,
        snapshot.run_report,
    )
    (folder / CARD).write_text(render_card(card), encoding="utf-8")
    entry = section(release.version, release.created.date(), changes, papers.height, before)
    earlier = previous.changelog if previous else ""
    (folder / CHANGELOG).write_text(changelog(entry, earlier), encoding="utf-8")
    header = {
        "name": release.name,
        "version": release.version,
        "created_at": release.created.isoformat(),
        "previous_version": before,
        "source": {"run_id": snapshot.run_id, "schema_version": snapshot.schema_version},
        "changes": changes.counts(),
    }
    return write_manifest(folder, header)


def _move_into_place(staging: Path, final: Path) -> None:
    """Rename the finished folder into place; refuse if the version appeared meanwhile."""
    try:
        staging.rename(final)  # fails when `final` exists and is not empty
    except OSError:
        raise ReleaseRefused(f"release {final.name} already exists at {final}") from None
