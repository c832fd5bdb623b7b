"""Tell an arXiv comment paragraph from an abstract, on evidence measured on real listings.

A listing record is an abstract paragraph, then comment paragraphs, then the id and dates
lines. A record cut off before its id line is followed directly by the next record's
abstract, so a text paragraph after other text is either a comment of the same record or
the abstract of the next one. Real comments can be long (up to 421 characters of several
sentences in the real development set), and an abstract can be shorter than its comment,
so length alone cannot decide.

Measured on the real metadata (`../shared/real/papers.parquet`: 67,286 distinct comments,
241,169 distinct abstracts): 98% of comments do not end with sentence punctuation, and the
long ones that do nearly all name a venue, pages, a version, a co-author or a URL in their
first 150 characters. So a paragraph is taken for another record's abstract only when it is
abstract-sized, ends a sentence, and opens without any comment marker: 1 real comment in
67,286 passes (a list of revisions with no marker word early on), and 94.7% of real
abstracts do, which is how often a truncated record is caught when the next record's
abstract follows it directly. A missed one keeps the cut-off text as the abstract and the
next abstract as a comment of the same record; nothing is lost, and the record's id and
dates are right. A record cut off at the end of its file is always caught.
"""

from __future__ import annotations

import polars as pl

# A paragraph this long may be an abstract; real abstracts shorter than this stay comments.
ABSTRACT_CHARS = 200
# Comments name what they are about early; abstracts rarely open with these.
MARKER_WINDOW = 150

COMMENT_MARKERS = "(?i)" + "|".join(
    [
        r"\b\d+\s*(?:pages?|pp\.?|figures?|figs?\.?|tables?|plots?)\b",
        r"\b(?:accepted|submitted|to appear|appeared|appears|published|publication"
        r"|under review|in press|camera[- ]ready|preprint|proceedings|conference|workshop"
        r"|symposium|journal|transactions)\b",
        r"\b(?:version|v\d+|revised|revisions?|typos?|corrected|corrections?|erratum"
        r"|withdrawn|withdraw\w*|replaced|supersede\w*|updated?|renam\w*|titled?"
        r"|co-?authors?|minor)\b",
        r"\b(?:please cite|cite as|comments? (?:are )?welcome|equal contribution"
        r"|contributed equally|corresponding author"
        r"|this (?:paper|manuscript|article|work) (?:is|was|has been))\b",
        r"https?://|www\.|github|gitlab|doi|arxiv",
        r"\b(?:latex|revtex|tex|uuencoded|postscript|figures? (?:are )?included)\b",
        r"\b(?:NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|AAAI|IJCAI|ACL|EMNLP|NAACL|COLING|KDD"
        r"|SIGIR|MICCAI|Interspeech|ICASSP|IEEE|ACM|Springer|Elsevier|MNRAS|ApJ|PRL|JHEP)\b",
        r"\b(?:19[5-9]\d|20[0-4]\d)\b",
        r"copyright|©|licen[cs]e",
    ]
)
# Ends a sentence: . ! or ? and any closing quotes, brackets or math.
SENTENCE_END = r"""[.!?]["'”’)\]}$]*$"""


def abstract_like_paragraphs(text_lines: pl.LazyFrame) -> pl.LazyFrame:
    """Whether each paragraph looks like another record's abstract (`paragraph`,
    `abstract_like`), from its text lines (`paragraph`, `line`) in file order.

    It does when it is at least ABSTRACT_CHARS long (its lines joined by spaces), its last
    line ends a sentence, and its first MARKER_WINDOW characters (its first four lines
    joined, leading spaces dropped) hold no comment marker. Measured as passes over the
    lines in order, not as a `group_by` (~2x faster): a paragraph's length is a difference
    of running sums, its head is read at its first line (the next three shifted up to it,
    each cut to the window first) and its tail at its last.

    >>> comment = ["Accepted at ICML 2025.", "x" * 200 + "."]
    >>> lines = pl.LazyFrame({"paragraph": [1, 1, 2], "line": [*comment, "We " * 70 + "."]})
    >>> abstract_like_paragraphs(lines).collect()["abstract_like"].to_list()
    [False, True]
    """
    paragraph, line = pl.col("paragraph"), pl.col("line")
    width = line.str.len_chars() + 1  # its characters and the space that joins it
    running = width.cum_sum()
    opens = paragraph.ne_missing(paragraph.shift(1))
    following = {
        f"next_{k}": pl.when(paragraph.shift(-k) == paragraph).then(line.shift(-k))
        for k in (1, 2, 3)
    }
    marked = text_lines.select(
        "paragraph",
        "line",
        opens=opens,
        closes=paragraph.ne_missing(paragraph.shift(-1)),
        chars=running - pl.when(opens).then(running - width).forward_fill() - 1,
        **following,
    )
    window = [pl.col(name).str.slice(0, MARKER_WINDOW) for name in following]
    head = pl.concat_str(
        [line.str.strip_chars_start().str.slice(0, MARKER_WINDOW), *window],
        separator=" ",
        ignore_nulls=True,
    ).str.slice(0, MARKER_WINDOW)
    opening = marked.filter("opens").select("paragraph", plain=~head.str.contains(COMMENT_MARKERS))
    ending = marked.filter("closes").select(
        "paragraph",
        ends=(pl.col("chars") >= ABSTRACT_CHARS)
        & line.str.strip_chars_end().str.contains(SENTENCE_END),
    )
    return opening.join(ending, on="paragraph", maintain_order="left").select(
        "paragraph", abstract_like=pl.col("plain") & pl.col("ends")
    )
