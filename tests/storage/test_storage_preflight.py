"""Preflight: unusable or foreign output folders fail before any work, with one clear line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperset.errors import OutputError
from paperset.storage import preflight_output


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder no file can be created in, even by root (who ignores permission bits)."""
    folder = tmp_path / "out"
    folder.mkdir()
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        immutable = (
            chattr
            and subprocess.run([chattr, "+i", folder], check=False, capture_output=True).returncode
            == 0
        )
        if not immutable:
            pytest.skip("root ignores permissions and chattr +i is unavailable")
        yield folder
        subprocess.run([str(chattr), "-i", folder], check=True)
    else:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


def refusal(out: Path) -> str:
    """Return the one-line message preflight refuses `out` with."""
    with pytest.raises(OutputError) as caught:
        preflight_output(out)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_missing_folder_is_created_and_marked_as_a_dataset(tmp_path: Path) -> None:
    preflight_output(tmp_path / "a" / "out")
    marker = json.loads((tmp_path / "a/out/_meta/dataset.json").read_text())
    assert marker == {"format": "paperset", "format_version": 2}


@pytest.mark.parametrize(
    "entries", [[], [".gitkeep"], ["papers/", "quarantine/", "runs/", ".lock"]]
)
def test_an_empty_or_paperset_only_folder_is_accepted(tmp_path: Path, entries: list[str]) -> None:
    for name in entries:
        if name.endswith("/"):
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).touch()
    preflight_output(tmp_path)
    assert (tmp_path / "_meta/dataset.json").exists()


def test_a_folder_holding_other_files_is_refused_naming_them(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("\\begin{document}")
    (tmp_path / "papers").mkdir()
    assert "thesis.tex" in refusal(tmp_path)
    assert not (tmp_path / "_meta").exists()


def test_a_marked_dataset_may_hold_other_files(tmp_path: Path) -> None:
    preflight_output(tmp_path)
    (tmp_path / "NOTES.md").write_text("my notes")
    preflight_output(tmp_path)


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    assert "is a file" in refusal(tmp_path / "out")


def test_a_folder_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    assert "cannot create output folder" in refusal(tmp_path / "file" / "out")


def test_a_file_in_place_of_papers_is_refused(tmp_path: Path) -> None:
    (tmp_path / "papers").write_text("")
    assert "needs a folder" in refusal(tmp_path)


def test_a_read_only_folder_is_refused(read_only_folder: Path) -> None:
    assert "is not writable" in refusal(read_only_folder)


def test_a_marker_of_a_newer_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "_meta").mkdir()
    (tmp_path / "_meta/dataset.json").write_text('{"format": "paperset", "format_version": 9}')
    assert "format 9" in refusal(tmp_path)


def test_a_marker_of_another_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "_meta").mkdir()
    (tmp_path / "_meta/dataset.json").write_text('{"format": "delta"}')
    assert "does not describe a paperset dataset" in refusal(tmp_path)
