"""The commit protocol: stage, verify, publish under a readers' lock, manifest last.

A commit stages every changed partition under `.staging/<run_id>/` (same filesystem, outside
`papers/`), verifies each staged file by reading it back, then, holding readers off, renames the
files into `papers/`, removes partitions that no longer hold any paper, and writes the manifest
last. Every step is a rename or an unlink of a whole file, so a crash anywhere leaves only whole
Parquet files under `papers/`, and the next commit converges to the intended dataset.

The run's change feed is staged with the partitions and renamed into `changes/` just before
the manifest: a feed newer than the manifest's run is a commit that never finished, and the
next commit deletes it.
"""

from __future__ import annotations

import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.storage.changes import feed_path, uncommitted_feeds
from paperset.storage.fsio import PARQUET_OPTIONS, make_dirs, remove_file
from paperset.storage.layout import (
    Layout,
    check_papers,
    check_run_id,
)
from paperset.storage.lock import publishing, require_lock
from paperset.storage.manifest import FileEntry, load_manifest, write_manifest
from paperset.storage.staging import Paths, stage

CRASH_ENV = "PAPERSET_CRASH_AT"
CRASH_POINTS = (
    "staged",
    "replaced-one",
    "replaced-all",
    "removed-one",
    "removed-all",
    "feed-published",
    "manifest-written",
)


@dataclass(frozen=True)
class CommitResult:
    """What a commit changed; files are named relative to the output folder."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    rows: int
    manifest: Path
    changes: Path | None = None  # the run's change feed, None when it changed nothing


@dataclass(frozen=True)
class _Plan:
    """The dataset after the commit, and the moves that get it there."""

    files: dict[str, FileEntry]
    staged: dict[str, Path]
    removed: tuple[str, ...]
    has_links: bool  # something under papers/ is a link: resolve every path written


def commit_papers(
    papers: pl.DataFrame,
    out_dir: Path,
    run_id: str,
    *,
    scope: set[str] | None = None,
    feed: pl.DataFrame | None = None,
) -> CommitResult:
    """Make `papers` the whole dataset, rewriting only the partitions whose bytes change.

    With `scope` (partition file names), `papers` holds the rows of those partitions only:
    they are rewritten or removed, and every other file is left as it is. `feed` is the
    run's change feed (`changes.change_feed`), published with the commit when it has rows.
    """
    check_run_id(run_id)
    require_lock(out_dir, run_id)
    layout = Layout(out_dir)
    _clear_staging(layout)  # a killed run's leftovers: safe to drop, we hold the writer lock
    manifest = load_manifest(layout)
    for leftover in uncommitted_feeds(out_dir, manifest):
        leftover.unlink()
    feeds = list((manifest or {}).get("feeds", []))
    plan = _plan(layout, check_papers(papers), run_id, scope)
    staged_feed = _stage_feed(layout.staging / run_id, feed)
    _crash_point("staged")
    with publishing(out_dir):
        _publish(layout, plan)
        changes = _publish_feed(staged_feed, feed_path(out_dir, run_id))
        _crash_point("feed-published")
        write_manifest(layout, plan.files, run_id, feeds + ([changes.name] if changes else []))
        _crash_point("manifest-written")
    _clear_staging(layout)
    return CommitResult(
        written=tuple(sorted(plan.staged)),
        removed=plan.removed,
        unchanged=tuple(sorted(plan.files.keys() - plan.staged.keys())),
        rows=sum(entry.rows for entry in plan.files.values()),
        manifest=layout.manifest,
        changes=changes,
    )


def commit_unfinished(out_dir: Path) -> bool:
    """Whether the last commit died before its manifest: its staging is still there, or a
    feed the manifest does not list. Partitions on disk may then hold its rows, which the
    manifest and the merge index do not describe."""
    layout = Layout(out_dir)
    if layout.staging.is_dir() and any(layout.staging.iterdir()):
        return True
    return bool(uncommitted_feeds(out_dir, load_manifest(layout)))


def _stage_feed(staging: Path, feed: pl.DataFrame | None) -> Path | None:
    if feed is None or feed.is_empty():
        return None
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / "changes.parquet"
    feed.write_parquet(path, **PARQUET_OPTIONS)
    return path


def _publish_feed(staged: Path | None, target: Path) -> Path | None:
    """Put the staged feed in `changes/`, durably, before the manifest names the commit."""
    if staged is None:
        return None
    make_dirs(target.parent)
    os.replace(staged, target)
    os.sync()
    return target


def _plan(layout: Layout, papers: pl.DataFrame, run_id: str, scope: set[str] | None) -> _Plan:
    """Stage the partitions that change and work out which files must go."""
    listed, has_links = layout.scan_papers()
    current = set(listed)
    if papers.is_empty() and current and scope is None:
        # An empty run is likelier a broken upstream step than a wish to delete everything.
        kept = {name: FileEntry.on_disk(layout.root / name) for name in current}
        return _Plan(kept, {}, (), has_links)
    paths = Paths(layout, has_links)
    files, staged = stage(paths, papers, layout.staging / run_id)
    if scope is not None and not files.keys() <= scope:
        raise ValueError(f"papers outside the commit's scope: {sorted(files.keys() - scope)[:3]}")
    in_scope = current if scope is None else current & scope
    if scope is not None:
        files |= _entries(layout, current - scope - files.keys())
    return _Plan(files, staged, tuple(sorted(in_scope - files.keys())), has_links)


def _entries(layout: Layout, names: set[str]) -> dict[str, FileEntry]:
    """The manifest's entries of files a scoped commit leaves alone (read if not listed)."""
    listed = (load_manifest(layout) or {}).get("files", {})
    entries: dict[str, FileEntry] = {}
    for name in names:
        known = listed.get(name)
        entries[name] = (
            FileEntry(rows=known["rows"], size=known["bytes"], sha256=known["sha256"])
            if isinstance(known, dict)
            else FileEntry.on_disk(layout.root / name)
        )
    return entries


def _publish(layout: Layout, plan: _Plan) -> None:
    """Rename staged files into `papers/`, delete files no partition maps to, flush folders."""
    paths = Paths(layout, plan.has_links)
    for count, name in enumerate(sorted(plan.staged), start=1):
        target = paths.of(name)
        make_dirs(target.parent)
        os.replace(plan.staged[name], target)
        if count == 1:
            _crash_point("replaced-one")
    _flush(plan.staged)
    _crash_point("replaced-all")
    for count, name in enumerate(plan.removed, start=1):
        # Names come from walking papers/ itself; unlink never follows a link out of it.
        remove_file(layout.root / name, keep=layout.papers)
        if count == 1:
            _crash_point("removed-one")
    _flush(plan.removed)
    _crash_point("removed-all")


def _flush(changes: object) -> None:
    """Make renames and unlinks durable: one sync for all folders, not an fsync per folder."""
    if changes:
        os.sync()


def _clear_staging(layout: Layout) -> None:
    """Delete everything under `.staging/`."""
    if layout.staging.exists():
        shutil.rmtree(layout.staging)


def _crash_point(point: str) -> None:
    """Die here as a power cut would, when a test names this point in PAPERSET_CRASH_AT."""
    if os.environ.get(CRASH_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
