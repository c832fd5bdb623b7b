"""Score a build's deduplication against the ground truth.

The build's merge index records every sighting with the paper it now belongs to
(`state.sighting_papers`: `source_file`, `line`, `paper_id`); the truth names each
generated record by the same file and line. Joined, they give:

- pair recall: of all pairs of records of one true paper, the share that ended in one paper;
- record recall: the share of repeated records that ended in the paper of their true
  paper's original record, by kind and by the only evidence that can join them (`link`:
  a shared arXiv id, a shared title key, or only the abstract: what the near-duplicate
  detector is for);
- false merges: true papers that share a built paper with another true paper, per 10,000.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from paperset.incremental.state import sighting_papers


def with_links(truth: pl.DataFrame) -> pl.DataFrame:
    """Add `link`: the strongest evidence joining a good record to another of its paper."""
    good = truth.filter(pl.col("kind") != "malformed")
    is_arxiv = pl.col("format") == "arxiv"
    return good.with_columns(
        link=pl.when(pl.len().over("true_paper") == 1)
        .then(pl.lit("single"))
        .when(is_arxiv & (is_arxiv.sum().over("true_paper") >= 2))
        .then(pl.lit("id"))
        .when(~is_arxiv & (pl.len().over("true_paper", "title_key") >= 2))
        .then(pl.lit("title"))
        .otherwise(pl.lit("abstract"))
    )


def load_assignments(out_dir: Path) -> pl.DataFrame:
    """The built paper of every stored sighting: `file`, `line`, `paper_id`."""
    return sighting_papers(out_dir).select(pl.col("source_file").alias("file"), "line", "paper_id")


def dedup_quality(truth: pl.DataFrame, assigned: pl.DataFrame) -> dict[str, Any]:
    """Every figure of the module docstring, plus bookkeeping checks that should be zero."""
    scored = with_links(truth).join(assigned, on=["file", "line"], how="left")
    original = scored.filter(pl.col("kind") == "original").select(
        "true_paper", reference="paper_id"
    )
    scored = scored.join(original, on="true_paper", how="left").with_columns(
        recalled=(pl.col("paper_id") == pl.col("reference")).fill_null(False)
    )
    repeats = scored.filter(pl.col("kind") != "original")
    near = repeats.filter(pl.col("link") == "abstract")
    return {
        "checks": _checks(truth, assigned, scored),
        "true_papers": scored["true_paper"].n_unique(),
        "built_papers": scored["paper_id"].drop_nulls().n_unique(),
        "pair_recall": _pair_recall(scored.drop_nulls("paper_id")),
        "near_dup_recall": _share(near),
        "near_dup_recall_le3_words": _share(near.filter(pl.col("n_edited_words") <= 3)),
        "near_dup_records": near.height,
        "recall_by_kind": _recall_by(repeats, "kind"),
        "recall_by_link": _recall_by(repeats, "link"),
        "recall_by_edited_words": _recall_by(near, "n_edited_words"),
        **_false_merges(scored.drop_nulls("paper_id")),
    }


def _share(records: pl.DataFrame) -> float | None:
    if records.is_empty():
        return None
    return round(float(records.select(pl.col("recalled").mean()).item()), 5)


def _recall_by(records: pl.DataFrame, column: str) -> dict[str, dict[str, float | int]]:
    groups = records.group_by(column).agg(
        pl.len().alias("records"), pl.col("recalled").mean().round(5)
    )
    return {
        str(row[column]): {"records": row["records"], "recall": row["recalled"]}
        for row in groups.sort(column).iter_rows(named=True)
    }


def _pair_recall(scored: pl.DataFrame) -> float | None:
    pairs = (pl.len() * (pl.len() - 1) / 2).alias("pairs")
    true_pairs = float(scored.group_by("true_paper").agg(pairs)["pairs"].sum())
    found = float(scored.group_by("true_paper", "paper_id").agg(pairs)["pairs"].sum())
    return round(found / true_pairs, 5) if true_pairs else None


def _false_merges(scored: pl.DataFrame) -> dict[str, Any]:
    """True papers sharing a built paper with another true paper; and the merges in excess."""
    per_paper = scored.group_by("paper_id").agg(pl.col("true_paper").n_unique().alias("n_true"))
    impure = per_paper.filter(pl.col("n_true") > 1)
    merged = scored.join(impure, on="paper_id", how="semi")["true_paper"].n_unique()
    n_true = scored["true_paper"].n_unique()
    return {
        "false_merged_papers": merged,
        "false_merges_per_10k": round(merged / n_true * 10_000, 3) if n_true else None,
        "impure_built_papers": impure.height,
        "excess_merges": int(impure["n_true"].sum() - impure.height),
    }


def _checks(truth: pl.DataFrame, assigned: pl.DataFrame, scored: pl.DataFrame) -> dict[str, int]:
    """Good records the build lost, bad ones it accepted, sightings the truth does not know."""
    malformed = truth.filter(pl.col("kind") == "malformed")
    return {
        "good_records_not_in_sightings": scored["paper_id"].null_count(),
        "malformed_records_accepted": malformed.join(
            assigned, on=["file", "line"], how="semi"
        ).height,
        "sightings_not_in_truth": assigned.join(truth, on=["file", "line"], how="anti").height,
    }
