from pathlib import Path

import polars as pl

from paperset.incremental.ledger import LEDGER, plan_reads
from paperset.ingest.discover import RawFile

SETTINGS = "year=None;max_record_bytes=65536"


def files_in(folder: Path) -> list[RawFile]:
    return [
        RawFile(p, p.name, p.stat().st_size, p.stat().st_mtime) for p in sorted(folder.iterdir())
    ]


def test_new_files_are_read_and_known_unchanged_ones_are_not(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    first = plan_reads(files_in(tmp_path), pl.DataFrame(schema=LEDGER), SETTINGS)
    (tmp_path / "b.txt").write_text("b")
    second = plan_reads(files_in(tmp_path), first.ledger, SETTINGS)
    assert [f.name for f in first.to_read] == ["a.txt"]
    assert ([f.name for f in second.to_read], second.unchanged) == (["b.txt"], ["a.txt"])


def test_a_touched_file_with_the_same_bytes_is_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("a")
    ledger = plan_reads(files_in(tmp_path), pl.DataFrame(schema=LEDGER), SETTINGS).ledger
    path.write_text("a")  # new mtime, same content
    assert plan_reads(files_in(tmp_path), ledger, SETTINGS).unchanged == ["a.txt"]


def test_an_edited_file_or_other_parse_settings_mean_reading_again(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("a")
    ledger = plan_reads(files_in(tmp_path), pl.DataFrame(schema=LEDGER), SETTINGS).ledger
    assert plan_reads(files_in(tmp_path), ledger, "year=2024;max_record_bytes=65536").to_read
    path.write_text("changed")
    assert plan_reads(files_in(tmp_path), ledger, SETTINGS).to_read


def test_full_reads_everything(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    ledger = plan_reads(files_in(tmp_path), pl.DataFrame(schema=LEDGER), SETTINGS).ledger
    assert len(plan_reads(files_in(tmp_path), ledger, SETTINGS, full=True).to_read) == 1
