"""Fill sentence and title templates for many papers at once, one polars pass per template."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import numpy as np
import polars as pl

from bench.vocab import TOPIC_SHARES, TOPIC_WORDS, WORDS

SLOT = re.compile(r"\{([A-Za-z]+?)(\d*)\}")
TOPICS = list(TOPIC_SHARES)
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
    ]
)


def title_word(phrase: str) -> str:
    """Capitalise a phrase as titles do: every word but short connectives, acronyms kept.

    >>> title_word("a learned routing function for LLM agents")
    'A Learned Routing Function for LLM Agents'
    """
    words = phrase.split(" ")
    done = [w if w in _SMALL_WORDS or not w[:1].islower() else w[:1].upper() + w[1:] for w in words]
    first = done[0]
    return " ".join([first[:1].upper() + first[1:], *done[1:]])


def capitalised(values: pl.Series) -> pl.Series:
    """Upper-case the first character of each value."""
    return pl.select(
        pl.concat_str(values.str.slice(0, 1).str.to_uppercase(), values.str.slice(1))
    ).to_series()


class SlotFiller:
    """Draw slot values for given papers: topic words, general words, numbers, names."""

    def __init__(self, rng: np.random.Generator, topic_codes: np.ndarray, names: pl.Series):
        self.rng, self.topic_codes, self.names = rng, topic_codes, names
        self.repos = names.str.to_lowercase()

    def draw(self, slot: str, rows: np.ndarray, titled: bool) -> pl.Series:
        """Return one value of `slot` for each paper in `rows`, capitalised if the slot is."""
        kind = slot.lower()
        values = self._values(kind, rows, titled)
        return capitalised(values) if slot[:1].isupper() and not titled else values

    def _values(self, kind: str, rows: np.ndarray, titled: bool) -> pl.Series:
        if kind == "name":
            return self.names.gather(rows)
        if kind == "repo":
            return self.repos.gather(rows)
        if kind in _NUMBERS:
            return _NUMBERS[kind](self.rng, len(rows))
        if kind in TOPIC_WORDS["other"]:
            return self._topic_words(kind, rows, titled)
        return _choose(self.rng, _word_list(kind, titled), len(rows))

    def _topic_words(self, kind: str, rows: np.ndarray, titled: bool) -> pl.Series:
        flat, offsets, sizes = _topic_table(kind, titled)
        topics = self.topic_codes[rows]
        picks = offsets[topics] + (self.rng.random(len(rows)) * sizes[topics]).astype(np.int64)
        return flat.gather(picks)


def fill(
    filler: SlotFiller, templates: list[str], choice: np.ndarray, titled: bool = False
) -> pl.Series:
    """Fill template `choice[i]` for paper i; a negative choice leaves the paper's text null."""
    parts = [pl.DataFrame(schema={"row": pl.Int64, "text": pl.String})]
    for number, template in enumerate(templates):
        rows = np.flatnonzero(choice == number)
        if len(rows):
            text = _fill_one(filler, template, rows, titled)
            parts.append(pl.DataFrame({"row": rows, "text": text}, schema=parts[0].schema))
    filled = pl.concat(parts)
    everyone = pl.DataFrame({"row": np.arange(len(choice), dtype=np.int64)})
    return everyone.join(filled, on="row", how="left").sort("row")["text"]


def _fill_one(filler: SlotFiller, template: str, rows: np.ndarray, titled: bool) -> pl.Series:
    pieces: list[pl.Expr] = []
    columns: dict[str, pl.Series] = {}
    cursor = 0
    for match in SLOT.finditer(template):
        pieces.append(pl.lit(template[cursor : match.start()]))
        column = f"slot{len(columns)}"
        columns[column] = filler.draw(match.group(1), rows, titled)
        pieces.append(pl.col(column))
        cursor = match.end()
    pieces.append(pl.lit(template[cursor:]))
    frame = pl.DataFrame(columns) if columns else pl.DataFrame({"_": np.zeros(len(rows))})
    return frame.select(pl.concat_str(pieces)).to_series()


def _choose(rng: np.random.Generator, words: pl.Series, n: int) -> pl.Series:
    return words.gather(rng.integers(0, len(words), size=n))


@cache
def _word_list(kind: str, titled: bool) -> pl.Series:
    words = WORDS[kind]
    return pl.Series([title_word(w) for w in words] if titled else words, dtype=pl.String)


@cache
def _topic_table(kind: str, titled: bool) -> tuple[pl.Series, np.ndarray, np.ndarray]:
    """Every topic's words of `kind` in one series, with each topic's offset and count."""
    lists = [TOPIC_WORDS[topic][kind] for topic in TOPICS]
    sizes = np.array([len(words) for words in lists], dtype=np.int64)
    flat = [title_word(w) if titled else w for words in lists for w in words]
    return pl.Series(flat, dtype=pl.String), np.cumsum(sizes) - sizes, sizes


def _decimals(low: int, high: int) -> Callable[[np.random.Generator, int], pl.Series]:
    """Numbers with one decimal in [low/10, high/10), as text."""
    return lambda rng, n: pl.Series(rng.integers(low, high, size=n) / 10).round(1).cast(pl.String)


_NUMBERS: dict[str, Callable[[np.random.Generator, int], pl.Series]] = {
    "pct": _decimals(5, 450),
    "score": _decimals(200, 999),
    "factor": _decimals(12, 99),
    "count": lambda rng, n: pl.Series(rng.integers(3, 13, size=n)).cast(pl.String),
}
