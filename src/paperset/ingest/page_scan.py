"""Tell a papers page's titles from its abstracts in one compiled pass over its paragraphs.

`papers_page._titles` documents the rules: within a run of title-capable paragraphs (one
short line, not several sentences), titles are the odd positions when the run pairs up with
what follows it, and are told by shape otherwise. One loop finds each run's end and marks
its paragraphs (as polars passes, each run's position, length and follower took running
sums, fills and shifts over every paragraph).
"""

from __future__ import annotations

import numpy as np

from paperset.compiled import kernel


@kernel
def titles(file: np.ndarray, capable: np.ndarray, sentence_end: np.ndarray) -> np.ndarray:
    """Whether each paragraph (in file order, `file` its file) is a title."""
    count = len(file)
    title = np.zeros(count, np.bool_)
    start = 0
    while start < count:
        if not capable[start]:
            start += 1
            continue
        end = start  # the run: capable paragraphs of one file, from `start` to `end`
        while end + 1 < count and capable[end + 1] and file[end + 1] == file[start]:
            end += 1
        followed = end + 1 < count and file[end + 1] == file[end]  # by an abstract
        pairs_up = ((end - start + 1) % 2 == 1) == followed
        for row in range(start, end + 1):
            if pairs_up:
                title[row] = (row - start) % 2 == 0
            else:  # by shape: not a sentence right after a title-like line
                after_title_like = (
                    row > 0
                    and file[row - 1] == file[row]
                    and capable[row - 1]
                    and not sentence_end[row - 1]
                )
                title[row] = not (after_title_like and sentence_end[row])
        start = end + 1
    return title
