"""Measure a built dataset against the truth of a real development set.

The truth (`truth.parquet`, one row per raw record; `truth_papers.parquet`, one row per
paper, see `../shared/real/README.md`) names the paper every raw record belongs to and the
row a correct run makes of it. Records are matched to the truth by their order in their
file, sightings to papers through the merge index, and each true paper to the output row
holding most of its records. Text is compared after paperset's own cleaning and a case
and whitespace fold on both sides, since the truth gives text as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from paperset.incremental.state import sighting_papers
from paperset.ingest.clean import clean_text
from paperset.ingest.quarantine import QUARANTINE_DIR
from paperset.storage import read_papers

FIELDS = ("paper_id", "title", "published", "updated", "listed_on", "doi", "sources", "n_sightings")


@dataclass(frozen=True)
class RealEvaluation:
    """Counts of a run against the truth; every `*_wrong` and error count should be 0."""

    records_true: int
    records_read: int
    records_accepted: int
    records_quarantined: int
    valid_quarantined: int
    files_miscounted: int
    papers_true: int
    papers_out: int
    papers_split: int
    rows_merging_papers: int
    wrong_abstract: int
    topics_labelled: int = 0
    topic_accuracy: float | None = None
    field_agreement: dict[str, float] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)


def fold(text: pl.Expr) -> pl.Expr:
    """Text as paperset cleans it, case-folded, for comparing with text as written."""
    return clean_text(text).str.to_lowercase()


def evaluate_real(out_dir: Path, truth_dir: Path) -> RealEvaluation:
    """Compare the dataset in `out_dir` with the truth in `truth_dir`."""
    truth = pl.read_parquet(truth_dir / "truth.parquet")
    truth_papers = pl.read_parquet(truth_dir / "truth_papers.parquet")
    records = _records(out_dir)
    placed = _placed(records, truth)
    papers = read_papers(out_dir)
    owner = _owners(placed)
    compared = _compare(truth_papers, owner, papers)
    accepted = records.filter(pl.col("paper_id").is_not_null())
    per_file = records.group_by(source_file="source_file").len("read")
    expected = truth.group_by(source_file="file").len("true")
    return RealEvaluation(
        records_true=truth.height,
        records_read=records.height,
        records_accepted=accepted.height,
        records_quarantined=records.height - accepted.height,
        valid_quarantined=placed.filter(
            pl.col("paper_id").is_null() & pl.col("arxiv_id").is_not_null()
        ).height,
        files_miscounted=expected.join(per_file, on="source_file", how="full", coalesce=True)
        .filter(pl.col("read").fill_null(0) != pl.col("true").fill_null(0))
        .height,
        papers_true=truth_papers.height,
        papers_out=papers.height,
        papers_split=_split(placed).height,
        rows_merging_papers=_mixed(placed).height,
        wrong_abstract=compared.filter(~pl.col("abstract_ok")).height,
        **_topics(compared),
        field_agreement=_agreement(compared),
        examples=_examples(compared, placed),
    )


def expected_papers(truth: pl.DataFrame) -> pl.DataFrame:
    """The row a correct run makes of each paper of `truth` records (CONTRACT sections 3-4).

    `truth_papers.parquet` holds the same for the whole set; this derives it for any slice
    of the files, whose papers have fewer sightings.
    """
    listing = pl.col("format") == "arxiv-listing"
    newest_first = pl.col("listed_on").rank("ordinal", descending=True)
    return (
        truth.group_by("arxiv_id")
        .agg(
            expect_arxiv_id=pl.when(listing.any()).then(pl.col("arxiv_id").first()),
            expect_title=pl.col("title_shown").sort_by(newest_first).drop_nulls().first(),
            expect_published=pl.col("created_shown").min(),
            expect_updated=pl.col("updated_shown").max(),
            expect_listed_on=pl.col("listed_on").min(),
            expect_doi=pl.col("doi_shown").drop_nulls().first(),
            expect_n_sightings=pl.len().cast(pl.Int64),
            expect_sources=pl.col("file").unique().sort(),
            written_abstract=pl.col("abstract_written").first(),
        )
        .with_columns(expect_paper_id=pl.lit("arxiv:") + pl.col("expect_arxiv_id"))
        .sort("arxiv_id")
    )


def _records(out_dir: Path) -> pl.DataFrame:
    """Every record the run read: `source_file`, `line`, `paper_id` (null if quarantined)."""
    accepted = sighting_papers(out_dir).select("source_file", "line", "paper_id")
    quarantine = out_dir / QUARANTINE_DIR
    rejected = (
        pl.read_parquet(sorted(quarantine.glob("*.parquet")))
        .filter(pl.col("level") == "record")
        .select("source_file", "line", paper_id=pl.lit(None, pl.String))
        if any(quarantine.glob("*.parquet"))
        else pl.DataFrame(schema=accepted.schema)
    )
    return pl.concat([accepted, rejected]).with_columns(
        record_index=pl.col("line").rank("ordinal").over("source_file").cast(pl.Int64) - 1
    )


def _placed(records: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Each record read with the true paper at its place in its file (null if none)."""
    return records.join(
        truth.select(source_file="file", record_index="record_index", arxiv_id="arxiv_id"),
        on=["source_file", "record_index"],
        how="left",
    )


