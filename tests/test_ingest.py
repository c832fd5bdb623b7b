import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from paperset.config import BuildConfig
from paperset.discover import RawFile, discover_raw_files
from paperset.ingest import Ingested, batches_of, ingest_batch, read_dumps

SAMPLE = Path(__file__).parents[1] / "data" / "raw"


def raw(name: str, size: int) -> RawFile:
    return RawFile(Path(name), name, size, 0.0)


def test_batches_hold_at_most_the_byte_budget_and_a_large_file_stands_alone() -> None:
    files = [raw("a", 40), raw("b", 40), raw("c", 40), raw("d", 500), raw("e", 10)]
    assert [[f.name for f in b] for b in batches_of(files, max_bytes=100)] == [
        ["a", "b"],
        ["c"],
        ["d"],
        ["e"],
    ]


def test_no_files_make_no_batches() -> None:
    assert batches_of([], max_bytes=100) == []


@pytest.mark.parametrize(
    ("content", "outcome"),
    [
        (b"", "warning"),
        (b" \n\n \n", "warning"),
        (b"\x00\x01binary", "rejected"),
        (b"text", "dump"),
    ],
)
def test_read_dumps_sorts_each_file_into_one_outcome(
    tmp_path: Path, content: bytes, outcome: str
) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    batch = read_dumps([RawFile(path, "f.txt", len(content), 0.0)])
    counts = {
        "warning": len(batch.warnings),
        "rejected": len(batch.rejected),
        "dump": len(batch.dumps),
    }
    assert counts == {key: int(key == outcome) for key in counts}


def held_bytes(frame: pl.DataFrame) -> int:
    """The bytes of every buffer the frame's columns hold, shared ones included."""
    table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
    chunks = [chunk for column in table.columns for chunk in column.chunks]
    return sum(buffer.size for chunk in chunks for buffer in chunk.buffers() if buffer)


@pytest.mark.parametrize(
    ("max_record_bytes", "today", "few"),
    [
        (2000, dt.date(2026, 12, 1), "rejected"),  # the 4 largest records are too large
        (BuildConfig().max_record_bytes, dt.date(2026, 1, 1), "accepted"),  # most dated later
    ],
)
def test_the_few_records_kept_from_a_batch_do_not_hold_on_to_the_whole_batch(
    max_record_bytes: int, today: dt.date, few: str
) -> None:
    batch = ingest_batch(discover_raw_files(SAMPLE).files, None, max_record_bytes, today)
    ingested = Ingested()
    ingested.add_batch(batch)
    [kept] = getattr(ingested, few)
    assert 0 < kept.height < 20
    assert held_bytes(kept) < held_bytes(batch.records) / 10
