"""Why a paper is what and where it is: its topic scores and evidence, its sightings, its merges."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from paperset.errors import PaperNotFound
from paperset.incremental.state import sighting_papers
from paperset.storage import read_papers
from paperset.storage.layout import RUNS_DIR
from paperset.topics.assign import shipped_model, topic_probabilities
from paperset.topics.model import TopicModel, term_matrix

EXPLAINED_TERMS = 8


@dataclass(frozen=True)
class Explanation:
    """A paper's row, its probability per topic, the terms behind its topic, and its history."""

    paper: dict[str, Any]
    scores: list[tuple[str, float]]  # every topic, most probable first
    terms: list[tuple[str, float]]  # the terms that weighed most for `topic`, with their weight
    sightings: pl.DataFrame  # source_file, line
    merges: pl.DataFrame  # run_id, rule, similarity, source_file_a, line_a, source_file_b, line_b


def find_paper(papers: pl.DataFrame, wanted: str) -> dict[str, Any]:
    """Find a paper by `paper_id`, arXiv id (with or without `arxiv:`) or former id."""
    arxiv_id = wanted.removeprefix("arxiv:")
    match = papers.filter(
        (pl.col("paper_id") == wanted)
        | (pl.col("arxiv_id") == arxiv_id)
        | pl.col("aliases").list.contains(wanted)
    )
    if match.is_empty():
        raise PaperNotFound(f"no paper {wanted!r} in the dataset")
    return match.row(0, named=True)


def weighed_terms(model: TopicModel, paper: dict[str, Any], topic: str) -> list[tuple[str, float]]:
    """Return the paper's terms that weighed most for `topic`: feature value times weight."""
    one = pl.DataFrame([paper]).select("title", "abstract")
    features = term_matrix(model, one["title"], one["abstract"])
    features.sum_duplicates()
    weights = features.data * model.weights[features.indices, model.topics.index(topic)]
    ranked = sorted(zip(features.indices, weights, strict=True), key=lambda t: (-t[1], t[0]))
    return [(model.terms[i], float(w)) for i, w in ranked[:EXPLAINED_TERMS] if w > 0]


def run_merges(out_dir: Path, paper_id: str) -> pl.DataFrame:
    """Every merge a run recorded inside the paper, with the run that made it."""
    frames = [
        pl.read_parquet(path)
        .filter(pl.col("paper_id") == paper_id)
        .select(pl.lit(path.parent.name).alias("run_id"), pl.exclude("paper_id"))
        for path in sorted((out_dir / RUNS_DIR).glob("*/merges.parquet"))
    ]
    return pl.concat(frames) if frames else pl.DataFrame()


def explain_paper(out_dir: Path, wanted: str, model: TopicModel | None = None) -> Explanation:
    """Gather what the dataset and the classifier know about one paper."""
    model = shipped_model() if model is None else model
    paper = find_paper(read_papers(out_dir), wanted)
    one = pl.DataFrame([paper]).select("title", "abstract")
    probs = topic_probabilities(model, term_matrix(model, one["title"], one["abstract"]))[0]
    scores = sorted(zip(model.topics, probs.tolist(), strict=True), key=lambda s: -s[1])
    sightings = sighting_papers(out_dir).filter(pl.col("paper_id") == paper["paper_id"])
    return Explanation(
        paper=paper,
        scores=scores,
        terms=weighed_terms(model, paper, paper["topic"]),
        sightings=sightings.select("source_file", "line").sort("source_file", "line"),
        merges=run_merges(out_dir, paper["paper_id"]),
    )


def format_explanation(explained: Explanation) -> str:
    """Render an explanation as plain text."""
    paper = explained.paper
    lines = [
        f"{paper['paper_id']}: {paper['title'] or '(no title)'}",
        f"topic: {paper['topic']} ({paper['topic_score']:.3f})",
        # Null in files written before the column existed, until the next build rewrites them.
        f"evidence: {', '.join(paper['topic_evidence'] or []) or '(none)'}",
        "",
        "topic scores (the shipped model, now):",
        *(f"  {slug:<28}{p:>7.3f}" for slug, p in explained.scores if p >= 0.001),
        "",
        f"terms that weighed for {paper['topic']} (feature x weight):",
        *(f"  {term:<28}{w:>+7.3f}" for term, w in explained.terms),
        "",
        f"sightings ({explained.sightings.height}):",
        *(f"  {file}:{line}" for file, line in explained.sightings.iter_rows()),
        "",
        f"merges ({explained.merges.height}):",
    ]
    if explained.scores[0][0] != paper["topic"]:
        lines.insert(3, "note: the shipped model now prefers another topic; the dataset was ")
        lines.insert(4, "      classified by another model, and the next build re-classifies it")
    for merge in explained.merges.iter_rows(named=True):
        lines.append(
            f"  {merge['rule']} ({merge['similarity']:.2f}): {merge['source_file_a']}:"
            f"{merge['line_a']} = {merge['source_file_b']}:{merge['line_b']}"
            f"  [run {merge['run_id']}]"
        )
    return "\n".join(lines)
