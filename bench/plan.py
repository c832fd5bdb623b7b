"""Which records a batch holds: originals, exact and near repeats, cross-format repeats, bad ones.

A plan is one row per record to write: the true `paper`, its `kind` (original, exact,
near, cross, malformed), the `variant` of that kind, its `format` and how many words of
its abstract were edited. `render` then turns each row into the record's text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from bench import edits
from bench.papers import LAST_DAY

NEAR_VARIANTS = {
    "hf": (["recase", "edit", "edit+title"], [0.3, 0.4, 0.3]),
    "arxiv": (["recase", "edit", "v2"], [0.25, 0.25, 0.5]),
}
EDIT_COUNTS = ([1, 2, 3, 4, 5, 6, 7, 8], [0.3, 0.25, 0.2, 0.08, 0.06, 0.05, 0.03, 0.03])
MALFORMED = {
    "impossible-date": "arxiv",
    "bad-id": "arxiv",
    "updated-before-created": "arxiv",
    "truncated-listing": "arxiv",
    "truncated-page": "hf",
}
TRUNCATED = ("truncated-listing", "truncated-page")
PLAN_SCHEMA = pl.Schema(
    {
        "paper": pl.Int64,
        "kind": pl.String,
        "variant": pl.String,
        "format": pl.String,
        "n_edited_words": pl.Int64,
    }
)


@dataclass(frozen=True)
class Mix:
    """Shares of the records of a batch that are repeats of some kind, or malformed."""

    exact: float = 0.10
    near: float = 0.05
    cross: float = 0.05
    malformed: float = 0.005

    def counts(self, n_records: int) -> dict[str, int]:
        """Records of each kind in a batch of `n_records`; originals take the rest."""
        counts = {kind: round(n_records * share) for kind, share in self.__dict__.items()}
        return {"original": n_records - sum(counts.values()), **counts}


def plan_batch(
    rng: np.random.Generator,
    papers: pl.DataFrame,
    own: np.ndarray,
    pool: np.ndarray,
    counts: dict[str, int],
) -> pl.DataFrame:
    """Plan a batch: the first sighting of its `own` papers, and repeats drawn from `pool`."""
    formats = papers["orig_format"].to_numpy()
    bad = own[: counts["malformed"]]
    originals = own[counts["malformed"] :]
    weights = papers["popularity"].to_numpy()[pool]
    chance = weights / weights.sum()
    exact, near, cross = (
        rng.choice(pool, size=counts[kind], p=chance) for kind in ("exact", "near", "cross")
    )
    parts = [
        _rows(originals, "original", np.full(len(originals), "first"), formats[originals], 0),
        _rows(exact, "exact", np.full(len(exact), "verbatim"), formats[exact], 0),
        _near_rows(rng, near, formats[near]),
        _rows(
            cross,
            "cross",
            np.full(len(cross), "cross"),
            np.where(formats[cross] == "hf", "arxiv", "hf"),
            np.where(rng.random(len(cross)) < 0.6, 0, rng.integers(1, 4, len(cross))),
        ),
        _malformed_rows(rng, bad),
    ]
    return pl.concat(parts)


def _rows(
    paper: np.ndarray, kind: str, variant: np.ndarray, fmt: np.ndarray, edited: np.ndarray | int
) -> pl.DataFrame:
    n = len(paper)
    return pl.DataFrame(
        {
            "paper": paper,
            "kind": [kind] * n,
            "variant": variant,
            "format": fmt,
            "n_edited_words": np.broadcast_to(np.asarray(edited, dtype=np.int64), n),
        },
        schema=PLAN_SCHEMA,
    )


def _near_rows(rng: np.random.Generator, paper: np.ndarray, fmt: np.ndarray) -> pl.DataFrame:
    variant = np.empty(len(paper), dtype=object)
    for source, (names, shares) in NEAR_VARIANTS.items():
        here = fmt == source
        variant[here] = rng.choice(names, size=int(here.sum()), p=shares)
    edited = rng.choice(EDIT_COUNTS[0], size=len(paper), p=EDIT_COUNTS[1])
    edited = np.where(
        variant == "recase", 0, np.where(variant == "v2", rng.integers(0, 5, len(paper)), edited)
    )
    return _rows(paper, "near", variant.astype(str), fmt, edited)


def _malformed_rows(rng: np.random.Generator, paper: np.ndarray) -> pl.DataFrame:
    variant = rng.choice(list(MALFORMED), size=len(paper))
    fmt = np.array([MALFORMED[v] for v in variant], dtype=str)
    return _rows(paper, "malformed", variant, fmt, 0)


def render(rng: np.random.Generator, plan: pl.DataFrame, papers: pl.DataFrame) -> pl.DataFrame:
    """Add each record's `text`, `title` (papers pages only) and its listing or dump `date`."""
    rows = plan.join(papers, on="paper", how="left", maintain_order="left")
    rows = rows.with_row_index("row").update(_altered_texts(rng, rows), on="row").drop("row")
    rows = rows.with_columns(_dates(rng, rows.height))
    hf_text = (
        pl.when(pl.col("variant") == "truncated-page")
        .then("title")
        .otherwise(pl.concat_str("title", pl.lit("\n\n"), "abstract"))
    )
    arxiv_parts = [
        pl.col("abstract"),
        pl.col("comments"),
        pl.concat_str(_id_line(), pl.lit("\n"), _dates_line()),
    ]
    arxiv_text = (
        pl.when(pl.col("variant") == "truncated-listing")
        .then("abstract")
        .otherwise(pl.concat_str(arxiv_parts, separator="\n\n", ignore_nulls=True))
    )
    text = pl.when(pl.col("format") == "hf").then(hf_text).otherwise(arxiv_text)
    date = pl.when(pl.col("format") == "hf").then("listed_on").otherwise("created")
    title_shown = pl.when(pl.col("format") == "hf").then("title")
    return rows.select(
        *PLAN_SCHEMA.names(), title_shown.alias("title"), text.alias("text"), date.alias("date")
    )


