"""The manifest: what it records, when it is rewritten, and what verification catches."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from test_storage_frames import STATE_A, STATE_B, commit, frame, paper, snapshot

from paperset.storage import verify_manifest
from paperset.storage.manifest import schema_version

PHYSICS = "papers/month=2024-01/topic=physics/part-0.parquet"


def test_manifest_records_rows_bytes_and_sha256_of_every_file(tmp_path: Path) -> None:
    result = commit(frame(*STATE_A), tmp_path)
    manifest = json.loads(result.manifest.read_text())
    assert manifest["files"][PHYSICS] == {
        "rows": 2,
        "bytes": (tmp_path / PHYSICS).stat().st_size,
        "sha256": snapshot(tmp_path)[PHYSICS],
    }
    assert set(manifest["files"]) == set(snapshot(tmp_path))


def test_manifest_names_the_run_rows_and_schema_version(tmp_path: Path) -> None:
    manifest = json.loads(commit(frame(*STATE_A), tmp_path, run_id="run-7").manifest.read_text())
    assert (manifest["run_id"], manifest["rows"]) == ("run-7", len(STATE_A))
    assert manifest["schema_version"] == schema_version()


def test_manifest_lives_outside_papers(tmp_path: Path) -> None:
    result = commit(frame(*STATE_A), tmp_path)
    assert result.manifest == tmp_path / "_meta/manifest.json"


def test_a_rerun_that_changes_nothing_leaves_the_manifest_untouched(tmp_path: Path) -> None:
    manifest = commit(frame(*STATE_A), tmp_path).manifest
    before = (manifest.read_bytes(), manifest.stat().st_ino)
    commit(frame(*STATE_A), tmp_path, run_id="run-2")
    assert (manifest.read_bytes(), manifest.stat().st_ino) == before


def test_a_commit_that_changes_files_rewrites_the_manifest(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    result = commit(frame(*STATE_B), tmp_path, run_id="run-2")
    assert json.loads(result.manifest.read_text())["run_id"] == "run-2"


def test_verification_of_a_fresh_commit_finds_nothing(tmp_path: Path) -> None:
    commit(frame(*STATE_B), tmp_path)
    assert verify_manifest(tmp_path) == []


def test_verification_of_a_new_folder_finds_nothing(tmp_path: Path) -> None:
    assert verify_manifest(tmp_path) == []


def test_verification_reports_a_missing_file(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    (tmp_path / PHYSICS).unlink()
    assert verify_manifest(tmp_path) == [f"{PHYSICS}: missing"]


def test_verification_reports_an_altered_file(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    table = pq.read_table(tmp_path / PHYSICS)
    pq.write_table(table.slice(0, 1), tmp_path / PHYSICS)
    assert verify_manifest(tmp_path) == [f"{PHYSICS}: content differs from the manifest"]


def test_verification_reports_a_file_the_manifest_does_not_list(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    extra = tmp_path / "papers/month=2024-09/topic=other/part-0.parquet"
    extra.parent.mkdir(parents=True)
    frame(paper(9)).write_parquet(extra)
    assert verify_manifest(tmp_path) == [
        "papers/month=2024-09/topic=other/part-0.parquet: not in the manifest"
    ]


def test_verification_reports_files_without_a_manifest(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    (tmp_path / "_meta/manifest.json").unlink()
    assert verify_manifest(tmp_path) == [f"no readable manifest at {tmp_path}/_meta/manifest.json"]
