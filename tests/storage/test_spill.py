"""What a run keeps on disk while it reads: its abstracts, and each batch's small frames."""

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from paperset.storage.spill import TEXTS, Spill, TextStore


def texts(*pairs: tuple[int | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"text_hash": [h for h, _ in pairs], "abstract": [a for _, a in pairs]}, schema=TEXTS
    )


def test_the_store_keeps_each_text_once_and_reads_back_those_asked_for(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    first = store.add(texts((1, "one"), (2, "two"), (1, "one"), (None, None)))
    again = store.add(texts((2, "two"), (3, "three")))
    assert first["text_hash"].to_list() == [1, 2]
    assert again["text_hash"].to_list() == [3]  # only what was not kept yet
    assert len(store.parts) == 2
    asked = pl.Series([3, 1, 1, 9, None], dtype=pl.UInt64)
    assert sorted(store.read(asked).rows()) == [(1, "one"), (3, "three")]
    assert store.read(pl.Series([], dtype=pl.UInt64)).schema == TEXTS


def test_rows_joined_to_the_store_come_out_once_each_with_their_abstract(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    store.add(texts((1, "one"), (2, "two")))
    store.add(texts((3, "three")))
    rows = pl.DataFrame(
        {"line": [10, 11, 12, 13, 14], "text_hash": [3, 1, None, 1, 2]},
        schema={"line": pl.Int64, "text_hash": pl.UInt64},
    )
    joined = pl.concat(list(store.joined(rows))).sort("line")
    assert joined.select("line", "abstract").rows() == [
        (10, "three"),
        (11, "one"),
        (12, None),
        (13, "one"),
        (14, "two"),
    ]


def test_a_spill_gives_back_what_was_put_in_order_and_removes_its_files(tmp_path: Path) -> None:
    schema = pl.Schema({"a": pl.UInt64(), "b": pl.String()})
    spill = Spill(tmp_path / "frames", schema)
    parts = [pl.DataFrame({"a": [i, i + 1], "b": ["x", None]}, schema=schema) for i in (5, 1, 3)]
    for part in parts:
        spill.put(part)
    assert spill.rows == 6
    assert_frame_equal(spill.take(), pl.concat(parts))
    assert not list((tmp_path / "frames").iterdir())
    assert spill.take().schema == schema  # empty once taken
