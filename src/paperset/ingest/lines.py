"""A batch's lines as arrays, cut from its texts' bytes in one compiled pass (numba).

Texts are split on `\\n` only. Each line has its file (its position in the batch), its
number in the file, its byte span in the file's text and its kind: blank (whitespace only,
as `str.strip_chars()` reads it: form feeds and U+2028 too), or opening with `arXiv:` (any
case), `Created:`, or the first three letters of a papers page's furniture (a month, a
header line), after any whitespace. The parsers test only the lines of a kind with regular
expressions; every line's text is a slice of its file, made only where it is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from paperset.compiled import kernel
from paperset.hashing import _string_buffers
from paperset.ingest.whitespace import line_breaks, next_line_end, space_size

BLANK, ID_PREFIX, DATES_PREFIX, PAGE_PREFIX = 1, 2, 4, 8
_ARXIV = np.frombuffer(b"arxiv:", dtype=np.uint8)
_CREATED = np.frombuffer(b"Created:", dtype=np.uint8)
# How a papers page's date (`Apr 22`) or header line (`new`, `Subscribe`, ...) opens.
_PAGE_OPENINGS = np.frombuffer(
    b"JanFebMarAprMayJunJulAugSepOctNovDecnewGetSubbyA", dtype=np.uint8
).reshape(-1, 3)


@kernel(inline=True)
def _opens_with(data: np.ndarray, at: int, end: int, word: np.ndarray, fold: bool) -> bool:
    """Whether the bytes from `at` start with `word` (ASCII letters in either case if `fold`)."""
    if end - at < len(word):
        return False
    for k in range(len(word)):
        byte = data[at + k]
        if fold and 0x41 <= byte <= 0x5A:
            byte |= 0x20
        if byte != word[k]:
            return False
    return True


@kernel(inline=True)
def _line_kind(data: np.ndarray, at: int, end: int) -> int:
    """The kind of the line `data[at:end]` (BLANK, ID_PREFIX, DATES_PREFIX, PAGE_PREFIX or 0)."""
    while at < end:
        size = space_size(data, at, end)
        if size == 0:
            break
        at += size
    if at == end:
        return BLANK
    if _opens_with(data, at, end, _ARXIV, True):
        return ID_PREFIX
    if _opens_with(data, at, end, _CREATED, False):
        return DATES_PREFIX
    for opening in range(len(_PAGE_OPENINGS)):
        if _opens_with(data, at, end, _PAGE_OPENINGS[opening], False):
            return PAGE_PREFIX
    return 0


@kernel
def _line_table(
    data: np.ndarray, offsets: np.ndarray, breaks: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lines = len(offsets) - 1 + len(breaks)
    file = np.empty(lines, np.int32)
    number = np.empty(lines, np.int64)
    start = np.empty(lines, np.int64)
    end = np.empty(lines, np.int64)
    kind = np.empty(lines, np.uint8)
    row = taken = 0
    for text in range(len(offsets) - 1):
        base, stop = offsets[text], offsets[text + 1]
        at, count = base, 0
        while True:
            line_end = next_line_end(breaks, taken, stop)
            file[row], number[row] = text, count
            start[row], end[row] = at - base, line_end - base
            kind[row] = _line_kind(data, at, line_end)
            row += 1
            count += 1
            if line_end == stop:
                break
            taken += 1
            at = line_end + 1
    return file, number, start, end, kind


@dataclass(frozen=True)
class LineTable:
    """The lines of a batch's `files` (`file_no`, `first_line`, `text`), one array entry
    per line: `file` (row in `files`), `number` (from 0 in its file), `start` and `end`
    (bytes of its file's text), and `kind` (bits: BLANK, ID_PREFIX, ...)."""

    files: pl.DataFrame
    contents: pl.Series
    file: np.ndarray
    number: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray

    @classmethod
    def of(cls, files: pl.DataFrame) -> LineTable:
        offsets, data = _string_buffers(files["text"])
        breaks = line_breaks(data, int(offsets[0]), int(offsets[-1]))
        return cls(files, files["text"].cast(pl.Binary), *_line_table(data, offsets, breaks))

    def where(self, rows: np.ndarray) -> LineTable:
        """The table of the lines where `rows` (a mask) holds."""
        arrays = (self.file, self.number, self.start, self.end, self.kind)
        return LineTable(self.files, self.contents, *(array[rows] for array in arrays))

    def has(self, kind: int) -> np.ndarray:
        return (self.kind & kind) != 0

    def texts(self, rows: np.ndarray) -> pl.Series:
        """The text of each line at `rows` (indices)."""
        return slices(self.contents, self.file[rows], self.start[rows], self.end[rows])

    def line_numbers(self, rows: np.ndarray) -> np.ndarray:
        """The number of each line at `rows` in its file (counting from its `first_line`)."""
        return self.files["first_line"].to_numpy()[self.file[rows]] + self.number[rows]

    def file_nos(self, rows: np.ndarray) -> pl.Series:
        return self.files["file_no"].gather(self.file[rows])

    def same_file_as_next(self) -> np.ndarray:
        """Whether each line's next line is in the same file."""
        same = np.zeros(len(self.file), np.bool_)
        same[:-1] = self.file[1:] == self.file[:-1]
        return same


def slices(contents: pl.Series, file: np.ndarray, start: np.ndarray, end: np.ndarray) -> pl.Series:
    """The text of `contents[file]` from byte `start` to byte `end`, for each entry."""
    frame = pl.DataFrame({"bytes": contents.gather(file), "start": start, "end": end})
    return frame.select(text_between(pl.col("start"), pl.col("end")).alias("line")).to_series()


def text_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """The text of a file from byte `start` to byte `end`, given its `bytes`.

    Lines are contiguous in their file, so the lines from one to another joined with `\\n`
    are this slice of it: made without building the joined string line by line. Offsets at
    line starts and ends never cut a UTF-8 character.
    """
    return pl.col("bytes").bin.slice(start, end - start).cast(pl.String)


def nulls_where(values: pl.Series, missing: np.ndarray) -> pl.Series:
    """`values` with null where `missing` (a mask) holds."""
    return values.scatter(np.flatnonzero(missing), None)
