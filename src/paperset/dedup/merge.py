"""The merge stage: sightings in, one row per paper out, with an audit of every merge."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from paperset.dedup.clusters import (
    EDGE_SCHEMA,
    cluster_sightings,
    exact_edges,
    without_boilerplate_links,
)
from paperset.dedup.keys import title_key
from paperset.dedup.minhash import keyed_by_text
from paperset.dedup.pairs import near_duplicate_pairs
from paperset.dedup.survivorship import (
    assign_paper_ids,
    carry_aliases,
    keep_ingested_at,
    merge_clusters,
    with_abstracts,
)
from paperset.storage.fsio import atomic_write_parquet
from paperset.storage.layout import Layout
from paperset.storage.spill import Texts


@dataclass(frozen=True)
class MergeResult:
    """Papers (before topics), the paper id of each sighting, and the merges made."""

    papers: pl.DataFrame
    sighting_paper_ids: pl.Series
    merges: pl.DataFrame
    cut_links: pl.DataFrame  # near-identical abstracts left in different papers by a guard

    def without_papers(self) -> MergeResult:
        """This result once its papers are handed on, so their rows can be freed."""
        return replace(self, papers=self.papers.clear())


def merge_duplicates(
    sightings: pl.DataFrame,
    previous: pl.DataFrame,
    *,
    near_duplicates: bool = True,
    bands: pl.DataFrame | None = None,
    oversized: pl.Series | None = None,
    sketches: pl.DataFrame | None = None,
    texts: Texts | None = None,
    near_edges: pl.DataFrame | None = None,
) -> MergeResult:
    """Cluster sightings into papers and build each paper field by field.

    `sightings` must be in a deterministic order (the store keeps them sorted). They hold
    their `abstract`, or its `text_hash` and `texts` to read it from;
    `previous` is the committed dataset, for the aliases of papers whose id changes.
    `bands`, `oversized` and `sketches` are what is known of the texts already (see
    `pairs.near_duplicate_pairs`). `near_edges`, from `near_duplicate_edges` on the same
    sightings, are used instead of finding them here: the caller can then free the bands
    before the papers are built.
    """
    sightings, texts = keyed_by_text(sightings, texts)
    # The title key is made once: the title edges and each paper's identity both need it.
    nodes = sightings.with_row_index("node").with_columns(title_key=title_key(pl.col("title")))
    edges = exact_edges(nodes)
    if near_duplicates:
        if near_edges is None:
            near_edges = near_duplicate_edges(
                sightings, bands=bands, oversized=oversized, sketches=sketches, texts=texts
            )
        edges = pl.concat([edges, near_edges])
    edges = without_boilerplate_links(edges, nodes)
    clusters = cluster_sightings(nodes, edges)
    clustered = nodes.with_columns(cluster=clusters["cluster"])
    # In paper order before the abstracts join them: they are never copied by a sort.
    papers = assign_paper_ids(merge_clusters(clustered)).sort("paper_id")
    papers = with_abstracts(papers, texts)
    papers = keep_ingested_at(carry_aliases(papers, previous), previous)
    paper_ids = clustered.join(papers.select("cluster", "paper_id"), on="cluster", how="left")
    return MergeResult(
        papers, paper_ids["paper_id"], _audit(edges, paper_ids), _cut_links(edges, paper_ids)
    )


def near_duplicate_edges(
    sightings: pl.DataFrame,
    *,
    bands: pl.DataFrame | None,
    oversized: pl.Series | None,
    sketches: pl.DataFrame | None,
    texts: Texts,
) -> pl.DataFrame:
    """The `abstract` edges (EDGE_SCHEMA) between sightings (with `text_hash`), numbered by
    their row, whose abstracts are near duplicates (see `pairs.near_duplicate_pairs`)."""
    pairs = near_duplicate_pairs(
        sightings.select("text_hash").with_row_index("node"),
        bands=bands,
        oversized=oversized,
        sketches=sketches,
        texts=texts,
    )
    return pairs.with_columns(rule=pl.lit("abstract")).select(EDGE_SCHEMA.names()).cast(EDGE_SCHEMA)


def _audit(edges: pl.DataFrame, paper_ids: pl.DataFrame) -> pl.DataFrame:
    """One row per edge that ended inside a paper: which sightings, which rule, how similar."""
    where = paper_ids.select("node", "paper_id", "source_file", "line")
    return (
        _with_ends(edges, where)
        .filter(pl.col("paper_id_a") == pl.col("paper_id_b"))
        .select(
            pl.col("paper_id_a").alias("paper_id"),
            "rule",
            "similarity",
            "source_file_a",
            "line_a",
            "source_file_b",
            "line_b",
        )
        .sort("paper_id", "rule", "source_file_a", "line_a", "source_file_b", "line_b")
    )


def _with_ends(edges: pl.DataFrame, where: pl.DataFrame) -> pl.DataFrame:
    """Add to each edge the columns of `where` for its two ends, suffixed `_a` and `_b`."""
    return edges.join(where.rename(lambda c: f"{c}_a"), left_on="a", right_on="node_a").join(
        where.rename(lambda c: f"{c}_b"), left_on="b", right_on="node_b"
    )


LINKS = pl.Schema({"text_a": pl.UInt64, "text_b": pl.UInt64})


def _cut_links(edges: pl.DataFrame, paper_ids: pl.DataFrame) -> pl.DataFrame:
    """Abstract links between sightings that ended in different papers, by their texts.

    The merge index keeps them: they are the only links between papers that no shared key
    or paper records, and a later run must re-merge both papers if it re-merges one.
    """
    where = paper_ids.select("node", "paper_id")
    cut = _with_ends(edges.filter(pl.col("rule") == "abstract"), where).filter(
        pl.col("paper_id_a") != pl.col("paper_id_b")
    )
    ends = pl.concat([cut["a"], cut["b"]]).unique().implode()
    texts = paper_ids.filter(pl.col("node").is_in(ends)).select("node", "text_hash")
    return (
        cut.join(texts.rename({"node": "a", "text_hash": "text_a"}), on="a")
        .join(texts.rename({"node": "b", "text_hash": "text_b"}), on="b")
        .select(
            text_a=pl.min_horizontal("text_a", "text_b"),
            text_b=pl.max_horizontal("text_a", "text_b"),
        )
        .unique()
        .cast(LINKS)
    )


def write_merges(out_dir: Path, run_id: str, merges: pl.DataFrame) -> Path:
    """Keep the run's merge audit as `runs/<run_id>/merges.parquet`."""
    path = Layout(out_dir).merges(run_id)
    atomic_write_parquet(path, merges)
    return path