def _altered_texts(rng: np.random.Generator, rows: pl.DataFrame) -> pl.DataFrame:
    """Title and abstract of the altered records (not originals or verbatim copies), by row."""
    altered = rows.with_row_index("row").filter(~pl.col("variant").is_in(["first", "verbatim"]))
    columns = altered.select("variant", "n_edited_words", "title", "abstract")
    texts = [_alter(rng, *row) for row in columns.iter_rows()]
    return altered.select("row").with_columns(
        title=pl.Series([title for title, _ in texts], dtype=pl.String),
        abstract=pl.Series([abstract for _, abstract in texts], dtype=pl.String),
    )


def _alter(
    rng: np.random.Generator, variant: str, n_words: int, title: str, abstract: str
) -> tuple[str, str]:
    """Apply a variant's change to one record's title and abstract, then its word edits."""
    if variant == "cross":
        title, abstract = edits.render_latex(title), edits.render_latex(abstract)
    elif variant == "recase":
        title = edits.recase_title(title, int(rng.integers(3)))
        abstract = edits.restyle_abstract(abstract)
    elif variant == "edit+title":
        title = edits.revise_title(title, int(rng.integers(3)))
    return title, edits.revise(abstract, n_words, rng) if n_words else abstract


def _dates(rng: np.random.Generator, n: int) -> list[pl.Expr]:
    """Listing dates (first listing within two weeks, repeats later) and v2 update dates."""
    last = pl.lit(LAST_DAY)
    after_created = pl.col("created") + pl.duration(days=pl.lit(pl.Series(rng.integers(0, 15, n))))
    later = pl.duration(days=pl.lit(pl.Series(rng.integers(1, 61, n))))
    listed = (
        pl.when(pl.col("kind").is_in(["original", "malformed"]))
        .then(after_created)
        .otherwise(after_created + later)
    )
    newest = pl.max_horizontal("created", "updated")
    v2_update = newest + pl.duration(days=pl.lit(pl.Series(rng.integers(1, 91, n))))
    backwards = pl.col("created") - pl.duration(days=pl.lit(pl.Series(rng.integers(1, 31, n))))
    updated = (
        pl.when(pl.col("variant") == "v2")
        .then(pl.min_horizontal(v2_update, last))
        .when(pl.col("variant") == "updated-before-created")
        .then(backwards)
        .otherwise("updated")
    )
    return [pl.min_horizontal(listed, last).alias("listed_on"), updated.alias("updated")]


def _id_line() -> pl.Expr:
    arxiv_id = (
        pl.when(pl.col("variant") == "bad-id")
        .then(pl.col("arxiv_id").str.replace_all(r"[./]", "x"))
        .otherwise("arxiv_id")
    )
    version = pl.when(pl.col("variant") == "v2").then(pl.lit("v2"))
    doi = pl.concat_str(pl.lit(" - doi: "), "doi")
    return pl.concat_str(pl.lit("arXiv:"), arxiv_id, version.fill_null(""), doi.fill_null(""))


def _dates_line() -> pl.Expr:
    created = pl.col("created").dt.strftime("%Y-%m-%d")
    created = (
        pl.when(pl.col("variant") == "impossible-date")
        .then(created.str.replace(r"-\d\d-", "-13-"))
        .otherwise(created)
    )
    updated = pl.concat_str(pl.lit(" Updated: "), pl.col("updated").dt.strftime("%Y-%m-%d"))
    return pl.concat_str(pl.lit("Created: "), created, updated.fill_null(""))
