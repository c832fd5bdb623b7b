import datetime as dt
import platform
from pathlib import Path

import polars as pl
import pytest
from conftest import REPO

from paperset.dedup.intake import Ingested
from paperset.ingest.batches import batches_of, ingest_batch, read_dumps
from paperset.ingest.discover import RawFile, discover_raw_files
from paperset.memory import return_freed_memory_promptly, reuse_freed_memory
from paperset.storage.spill import with_texts

SAMPLE = REPO / "data" / "raw"


def raw(name: str, size: int) -> RawFile:
    return RawFile(Path(name), name, size, 0.0)


def test_batches_hold_at_most_the_byte_budget_and_a_large_file_is_read_in_parts() -> None:
    files = [raw("a", 40), raw("b", 40), raw("c", 40), raw("d", 500), raw("e", 10)]
    batches = batches_of(files, max_bytes=100)
    assert [[(f.name, f.part, f.parts) for f in b] for b in batches] == [
        [("a", 0, 1), ("b", 0, 1)],
        [("c", 0, 1)],
        *[[("d", k, 5)] for k in range(5)],
        [("e", 0, 1)],
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


def test_the_few_records_rejected_from_a_batch_do_not_hold_on_to_the_whole_batch(
    tmp_path: Path,
) -> None:
    # At 2000 bytes, the 4 largest records are too large.
    batch = ingest_batch(discover_raw_files(SAMPLE).files, None, 2000, dt.date(2026, 12, 1))
    ingested = Ingested.in_folder(tmp_path)
    ingested.add_batch(batch)
    [kept] = ingested.rejected
    assert 0 < kept.height < 20
    assert held_bytes(kept) < held_bytes(batch.records) / 10


def test_accepted_records_wait_on_disk_and_come_back_whole_with_their_abstracts(
    tmp_path: Path,
) -> None:
    files = discover_raw_files(SAMPLE).files
    today = dt.date(2026, 12, 1)
    batches = [
        ingest_batch(files[:1], None, 100_000, today),
        ingest_batch(files, None, 100_000, today),
    ]
    ingested = Ingested.in_folder(tmp_path)
    for batch in batches:
        ingested.add_batch(batch)
    expected = pl.concat([b.records.filter(pl.col("reason").is_null()) for b in batches])
    assert ingested.accepted_count() == expected.height > 0
    accepted = ingested.take_accepted()
    texts = ingested.take_texts()
    assert "abstract" not in accepted.columns
    assert accepted["line"].to_list() == expected["line"].to_list()
    back = with_texts(accepted, texts.store)
    assert back["abstract"].to_list() == expected["abstract"].to_list()
    # Each distinct text is stored, hashed into bands and sketched once, though the first
    # file is read twice.
    distinct = expected["abstract"].drop_nulls().n_unique()
    assert sum(pl.read_parquet(part).height for part in texts.store.parts) == distinct
    assert texts.sketches["text_hash"].is_unique().all()
    assert texts.bands["text_hash"].is_sorted()
    assert not list((tmp_path / "accepted").iterdir())  # taken: the spill is gone


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the setting is glibc's")
def test_glibc_is_told_to_keep_freed_blocks_while_ingesting_then_to_give_them_back() -> None:
    assert reuse_freed_memory()
    assert return_freed_memory_promptly()
