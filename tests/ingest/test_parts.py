"""A big raw file is read in record-aligned parts: the same records, lines and papers as read
whole, with memory bounded by the part. Data: the real slice's listings (CC0 arXiv metadata)."""

from pathlib import Path

import polars as pl
import pytest
from conftest import REPO
from helpers import MTIME_2025_06_01, build, hf_page

from paperset.ingest.batches import batches_of, read_dumps
from paperset.ingest.discover import RawFile
from paperset.ingest.parse import parse_dumps
from paperset.ingest.parts import pieces
from paperset.storage import read_papers

REAL_RAW = REPO / "tests" / "data" / "real" / "raw"
COLUMNS = ["source_file", "line", "arxiv_id", "abstract", "comments", "published", "reason"]


def _big_listing(folder: Path, newline: str = "\n") -> RawFile:
    """Every listing of the real slice in one file, with a record cut off at its very end."""
    texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(REAL_RAW.glob("arxiv_*"))]
    text = "\n\n".join(t.replace("\r\n", "\n").strip("\ufeff\n") for t in texts)
    text += "\n\nA last abstract cut off before its id line"
    path = folder / "backfill.txt"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return RawFile(path, path.name, path.stat().st_size, MTIME_2025_06_01)


def _records(batches: list[list[RawFile]]) -> pl.DataFrame:
    frames = [
        parse_dumps(
            read_dumps(files).dumps, None, 65536, __import__("datetime").date(2030, 1, 1)
        ).records
        for files in batches
    ]
    return pl.concat(frames).select(COLUMNS).sort("source_file", "line")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_big_listing_read_in_parts_gives_the_records_read_whole(
    tmp_path: Path, newline: str
) -> None:
    raw_file = _big_listing(tmp_path, newline)
    parts = batches_of([raw_file], max_bytes=20_000)
    assert len(parts) > 10
    whole = _records(batches_of([raw_file], max_bytes=raw_file.size))
    assert whole.height > 150 and whole["reason"].null_count() == whole.height - 1
    assert _records(parts).equals(whole)


def test_a_big_papers_page_is_read_whole_by_its_first_part(tmp_path: Path) -> None:
    page = hf_page(
        *[(f"Title {n}", f"Abstract number {n} is a sentence. " * 20) for n in range(60)]
    )
    path = tmp_path / "page.txt"
    path.write_text(page)
    raw_file = RawFile(path, path.name, path.stat().st_size, MTIME_2025_06_01)
    parts = batches_of([raw_file], max_bytes=4_000)
    assert len(parts) > 5
    assert _records(parts).equals(_records([[raw_file]]))


def test_a_build_from_one_big_dump_in_parts_equals_the_build_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    _big_listing(raw)
    read_whole = build(raw, tmp_path / "whole")
    monkeypatch.setattr("paperset.ingest.batches.BATCH_BYTES", 50_000)
    report = build(raw, tmp_path / "parts")
    assert report["files"]["parsed"] == 1
    assert report["records"] == read_whole["records"]
    whole = read_papers(tmp_path / "whole").drop("ingested_at").sort("paper_id")
    assert read_papers(tmp_path / "parts").drop("ingested_at").sort("paper_id").equals(whole)


def test_a_cut_off_record_after_the_last_record_end_stays_with_the_records_before() -> None:
    text = b"a\nCreated: 1\n\nb\nCreated: 2\n\nan abstract cut off before its id line\n"
    cut = pieces(text, 1, size=3)
    assert [piece for piece, _ in cut] == [b"a\nCreated: 1\n\n", text[text.index(b"b\n") :]]
    assert all(b"Created:" in piece for piece, _ in cut)  # each piece is seen as a listing
