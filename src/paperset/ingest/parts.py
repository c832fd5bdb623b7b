"""Read a big raw file in record-aligned parts, so memory is bounded by the part, not the file.

A user's backfill is often one big dump. An arxiv-listing file over the batch size is read as
parts of about that size, each cut just after a record's `Created:` line and the blank line
that follows it, where the parser starts a record anyway: the records, their lines and their
numbers are those of the whole file. A part is decoded on its own; the cut is at a line break,
which never falls inside a UTF-8 character, and a part's first line number is the count of
line breaks before it. A papers page is not cut (its listing date and its title/abstract
pairing run through the whole page): the first part reads it whole, the others nothing.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import BinaryIO

# A record's end: a dates line, then a blank line; the part starts after them.
_RECORD_END = re.compile(
    rb"(?:\r\n|\r|\n)[ \t]*Created:[^\r\n]*(?:\r\n|\r|\n)[ \t\f]*(?:\r\n|\r|\n)"
)
_PAGE_MARKERS = (b"Get trending papers in your email inbox!", b"byAK and the research community")
SCAN_BYTES = 1 << 20
COUNT_BYTES = 16 << 20
# Line breaks before the end of the part read last, so parts read in order count each byte
# once: (path, size, mtime, offset) -> breaks before offset.
_BREAKS: dict[tuple[str, int, int, int], int] = {}


def read_part(path: Path, part: int, parts: int, size: int) -> tuple[bytes, int] | None:
    """The bytes of one part of a file and the number of its first line; None when the part
    holds nothing (a papers page past its first part, or no record starts in it)."""
    with path.open("rb") as file:
        if _is_papers_page(file.read(SCAN_BYTES)):
            return (_whole(file), 1) if part == 0 else None
        start = 0 if part == 0 else _record_end_after(file, size * part // parts, size)
        cut = size * (part + 1) // parts
        end = size if part == parts - 1 else _record_end_after(file, cut, size)
        if end <= start:
            return None
        key = (str(path), size, path.stat().st_mtime_ns)
        before = _BREAKS.get((*key, start))
        if before is None:
            before = _line_breaks_before(file, start)
        file.seek(start)
        data = file.read(end - start)
        # The next part starts where this one ends: count its lines from here, not from 0.
        _BREAKS.clear()
        _BREAKS[(*key, end)] = before + _line_breaks_in(data)
        return data, 1 + before


def _whole(file: BinaryIO) -> bytes:
    file.seek(0)
    return file.read()


def _is_papers_page(head: bytes) -> bool:
    return any(marker in head for marker in _PAGE_MARKERS)


def _record_end_after(file: BinaryIO, offset: int, size: int) -> int:
    """The first place at or after `offset` where a record has just ended (else the end)."""
    # Start one byte early, so a break right at `offset` can open the match.
    position = max(offset - 1, 0)
    buffer = b""
    while True:
        file.seek(position + len(buffer))
        block = file.read(SCAN_BYTES)
        buffer += block
        at_end = position + len(buffer) >= size or not block
        for match in _RECORD_END.finditer(buffer):
            # A match ending at the buffer's edge may lack the \n of a \r\n: read on.
            if match.end() < len(buffer) or at_end:
                return position + match.end()
        if at_end:
            return size
        keep = len(buffer) - 512  # a dates line and a blank one fit in the tail kept
        if keep > 0:
            position, buffer = position + keep, buffer[keep:]


def _line_breaks_in(data: bytes) -> int:
    """Line breaks (LF, CRLF or CR, each counted once) in `data`."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _line_breaks_before(file: BinaryIO, offset: int) -> int:
    """Line breaks (LF, CRLF or CR, each counted once) in the file's first `offset` bytes."""
    file.seek(0)
    breaks, remaining, previous = 0, offset, b""
    while remaining > 0:
        block = file.read(min(COUNT_BYTES, remaining))
        if not block:
            break
        remaining -= len(block)
        # A \r\n split between two blocks is found with the previous block's last byte.
        crlf = (previous + block).count(b"\r\n")
        breaks += block.count(b"\n") + block.count(b"\r") - crlf
        previous = block[-1:]
    return breaks


# Record ends in decoded text (line breaks are \n by then).
_TEXT_RECORD_END = re.compile(rb"\n[ \t]*Created:[^\n]*\n[ \t\f]*\n")
PIECE_BYTES = 512 << 10


def pieces(text: bytes, first_line: int, size: int = PIECE_BYTES) -> list[tuple[bytes, int]]:
    r"""Cut a part's text (UTF-8) at record ends into pieces of about `size` bytes, each
    with the number of its first line: many small texts parse in parallel, one huge one
    does not. A cut is just after a line break, never inside a character.

    >>> pieces(b"a\nCreated: 1\n\nb\nCreated: 2\n\nc\n", 1, size=3)
    [(b'a\nCreated: 1\n\n', 1), (b'b\nCreated: 2\n\nc\n', 4)]
    """
    cuts = [0]
    # Never after the last record end: what follows it (a record cut off, say) stays with
    # the records before, where its format is seen.
    ends = [match.end() for match in _TEXT_RECORD_END.finditer(text)][:-1]
    for end in ends:
        if end - cuts[-1] >= size:
            cuts.append(end)
    cuts.append(len(text))
    out, line = [], first_line
    for start, end in itertools.pairwise(cuts):
        if start < end:
            out.append((text[start:end], line))
            line += text.count(b"\n", start, end)
    return out
