"""File helpers under the commit: deterministic Parquet, durable writes, pruning removals."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from paperset.storage.fsio import atomic_write_bytes, parquet_bytes, remove_durable, write_durable


def numbers(start: int, stop: int) -> pl.DataFrame:
    """Return rows `start..stop` of a two-column frame."""
    ids = pl.int_range(start, stop, eager=True)
    return pl.DataFrame({"id": ids, "text": ids.cast(pl.String)})


def test_equal_frames_in_different_chunks_serialise_to_equal_bytes() -> None:
    whole = numbers(0, 250_000)
    pieces = pl.concat([numbers(k, k + 50_000) for k in range(0, 250_000, 50_000)], rechunk=False)
    assert pieces.n_chunks() > 1
    assert parquet_bytes(pieces) == parquet_bytes(whole)


def test_a_file_already_holding_the_bytes_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    assert atomic_write_bytes(path, b"{}")
    inode = path.stat().st_ino
    assert not atomic_write_bytes(path, b"{}")
    assert path.stat().st_ino == inode


def test_a_durable_write_never_overwrites(tmp_path: Path) -> None:
    write_durable(tmp_path / "part-0.parquet", b"first")
    with pytest.raises(FileExistsError):
        write_durable(tmp_path / "part-0.parquet", b"second")


def test_removal_prunes_emptied_folders_up_to_the_kept_one(tmp_path: Path) -> None:
    path = tmp_path / "papers/date=2024-03-01/topic=physics/part-0.parquet"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    remove_durable(path, keep=tmp_path / "papers")
    assert list((tmp_path / "papers").iterdir()) == []


def test_removal_keeps_a_folder_that_still_holds_files(tmp_path: Path) -> None:
    path = tmp_path / "papers/date=2024-03-01/topic=physics/part-0.parquet"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    (tmp_path / "papers/date=2024-03-01/topic=other").mkdir()
    remove_durable(path, keep=tmp_path / "papers")
    assert [p.name for p in (tmp_path / "papers/date=2024-03-01").iterdir()] == ["topic=other"]
