import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from paperset.errors import ReleaseRefused
from paperset.release.changelog import summary_line
from paperset.release.config import parse_version
from paperset.release.export import export_papers, flat_papers
from paperset.release.history import check_new_version
from paperset.release.manifest import verify_release, write_manifest
from paperset.release.snapshot import take_snapshot
from paperset.release.stats import quarantine_counts
from paperset.release.targets import Target, parse_target
from paperset.schema import Paper, QuarantineEntry, polars_schema
from paperset.storage import commit_papers, output_lock
from paperset.storage.changes import compare
from paperset.storage.lock import publishing

DEFAULTS: dict[str, Any] = {
    "abstract": "An abstract.",
    "sources": ["dump.txt"],
    "n_sightings": 1,
    "aliases": [],
    "ingested_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    "topic_score": 0.9,
    "secondary_topics": [],
    "secondary_topic_scores": [],
    "topic_evidence": [],
    "listed_on": dt.date(2025, 4, 22),
    "date": dt.date(2025, 4, 22),
    "month": "2025-04",
    "topic": "other",
}


def papers(*rows: dict[str, Any]) -> pl.DataFrame:
    """Papers with every contract column; rows give `paper_id` and whatever differs."""
    full = [{name: None for name in polars_schema(Paper)} | DEFAULTS | row for row in rows]
    return pl.DataFrame(full, schema=polars_schema(Paper))


def test_a_paper_whose_id_became_an_alias_is_updated_not_added_and_removed() -> None:
    before = papers({"paper_id": "title:00000000000000aa", "title": "A"})
    after = papers(
        {"paper_id": "arxiv:2501.00001", "title": "A", "aliases": ["title:00000000000000aa"]}
    )
    changes = compare(before, after)
    assert changes.counts() == {"added": 0, "updated": 1, "merged": 0, "removed": 0}
    assert changes.updated["changed"].to_list() == [["paper_id", "aliases"]]


def test_a_paper_folded_into_another_is_merged_not_removed() -> None:
    before = papers({"paper_id": "arxiv:2501.00001"}, {"paper_id": "title:00000000000000bb"})
    after = papers({"paper_id": "arxiv:2501.00001", "aliases": ["title:00000000000000bb"]})
    changes = compare(before, after)
    assert changes.counts() == {"added": 0, "updated": 1, "merged": 1, "removed": 0}
    assert changes.merged.row(0) == ("title:00000000000000bb", None, "arxiv:2501.00001")


def test_unchanged_papers_are_not_counted_and_new_and_missing_ones_are() -> None:
    before = papers({"paper_id": "arxiv:2501.00001"}, {"paper_id": "arxiv:2501.00002"})
    after = papers({"paper_id": "arxiv:2501.00001"}, {"paper_id": "arxiv:2501.00003"})
    assert compare(before, after).counts() == {"added": 1, "updated": 0, "merged": 0, "removed": 1}


def test_changelog_summary_names_the_previous_release() -> None:
    before = papers({"paper_id": "arxiv:2501.00001"})
    after = papers(
        {"paper_id": "arxiv:2501.00001", "n_sightings": 2}, {"paper_id": "arxiv:2501.00002"}
    )
    line = summary_line(compare(before, after), 2, "1.0.0")
    assert line == "2 papers: 1 added, 1 updated, 0 removed since 1.0.0."


def test_a_small_shard_budget_splits_the_export_into_sorted_shards(tmp_path: Path) -> None:
    rows = [
        {"paper_id": f"arxiv:2501.{i:05d}", "topic": t}
        for i, t in enumerate(["physics", "other"] * 5)
    ]
    frame = papers(*rows)
    files = export_papers(frame, tmp_path, max_shard_bytes=int(frame.estimated_size()) // 3)
    n = len(files)
    assert n >= 3
    assert [f.name for f in files] == [f"data/train-{i:05d}-of-{n:05d}.parquet" for i in range(n)]
    exported = pl.concat([pl.read_parquet(tmp_path / f.name) for f in files])
    assert_frame_equal(exported, flat_papers(frame))


def test_a_release_with_an_altered_file_does_not_verify(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("card")
    write_manifest(tmp_path, {"version": "1.0.0"})
    (tmp_path / "README.md").write_text("card, edited")
    (tmp_path / "extra.txt").write_text("stray")
    assert verify_release(tmp_path) == [
        "README.md: content differs from the manifest",
        "extra.txt: not in the manifest",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hf://datasets/acme/papers", Target("hf", "acme/papers")),
        ("s3://my-bucket/releases/papers/", Target("s3", "my-bucket", "releases/papers")),
        ("s3://my-bucket", Target("s3", "my-bucket", "")),
        ("/srv/mirror", Target("folder", "/srv/mirror")),
    ],
)
def test_targets_are_read_from_their_url(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    "text", ["hf://models/acme/x", "hf://datasets/acme", "s3://A_B/x", "gs://b/p"]
)
def test_unsupported_or_malformed_targets_are_refused(text: str) -> None:
    with pytest.raises(ReleaseRefused):
        parse_target(text)


@pytest.mark.parametrize("text", ["1.0", "v1.0.0", "1.0.0-rc1", "01.0.0"])
def test_versions_must_be_plain_x_y_z(text: str) -> None:
    with pytest.raises(ReleaseRefused, match=r"X\.Y\.Z"):
        parse_version(text)


def test_a_version_not_after_the_latest_release_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1.10.0").mkdir()
    (tmp_path / "1.10.0" / "manifest.json").write_text("{}")
    assert check_new_version(tmp_path, "1.11.0") == tmp_path / "1.10.0"
    with pytest.raises(ReleaseRefused, match=r"not after the latest release 1\.10\.0"):
        check_new_version(tmp_path, "1.9.9")


def test_reading_for_a_release_waits_for_a_commit_in_progress(tmp_path: Path) -> None:
    with output_lock(tmp_path, "unit"):
        commit_papers(papers({"paper_id": "arxiv:2501.00001"}), tmp_path, "unit")
    held = threading.Event()

    def commit_in_progress() -> None:
        with publishing(tmp_path):
            held.set()
            time.sleep(0.4)

    writer = threading.Thread(target=commit_in_progress)
    writer.start()
    held.wait()
    started = time.monotonic()
    snapshot = take_snapshot(tmp_path)
    writer.join()
    assert time.monotonic() - started > 0.3
    assert snapshot.papers.height == 1


def test_quarantine_counts_each_entry_once_across_runs_by_kind_of_reason() -> None:
    bad_date = {
        "source_file": "a.txt",
        "line": 3,
        "level": "record",
        "raw": "...",
        "reason": "impossible date: 2024-13-45",
        "run_id": "r1",
        "quarantined_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    binary = bad_date | {
        "source_file": "b.bin",
        "line": None,
        "level": "file",
        "reason": "binary: NUL bytes",
    }
    entries = [
        bad_date,
        bad_date | {"run_id": "r2"},
        bad_date | {"line": 9, "reason": "impossible date: 2024-02-30"},
        binary,
    ]
    counts = quarantine_counts(pl.DataFrame(entries, schema=polars_schema(QuarantineEntry)))
    assert counts.rows() == [("record", "impossible date", 2), ("file", "binary", 1)]
