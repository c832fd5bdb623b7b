import os
from pathlib import Path

from paperset.ingest.discover import discover_raw_files


def test_files_are_found_recursively_sorted_by_relative_name(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text("x")
    (tmp_path / "a.txt").write_text("a")
    assert [f.name for f in discover_raw_files(tmp_path).files] == ["a.txt", "b/x.txt"]


def test_hidden_files_and_folders_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / ".DS_Store").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    found = discover_raw_files(tmp_path)
    assert found.files == []
    assert sorted(found.warnings) == [
        ".DS_Store: hidden file skipped",
        ".git: hidden folder skipped",
    ]


def test_symlinks_leaving_the_raw_folder_are_skipped_and_inner_ones_kept(tmp_path: Path) -> None:
    raw, outside = tmp_path / "raw", tmp_path / "secret.txt"
    raw.mkdir()
    outside.write_text("x")
    (raw / "inner.txt").write_text("y")
    (raw / "escape.txt").symlink_to(outside)
    (raw / "alias.txt").symlink_to(raw / "inner.txt")
    found = discover_raw_files(raw)
    assert [f.name for f in found.files] == ["alias.txt", "inner.txt"]
    assert found.warnings == ["escape.txt: symlink pointing outside the raw folder skipped"]


def test_fifos_are_skipped_with_a_warning(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    found = discover_raw_files(tmp_path)
    assert found.files == []
    assert "not a regular file" in found.warnings[0]