def _owners(placed: pl.DataFrame) -> pl.DataFrame:
    """The output row holding most records of each true paper: `arxiv_id`, `paper_id`."""
    counted = placed.drop_nulls(["paper_id", "arxiv_id"]).group_by("arxiv_id", "paper_id").len()
    return counted.sort("arxiv_id", "len", "paper_id", descending=[False, True, False]).unique(
        "arxiv_id", keep="first", maintain_order=True
    )


def _split(placed: pl.DataFrame) -> pl.DataFrame:
    rows = placed.drop_nulls(["paper_id", "arxiv_id"]).group_by("arxiv_id")
    return rows.agg(pl.col("paper_id").n_unique().alias("rows")).filter(pl.col("rows") > 1)


def _mixed(placed: pl.DataFrame) -> pl.DataFrame:
    papers = placed.drop_nulls(["paper_id", "arxiv_id"]).group_by("paper_id")
    return papers.agg(pl.col("arxiv_id").n_unique().alias("papers")).filter(pl.col("papers") > 1)


def _compare(truth_papers: pl.DataFrame, owner: pl.DataFrame, papers: pl.DataFrame) -> pl.DataFrame:
    """One row per true paper with `<field>_ok` for each field of its output row."""
    out = papers.select(
        "paper_id",
        "topic",
        "title",
        "abstract",
        "published",
        "updated",
        "listed_on",
        "doi",
        "sources",
        "n_sightings",
    ).rename(lambda c: f"out_{c}")
    joined = truth_papers.join(owner, on="arxiv_id", how="left").join(
        out, left_on="paper_id", right_on="out_paper_id", how="left"
    )
    same = _same
    return joined.with_columns(
        abstract_ok=same(fold(pl.col("written_abstract")), fold(pl.col("out_abstract"))),
        title_ok=same(fold(pl.col("expect_title")), fold(pl.col("out_title"))),
        paper_id_ok=pl.when(pl.col("expect_paper_id").is_null())
        .then(pl.col("paper_id").is_not_null() & ~pl.col("paper_id").str.starts_with("arxiv:"))
        .otherwise(same(pl.col("expect_paper_id"), pl.col("paper_id"))),
        published_ok=same(pl.col("expect_published"), pl.col("out_published")),
        updated_ok=same(pl.col("expect_updated"), pl.col("out_updated")),
        listed_on_ok=same(pl.col("expect_listed_on"), pl.col("out_listed_on")),
        doi_ok=same(pl.col("expect_doi"), pl.col("out_doi")),
        sources_ok=same(pl.col("expect_sources").list.sort(), pl.col("out_sources").list.sort()),
        n_sightings_ok=same(pl.col("expect_n_sightings"), pl.col("out_n_sightings")),
    )


def _topics(compared: pl.DataFrame) -> dict[str, Any]:
    """How many papers the truth labels with acceptable topics, and the share whose row
    has one of them (`topic_label` comes from arXiv categories, see MAPPING.md)."""
    if "topic_label" not in compared.columns:
        return {}
    labelled = compared.filter(pl.col("topic_label").list.len() > 0)
    right = labelled.filter(
        pl.col("topic_label").list.contains(pl.col("out_topic")).fill_null(False)
    )
    share = right.height / labelled.height if labelled.height else None
    return {"topics_labelled": labelled.height, "topic_accuracy": share}


def _agreement(compared: pl.DataFrame) -> dict[str, float]:
    names = ("abstract", *FIELDS)
    shares = compared.select(pl.col(f"{n}_ok").cast(pl.Float64).mean() for n in names).row(0)
    return {name: share or 0.0 for name, share in zip(names, shares, strict=True)}


def _same(expected: pl.Expr, got: pl.Expr) -> pl.Expr:
    """Equal, nulls equal to nulls (a missing output row agrees with nothing)."""
    return expected.eq_missing(got).fill_null(False)


def _examples(compared: pl.DataFrame, placed: pl.DataFrame, limit: int = 5) -> dict[str, list[str]]:
    """A few true papers behind each kind of error, to start a diagnosis from."""
    examples = {
        f"{name} wrong": compared.filter(~pl.col(f"{name}_ok"))["arxiv_id"].head(limit).to_list()
        for name in ("abstract", *FIELDS)
    }
    examples["split"] = _split(placed)["arxiv_id"].sort().head(limit).to_list()
    examples["merging several"] = _mixed(placed)["paper_id"].sort().head(limit).to_list()
    quarantined = placed.filter(pl.col("paper_id").is_null() & pl.col("arxiv_id").is_not_null())
    where = quarantined.head(limit).select(pl.format("{}:{}", "source_file", "line"))
    examples["valid quarantined"] = where.to_series().to_list()
    return {kind: ids for kind, ids in examples.items() if ids}
