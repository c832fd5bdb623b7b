"""The floor: what touching every byte costs, with no parsing at all.

    python -m bench.floor RAW OUT

Reads and decodes every file under RAW, splits the text at blank lines into records, and
writes them, with their file name, as one zstd Parquet file. Any pipeline that reads the
dumps and writes the records as Parquet does at least this much work; the build's times
are reported as multiples of it. It uses polars, so it gets the same threads the build gets.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def split_records(raw: Path) -> pl.DataFrame:
    """One row per blank-line separated chunk of every file: `source_file`, `record`."""
    files = sorted(path for path in raw.rglob("*") if path.is_file())
    frame = pl.DataFrame(
        {
            "source_file": [path.relative_to(raw).as_posix() for path in files],
            "text": [path.read_bytes().decode("utf-8-sig") for path in files],
        },
        schema={"source_file": pl.String, "text": pl.String},
    )
    return frame.select("source_file", pl.col("text").str.split("\n\n").alias("record")).explode(
        "record"
    )


def write_floor(raw: Path, out: Path) -> int:
    """Split the records of `raw` and write them under `out`; return how many there were."""
    records = split_records(raw)
    out.mkdir(parents=True, exist_ok=True)
    records.write_parquet(out / "records.parquet", compression="zstd")
    return records.height


def main(argv: list[str]) -> int:
    """Run the floor on `RAW OUT`."""
    raw, out = (Path(arg) for arg in argv)
    print(f"floor: {write_floor(raw, out)} chunks written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
