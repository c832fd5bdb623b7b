"""Write the real-paper slices the topic tests use, and the small model trained on one.

The papers are public CC0 arXiv metadata from `../shared/real/papers.parquet` (titles,
abstracts, categories and the topic labels their categories decide; see that folder's
README.md and MAPPING.md). Run from the repository root:

    uv run python tests/data/make_topic_slices.py ../shared/real/papers.parquet

- `topics_real_heldout.parquet`: up to HELDOUT_PER_TOPIC held-out labelled papers per first
  label (never trained on), for the accuracy floors;
- `topics_real_train.parquet`: up to TRAIN_PER_TOPIC papers per training target, not held out;
- `topic_model_small.npz`: `paperset.topics.fit.SMALL` trained on that slice, which a test
  retrains.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from paperset.hashing import stable_hash
from paperset.topics.evaluate import is_heldout, load_labels
from paperset.topics.fit import SMALL, train_model
from paperset.topics.model import save_model
from paperset.topics.train import PAPER_COLUMNS, training_set, with_targets

HERE = Path(__file__).parent
HELDOUT_PER_TOPIC = 250
TRAIN_PER_TOPIC = 120


def sample(papers: pl.DataFrame, by: pl.Expr, per: int) -> pl.DataFrame:
    """Up to `per` papers per value of `by`, picked by a stable hash, in id order."""
    ordered = papers.with_columns(_o=stable_hash(papers["arxiv_id"], seed=11)).sort("_o")
    return ordered.filter(pl.int_range(pl.len()).over(by) < per).drop("_o").sort("arxiv_id")


def main(source: Path) -> None:
    papers = pl.read_parquet(source, columns=PAPER_COLUMNS)
    held = papers.filter(is_heldout(papers["arxiv_id"]) & pl.col("topic_label").is_not_null())
    sample(held, pl.col("topic_label").list.first(), HELDOUT_PER_TOPIC).select(
        "arxiv_id", "title", "abstract", "topic_label"
    ).write_parquet(HERE / "topics_real_heldout.parquet", compression_level=22)
    targeted = with_targets(papers.filter(~is_heldout(papers["arxiv_id"])))
    chosen = sample(targeted.drop_nulls("target"), pl.col("target"), TRAIN_PER_TOPIC)
    chosen.select(PAPER_COLUMNS).write_parquet(
        HERE / "topics_real_train.parquet", compression_level=22
    )
    dev = load_labels(HERE.parents[1] / "data" / "labels" / "topics_dev.json")["title"].drop_nulls()
    train = training_set(with_targets(chosen.select(PAPER_COLUMNS)), dev, SMALL)
    save_model(train_model(train, SMALL), HERE / "topic_model_small.npz")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
