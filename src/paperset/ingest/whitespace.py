"""Count a text column's non-blank lines in one compiled pass (numba).

Whitespace is Unicode's White_Space, as polars' `str.strip_chars()` reads it: tab to
carriage return, space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
U+205F and U+3000. Counting the lines of every record that hold more than that checks that
parsing dropped and doubled no text; as a polars expression (split into lines, strip, compare)
it built a list of strings per record: 2.5 s against 1.4 s for the 1M bench corpus. (The
same pass to collapse whitespace was slower than polars' regex, which runs on every core.)
A property test holds the count equal to the expression.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from paperset.compiled import kernel
from paperset.hashing import _string_buffers


@kernel(inline=True)
def _space_size(data: np.ndarray, at: int, end: int) -> int:
    """The byte length of the whitespace character at `at`, or 0 if it is none."""
    byte = data[at]
    if byte < 0x80:
        return 1 if byte == 0x20 or 0x09 <= byte <= 0x0D else 0
    if byte not in (0xC2, 0xE1, 0xE2, 0xE3) or at + 1 >= end:
        return 0
    second = data[at + 1]
    if byte == 0xC2:
        return 2 if second in (0x85, 0xA0) else 0
    if at + 2 >= end:
        return 0
    third = data[at + 2]
    if byte == 0xE1:
        found = second == 0x9A and third == 0x80
    elif byte == 0xE3:
        found = second == 0x80 and third == 0x80
    elif second == 0x80:
        found = third <= 0x8A or third in (0xA8, 0xA9, 0xAF)
    else:
        found = second == 0x81 and third == 0x9F
    return 3 if found else 0


@kernel
def _non_blank_lines(data: np.ndarray, offsets: np.ndarray) -> int:
    """Count the lines (split on `\\n`) of all texts that hold more than whitespace."""
    count = 0
    for row in range(len(offsets) - 1):
        at, end = offsets[row], offsets[row + 1]
        filled = False
        while at < end:
            byte = data[at]
            if byte == 0x0A:
                count += filled
                filled = False
                at += 1
                continue
            if filled:
                at += 1  # the line holds text: only its end matters now
                continue
            size = 0 if 0x20 < byte < 0x80 else _space_size(data, at, end)
            if size == 0:
                filled = True
                size = 1
            at += size
        count += filled
    return count


def non_blank_lines(texts: pl.Series) -> int:
    """Count the lines of a column's texts (split on `\\n`) that are not blank."""
    offsets, data = _string_buffers(texts)
    return int(_non_blank_lines(data, offsets))
