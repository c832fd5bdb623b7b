"""The true papers of a synthetic corpus: dates, arXiv ids, DOIs, titles, abstracts, comments.

Papers are numbered in order of their `Created` date, so the newest ones can be held back
as the incremental batch. Every title has a distinct normalised key (the contract merges
equal titles, so two distinct papers must never share one), yet some are look-alikes of
another paper's title, and a few families of papers share their opening sentences.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from bench.edits import RENDERED
from bench.text import TOPICS, SlotFiller, fill
from bench.vocab import (
    ABSTRACT_ROLES,
    SYLLABLES,
    TEMPLATES,
    TITLE_TEMPLATES,
    TOPIC_SHARES,
    WITHDRAWN,
    WORDS,
)
from paperset.dedup.keys import title_key

FIRST_DAY = dt.date(2018, 7, 1)
LAST_DAY = dt.date(2025, 6, 30)
OLD_STYLE_SHARE = 0.005
OLD_ARCHIVES = ["hep-th", "hep-ph", "math.GT", "cond-mat", "astro-ph", "quant-ph"]
UPDATED_SHARE = 0.25
DOI_SHARE = 0.15
HF_SHARE = 0.45
LOOKALIKE_SHARE = 0.02
FAMILY_SHARE = 0.005
WITHDRAWN_SHARE = 0.001
CHUNK = 1 << 16
SHARED_ROLES = 2  # family members copy the head's first two sentences
_NAME_SPACE = len(SYLLABLES) ** 4
LOOKALIKE_FORMS = ("Revisiting {}", "{} at Scale", "{} Revisited")


def make_papers(rng: np.random.Generator, n_papers: int) -> pl.DataFrame:
    """Draw `n_papers` distinct papers, numbered by creation date."""
    dates = _dates(rng, n_papers)
    topics = np.where(dates["old"], TOPICS.index("physics"), _topics(rng, n_papers))
    names = _names(rng, n_papers)
    filler = SlotFiller(rng, topics, names)
    papers = dates.with_columns(
        topic=pl.Series(np.array(TOPICS)[topics]),
        name=names,
        title=_titles(rng, filler, n_papers),
        abstract=_chunked_abstracts(rng, topics, names),
        comments=_comments(rng, names),
        orig_format=pl.Series(np.where(rng.random(n_papers) < HF_SHARE, "hf", "arxiv")),
        popularity=pl.Series(rng.lognormal(0.0, 1.0, n_papers)),
    )
    return papers.pipe(_with_ids, rng).pipe(_with_lookalikes, rng).pipe(_unique_titles)


def _dates(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """`created` dates growing over time as arXiv does, a few old-style-era ones, `updated`."""
    span = (LAST_DAY - FIRST_DAY).days + 1
    growth = 1.0 + 2.0 * np.arange(span) / span
    offsets = rng.choice(span, size=n, p=growth / growth.sum())
    old = rng.random(n) < OLD_STYLE_SHARE
    old_offsets = rng.integers(
        (dt.date(1995, 1, 1) - FIRST_DAY).days, (dt.date(2007, 3, 1) - FIRST_DAY).days, n
    )
    created = np.datetime64(FIRST_DAY) + np.where(old, old_offsets, offsets)
    bump = np.where(rng.random(n) < UPDATED_SHARE, rng.integers(1, 180, n), -1)
    updated = np.minimum(created + np.maximum(bump, 0), np.datetime64(LAST_DAY))
    frame = pl.DataFrame(
        {
            "created": created,
            "updated": updated,
            "has_update": bump >= 0,
            "old": old,
            "order": rng.random(n),
        }
    )
    order = frame.with_row_index("draw").sort("created", "order")["draw"].to_numpy()
    frame = frame[order]
    return frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("paper"),
        pl.col("created").cast(pl.Date),
        pl.when("has_update").then(pl.col("updated")).cast(pl.Date).alias("updated"),
        "old",
    )


def _topics(rng: np.random.Generator, n: int) -> np.ndarray:
    shares = np.array(list(TOPIC_SHARES.values()))
    return rng.choice(len(shares), size=n, p=shares / shares.sum())


def _names(rng: np.random.Generator, n: int) -> pl.Series:
    """A distinct made-up method name per paper (`Bokelamu`): an affine bijection of its index."""
    codes = (
        np.arange(n, dtype=np.int64) * 1_000_003 + int(rng.integers(_NAME_SPACE))
    ) % _NAME_SPACE
    syllables = pl.Series(SYLLABLES)
    parts = [syllables.gather((codes // len(SYLLABLES) ** k) % len(SYLLABLES)) for k in range(4)]
    return pl.select(pl.concat_str(parts)).to_series().str.to_titlecase().alias("name")


def _titles(rng: np.random.Generator, filler: SlotFiller, n: int) -> pl.Series:
    choice = rng.integers(0, len(TITLE_TEMPLATES), n)
    return fill(filler, TITLE_TEMPLATES, choice, titled=True)


def _chunked_abstracts(rng: np.random.Generator, topics: np.ndarray, names: pl.Series) -> pl.Series:
    """Abstracts of CHUNK papers at a time, which bounds the memory of their sentences."""
    parts = []
    for start in range(0, len(names), CHUNK):
        chunk = slice(start, start + CHUNK)
        filler = SlotFiller(rng, topics[chunk], names[chunk])
        parts.append(_abstracts(rng, filler, len(filler.names)))
    return pl.concat([pl.Series(dtype=pl.String), *parts]).rechunk()


def _abstracts(rng: np.random.Generator, filler: SlotFiller, n: int) -> pl.Series:
    """Join one sentence per role present; families share openings; a few are withdrawn."""
    sentences = []
    heads = _family_heads(rng, n)
    for position, (role, chance) in enumerate(ABSTRACT_ROLES):
        templates = TEMPLATES[role]
        choice = rng.integers(0, len(templates), n)
        filled = fill(filler, templates, np.where(rng.random(n) < chance, choice, -1))
        sentences.append(filled.gather(heads) if position < SHARED_ROLES else filled)
    abstracts = pl.select(pl.concat_str(sentences, separator=" ", ignore_nulls=True)).to_series()
    withdrawn = np.where(rng.random(n) < WITHDRAWN_SHARE, 0, -1)
    notices = fill(filler, [WITHDRAWN], withdrawn)
    return pl.select(pl.coalesce(notices, abstracts)).to_series()


def _family_heads(rng: np.random.Generator, n: int) -> np.ndarray:
    """Each paper's own index, except family members, who point at their family's head."""
    heads = np.arange(n)
    members = rng.choice(n, size=int(n * FAMILY_SHARE), replace=False)
    heads[members] = rng.integers(0, n, len(members))
    return heads


def _comments(rng: np.random.Generator, names: pl.Series) -> pl.Series:
    """Zero to three comment lines: pages and figures, venue, code link."""
    n = len(names)
    pages = pl.format(
        "{} pages, {} figures",
        pl.lit(pl.Series(rng.integers(4, 40, n))),
        pl.lit(pl.Series(rng.integers(1, 12, n))),
    )
    venue = pl.lit(pl.Series(np.array(WORDS["venue"])[rng.integers(0, len(WORDS["venue"]), n)]))
    handle = pl.lit(pl.Series(np.array(WORDS["handle"])[rng.integers(0, len(WORDS["handle"]), n)]))
    lines = [
        pl.when(pl.lit(pl.Series(rng.random(n) < 0.6))).then(pages),
        pl.when(pl.lit(pl.Series(rng.random(n) < 0.25))).then(pl.format("Accepted by {}", venue)),
        pl.when(pl.lit(pl.Series(rng.random(n) < 0.1))).then(
            pl.format("Code: https://github.com/{}/{}", handle, pl.lit(names.str.to_lowercase()))
        ),
    ]
    joined = pl.select(pl.concat_str(lines, separator="\n\n", ignore_nulls=True)).to_series()
    return pl.select(pl.when(joined != "").then(joined)).to_series().alias("comments")


def _with_ids(papers: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """New-style ids numbered within their month; old-style ones within archive and month."""
    n = papers.height
    archive = pl.Series(np.array(OLD_ARCHIVES)[rng.integers(0, len(OLD_ARCHIVES), n)])
    yymm = pl.col("created").dt.strftime("%y%m")
    group = pl.when("old").then(pl.lit(archive)).otherwise(pl.lit(""))
    seq = (pl.int_range(pl.len()).over(group, yymm) + 1).cast(pl.String)
    new_style = pl.concat_str(yymm, pl.lit("."), seq.str.zfill(5))
    old_style = pl.concat_str(pl.lit(archive), pl.lit("/"), yymm, seq.str.zfill(3))
    doi = pl.format(
        "10.{}/{}.{}",
        pl.lit(pl.Series(rng.integers(1000, 9999, n))),
        pl.col("created").dt.year(),
        pl.col("paper").cast(pl.String).str.zfill(7),
    )
    return papers.with_columns(
        arxiv_id=pl.when("old").then(old_style).otherwise(new_style),
        doi=pl.when(pl.lit(pl.Series(rng.random(n) < DOI_SHARE))).then(doi),
    )


def _with_lookalikes(papers: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Give some papers a title made from another paper's title by one small change."""
    n = papers.height
    copies = rng.choice(n, size=int(n * LOOKALIKE_SHARE), replace=False)
    sources = rng.integers(0, n, len(copies))
    forms = rng.integers(0, len(LOOKALIKE_FORMS), len(copies))
    titles = papers["title"].to_list()
    for copy, source, form in zip(copies, sources, forms, strict=True):
        if copy != source:
            titles[copy] = LOOKALIKE_FORMS[form].format(titles[source])
    return papers.with_columns(title=pl.Series(titles, dtype=pl.String))


def _unique_titles(papers: pl.DataFrame) -> pl.DataFrame:
    """Prefix the method name to any title whose key another paper already has."""
    key = title_key(pl.col("title").str.replace_many(RENDERED))
    fixed = papers.with_columns(
        title=pl.when(key.is_first_distinct())
        .then("title")
        .otherwise(pl.concat_str("name", pl.lit(": "), "title"))
    )
    if fixed.select(key.n_unique()).item() != fixed.height:
        raise AssertionError("titles of distinct papers still share a key")
    return fixed
