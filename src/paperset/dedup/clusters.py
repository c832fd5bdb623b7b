"""Cluster sightings of the same paper: same arXiv id, same title, near-identical abstract.

Sightings are graph nodes; each matching rule adds edges; clusters are connected
components (scipy, in C). Guards: a title or abstract edge never joins two sightings
with different arXiv ids or DOIs, and a cluster that still holds two different ids
through a chain of such edges is split by dropping the weak edges that touch them.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

EDGE_SCHEMA = pl.Schema(
    {"a": pl.UInt32, "b": pl.UInt32, "rule": pl.String, "similarity": pl.Float64}
)


def exact_edges(nodes: pl.DataFrame) -> pl.DataFrame:
    """Link every sighting to the first sighting sharing its arXiv id, `title_key` (of
    `keys.title_key`) or abstract.

    An identical abstract joins whatever its length (an arXiv listing has no title, so its
    abstract is what joins it to a papers page), unless the text is boilerplate.
    """
    by_id = _star_edges(nodes, pl.col("arxiv_id"), "arxiv_id")
    by_title = _star_edges(nodes, pl.col("title_key"), "title")
    by_text = _star_edges(nodes.filter(~_boilerplate()), pl.col("text_hash"), "abstract")
    return pl.concat([by_id, by_title, by_text])


def _boilerplate() -> pl.Expr:
    """Sightings whose abstract text occurs under more than one arXiv id (a withdrawal
    notice, say): such a text is evidence of nothing, so it joins no sightings."""
    ids = pl.col("arxiv_id").drop_nulls().n_unique().over("text_hash")
    return (pl.col("text_hash").is_not_null() & (ids > 1)).fill_null(False)


def without_boilerplate_links(edges: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Drop the abstract edges that touch a boilerplate text, and repeated edges."""
    shared = nodes.filter(_boilerplate())["node"].implode()
    touches = pl.col("a").is_in(shared) | pl.col("b").is_in(shared)
    kept = edges.filter(~((pl.col("rule") == "abstract") & touches))
    return kept.unique(["a", "b"], keep="first", maintain_order=True)


def _star_edges(nodes: pl.DataFrame, key: pl.Expr, rule: str) -> pl.DataFrame:
    keyed = nodes.select("node", key.alias("key")).drop_nulls("key")
    return (
        keyed.select(pl.col("node").min().over("key").alias("a"), pl.col("node").alias("b"))
        .filter(pl.col("a") != pl.col("b"))
        .with_columns(rule=pl.lit(rule), similarity=pl.lit(1.0))
        .cast(EDGE_SCHEMA)
    )


def guard_edges(edges: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Drop weak edges between sightings whose arXiv ids or DOIs differ."""
    ids = nodes.select("node", "arxiv_id", "doi")
    joined = edges.join(ids.rename(lambda c: f"{c}_a"), left_on="a", right_on="node_a").join(
        ids.rename(lambda c: f"{c}_b"), left_on="b", right_on="node_b"
    )
    conflict = _differs("arxiv_id") | _differs("doi")
    keep = (pl.col("rule") == "arxiv_id") | ~conflict
    return joined.filter(keep).select(EDGE_SCHEMA.names())


def _differs(column: str) -> pl.Expr:
    a, b = pl.col(f"{column}_a"), pl.col(f"{column}_b")
    return (a.is_not_null() & b.is_not_null() & (a != b)).fill_null(False)


def components(n_nodes: int, edges: pl.DataFrame) -> np.ndarray:
    """Label each node with its connected component."""
    a = edges["a"].to_numpy()
    b = edges["b"].to_numpy()
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    return labels


def cluster_sightings(nodes: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """Return `node` → `cluster`, never joining two different arXiv ids or DOIs.

    A cluster that holds two ids through a chain of weak edges first loses its title
    edges (an abstract match is the more specific evidence); if it still holds two ids,
    the weak edges touching its id-bearing sightings go too.
    """
    edges = guard_edges(edges, nodes)
    labels = components(len(nodes), edges)
    for dropped in (_title_edges_among, _weak_edges_at_ids_among):
        members = _conflicted_members(nodes, labels)
        if members.is_empty():
            break
        edges = edges.filter(~dropped(members))
        labels = components(len(nodes), edges)
    return nodes.select("node").with_columns(cluster=pl.Series(labels))


def _conflicted_members(nodes: pl.DataFrame, labels: np.ndarray) -> pl.DataFrame:
    """Nodes of clusters holding more than one arXiv id or DOI, and whether each has one."""
    labelled = nodes.with_columns(cluster=pl.Series(labels))
    distinct = [pl.col(c).drop_nulls().n_unique().over("cluster") > 1 for c in ("arxiv_id", "doi")]
    return labelled.filter(pl.any_horizontal(distinct)).select(
        "node", has_id=pl.col("arxiv_id").is_not_null() | pl.col("doi").is_not_null()
    )


def _title_edges_among(members: pl.DataFrame) -> pl.Expr:
    return (pl.col("rule") == "title") & pl.col("a").is_in(members["node"].implode())


def _weak_edges_at_ids_among(members: pl.DataFrame) -> pl.Expr:
    ids = members.filter("has_id")["node"].implode()
    return (pl.col("rule") != "arxiv_id") & (pl.col("a").is_in(ids) | pl.col("b").is_in(ids))
