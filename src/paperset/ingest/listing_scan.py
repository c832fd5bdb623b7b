"""Cut arxiv listings into records in compiled passes over the batch's bytes (numba).

The rules are those of `arxiv_listing` (which documents them); this module runs them as
loops over lines, where polars ran each as a pass over a frame of every line. Regular
expressions stay in polars, on the few lines that need them: the shape of each `arXiv:` and
`Created:` line, and whether a paragraph that may start a new record looks like an abstract.

1. `lines.LineTable`: each line's file, number, byte span and kind (blank, `arXiv:` or
   `Created:` prefix), from the texts' UTF-8 bytes.
2. `consulted_paragraphs`: the paragraphs whose look (`comments.abstract_like_paragraphs`)
   decides whether a record was cut off: those opening after other text in a segment.
3. `cut_records`: the records, each as spans of its file (whole text, abstract, comments),
   its id and dates lines and its counts; and each line's record and part.

Paragraphs are numbered by the blank lines before them across the whole batch (as the polars
parser before these passes numbered them, `tests/ingest/parse_reference.py`): a file that
does not end with a blank line continues its last paragraph into the next file's first.
`consulted_paragraphs` and `cut_records` read segments and paragraph starts alike: a change
to one is a change to both.
"""

from __future__ import annotations

import numpy as np

from paperset.compiled import kernel

ABSTRACT, COMMENT = 1, 2
# The columns of `cut_records`' rows per record: first and last row, first non-blank row,
# first and last abstract row (ABSTRACT_ROWS, +1), first and last comment row, first id
# row, first dates row; and of its counts: id lines, dates lines, whether it is regular.
FIRST, LAST, NON_BLANK, ABSTRACT_ROWS, COMMENT_ROWS, ID_ROW, DATES_ROW = 0, 1, 2, 3, 5, 7, 8
IDS, DATES, REGULAR = 0, 1, 2


@kernel(inline=True)
def _segment_start(file: np.ndarray, dates: np.ndarray, row: int) -> bool:
    """A file's first line, or the line after a dates line, opens a segment."""
    return row == 0 or file[row] != file[row - 1] or dates[row - 1]


@kernel
def consulted_paragraphs(
    file: np.ndarray,
    blank: np.ndarray,
    is_id: np.ndarray,
    is_dates: np.ndarray,
    paragraph: np.ndarray,
) -> np.ndarray:
    """Whether each paragraph (by number) opens on a text line after other text in its
    segment, with no id line before it there: only then does its look decide whether it
    starts a record."""
    consulted = np.zeros(paragraph[-1] + 1 if len(paragraph) else 0, np.bool_)
    text_seen = id_seen = False
    for row in range(len(file)):
        segment_start = _segment_start(file, is_dates, row)
        if segment_start:
            text_seen = id_seen = False
        text = not (blank[row] or is_id[row] or is_dates[row])
        if text and (segment_start or row == 0 or blank[row - 1]) and text_seen and not id_seen:
            consulted[paragraph[row]] = True
        text_seen = text_seen or text
        id_seen = id_seen or is_id[row]
    return consulted


@kernel
def cut_records(
    file: np.ndarray,
    blank: np.ndarray,
    is_id: np.ndarray,
    is_dates: np.ndarray,
    paragraph: np.ndarray,
    abstract_like: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut the lines into records (`arxiv_listing` has the rules).

    Returns each line's record (-1 for blank lines before the first) and part (ABSTRACT,
    COMMENT or 0); and per record, a (records, 9) array of rows: its first and last rows,
    its first non-blank row (-1 for a run of blank lines at the start of a file, which is
    no record), its first and last abstract rows, its first and last comment rows, and its
    first id and dates rows (-1 where there is none); and a (records, 3) array: its number
    of id lines, of dates lines, and whether its abstract's and comments' lines are
    contiguous (`listing_texts`).
    """
    lines = len(file)
    record = np.full(lines, -1, np.int64)
    part = np.zeros(lines, np.uint8)
    rows = np.full((lines, 9), -1, np.int64)
    counts = np.zeros((lines, 3), np.int64)
    current = -1
    text_seen = id_seen = non_blank_seen = False
    first_paragraph = -1
    non_blank_total = 0  # non-blank lines so far, this one included
    for row in range(lines):
        segment_start = _segment_start(file, is_dates, row)
        if segment_start:
            text_seen = id_seen = non_blank_seen = False
        non_blank = not blank[row]
        text = not (blank[row] or is_id[row] or is_dates[row])
        opens_paragraph = text and (segment_start or row == 0 or blank[row - 1])
        cut_off = opens_paragraph and ((abstract_like[paragraph[row]] and text_seen) or id_seen)
        new_file = row > 0 and file[row] != file[row - 1]
        if (non_blank and not non_blank_seen) or cut_off or (new_file and current >= 0):
            current += 1
            rows[current, FIRST] = row
            counts[current, REGULAR] = 1
            first_paragraph = -1
        non_blank_total += non_blank
        text_seen = text_seen or text
        id_seen = id_seen or is_id[row]
        non_blank_seen = non_blank_seen or non_blank
        if current < 0:
            continue
        record[row] = current
        rows[current, LAST] = row
        if non_blank and rows[current, NON_BLANK] < 0:
            rows[current, NON_BLANK] = row
        if text:
            if first_paragraph < 0:
                first_paragraph = paragraph[row]
            kind = ABSTRACT if paragraph[row] == first_paragraph else COMMENT
            part[row] = kind
            _extend(rows, current, ABSTRACT_ROWS if kind == ABSTRACT else COMMENT_ROWS, row)
        if is_id[row]:
            counts[current, IDS] += 1
            rows[current, ID_ROW] = row if rows[current, ID_ROW] < 0 else rows[current, ID_ROW]
        if is_dates[row]:
            counts[current, DATES] += 1
            rows[current, DATES_ROW] = (
                row if rows[current, DATES_ROW] < 0 else rows[current, DATES_ROW]
            )
    records = current + 1
    _mark_irregular(part, rows[:records], counts[:records], blank)
    return record, part, rows[:records], counts[:records]


@kernel(inline=True)
def _extend(rows: np.ndarray, current: int, column: int, row: int) -> None:
    """Widen a record's span of a part (first row in `column`, last in the next) to `row`."""
    if rows[current, column] < 0:
        rows[current, column] = row
    rows[current, column + 1] = row


@kernel
def _mark_irregular(
    part: np.ndarray, rows: np.ndarray, counts: np.ndarray, blank: np.ndarray
) -> None:
    """Clear a record's contiguity flag when a row of another part lies within its
    abstract's rows, or a non-blank row of another part within its comments' rows."""
    for current in range(len(rows)):
        first, last = rows[current, ABSTRACT_ROWS], rows[current, ABSTRACT_ROWS + 1]
        for row in range(max(first, 0), last + 1):
            if part[row] != ABSTRACT:
                counts[current, REGULAR] = 0
        first, last = rows[current, COMMENT_ROWS], rows[current, COMMENT_ROWS + 1]
        for row in range(max(first, 0), last + 1):
            if part[row] != COMMENT and not blank[row]:
                counts[current, REGULAR] = 0
