"""Train the topic model on real arXiv papers: labels, held-out split, balance, then the fit.

Labels: a paper's arXiv categories decide its topic where they can (`topic_label`, see
`../shared/real/MAPPING.md`); when they accept two topics, the rule classifier picks between
them, else the first (the category's own) is taken. cs.LG, cs.AI and stat.ML papers, whose
categories decide nothing, take the rule classifier's topic as a weak label when it finds
one (not `other`): the rules are what the ML sub-topics were defined by, 0.99 on the hand
labels. Papers whose cross-lists are unknown take MAPPING.md's physics and `other` labels when
their primary category gives one and the rules find no machine learning in them: "very likely
right" (MAPPING.md), and without them `other` would be mostly one kind of mathematics.
A tenth of the papers, chosen by a stable hash of the arXiv id, is never trained on;
neither are the hand-labelled papers (by title). Each topic keeps at most `per_topic` papers,
chosen by hash, so physics (35k labels) does not drown the rest.
The vocabulary and the weights are fitted in `paperset.topics.fit`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from paperset.dedup.keys import title_key
from paperset.hashing import stable_hash
from paperset.taxonomy import FALLBACK_TOPIC
from paperset.topics.assign import assign_topics
from paperset.topics.evaluate import evaluate_topics, heldout_papers, is_heldout, load_labels
from paperset.topics.fit import TrainConfig, train_model
from paperset.topics.model import TopicModel
from paperset.topics.rules import assign_topics as rule_topics

WEAK_PRIMARIES = ("cs.LG", "cs.AI", "stat.ML")
PAPER_COLUMNS = [
    "arxiv_id",
    "title",
    "abstract",
    "primary_category",
    "categories",
    "topic_label",
]
# MAPPING.md's categories for `physics` and `other` (pure mathematics, non-ML computer science).
PHYSICS_PREFIXES = (
    "astro-ph", "hep-", "gr-qc", "quant-ph", "cond-mat", "nucl-", "math-ph", "nlin", "physics.",
)  # fmt: skip
NOT_PHYSICS = ("physics.soc-ph", "physics.data-an", "physics.ed-ph", "physics.hist-ph")
_OTHER_PRIMARIES = (
    "math.AG math.NT math.CO math.GT math.DG math.AT math.RT math.QA math.RA math.GR math.AC "
    "math.CT math.KT math.LO math.SG math.MG math.GN math.OA math.FA math.CV math.CA math.HO "
    "math.GM math.PR math.AP math.SP math.DS cs.CC cs.DS cs.LO cs.FL cs.PL cs.DM cs.CG cs.CR "
    "cs.NI cs.DC cs.PF cs.AR cs.OS cs.DB cs.SE cs.HC cs.CY cs.DL cs.GT cs.MS cs.SC"
)
OTHER_PRIMARIES = _OTHER_PRIMARIES.split()


def read_papers(path: Path) -> pl.DataFrame:
    """Read the real papers with what labelling needs."""
    return pl.read_parquet(path, columns=PAPER_COLUMNS)


def with_targets(papers: pl.DataFrame) -> pl.DataFrame:
    """Add `target`: the topic a paper is trained towards, null when it has none."""
    ruled = rule_topics(papers.select("title", "abstract"))["topic"].alias("rule_topic")
    label = pl.col("topic_label")
    rule = pl.col("rule_topic")
    primary = pl.col("primary_category")
    unlisted = pl.col("categories").is_null() & label.is_null()
    physics = primary.str.starts_with(PHYSICS_PREFIXES[0])
    for prefix in PHYSICS_PREFIXES[1:]:
        physics |= primary.str.starts_with(prefix)
    physics &= ~primary.is_in(NOT_PHYSICS)
    target = (
        pl.when(label.list.len() == 1)
        .then(label.list.first())
        .when(label.list.len() > 1)
        .then(pl.when(label.list.contains(rule)).then(rule).otherwise(label.list.first()))
        .when(primary.is_in(WEAK_PRIMARIES) & (rule != FALLBACK_TOPIC))
        .then(rule)
        .when(unlisted & physics & rule.is_in(["physics", FALLBACK_TOPIC]))
        .then(pl.lit("physics"))
        .when(unlisted & primary.is_in(OTHER_PRIMARIES) & (rule == FALLBACK_TOPIC))
        .then(pl.lit(FALLBACK_TOPIC))
    )
    return papers.with_columns(ruled).with_columns(target=target).drop("rule_topic")


def training_set(papers: pl.DataFrame, hand_titles: pl.Series, config: TrainConfig) -> pl.DataFrame:
    """Papers to train on: targeted, not held out, not hand-labelled, balanced by topic."""
    hand_keys = hand_titles.to_frame("title").select(title_key(pl.col("title"))).to_series()
    keep = (
        pl.col("target").is_not_null()
        & ~is_heldout(papers["arxiv_id"])
        & ~title_key(pl.col("title")).is_in(hand_keys.drop_nulls().implode())
    )
    return balanced(papers.filter(keep), config)


def balanced(papers: pl.DataFrame, config: TrainConfig) -> pl.DataFrame:
    """Keep at most `per_topic` papers of each target, and of `other` at most `per_category`
    per primary category and of `physics` per archive, picked by a stable hash; in id order.

    `other` ("everything else") is the one topic its labels draw from very unequal sources:
    without the cap it is mostly number theory and representation theory (two source
    repositories), and non-ML computer science, a few hundred papers, lands anywhere.
    Physics labels are mostly astro-ph and cond-mat; real listings hold as much quant-ph,
    hep-th and math-ph, whose mathematical papers went to `other` (physics recall 0.90 on
    the real dumps' labelled papers) until every archive had its share.
    """
    ordered = papers.with_columns(_order=stable_hash(papers["arxiv_id"], seed=7)).sort("_order")
    archive = pl.col("primary_category").str.extract(r"^([a-z-]+)")
    stratum = (
        pl.when(pl.col("target") == FALLBACK_TOPIC)
        .then(pl.col("primary_category"))
        .when(pl.col("target") == "physics")
        .then(archive)
    )
    spread = ordered.with_columns(_stratum=stratum.fill_null(""))
    in_stratum = pl.int_range(pl.len()).over("target", "_stratum")
    spread_out = pl.col("target").is_in([FALLBACK_TOPIC, "physics"])
    capped = spread.filter((in_stratum < config.per_category) | ~spread_out)
    kept = capped.filter(pl.int_range(pl.len()).over("target") < config.per_topic)
    return kept.drop("_order", "_stratum").sort("arxiv_id")


def train_from_files(papers_path: Path, labels_path: Path, config: TrainConfig) -> TopicModel:
    """Train on the real papers at `papers_path`, never on the hand-labelled ones."""
    hand_titles = load_labels(labels_path)["title"]
    papers = with_targets(read_papers(papers_path))
    model = train_model(training_set(papers, hand_titles, config), config)
    held, labels = heldout_papers(papers_path)
    measured = evaluate_topics(assign_topics(held, model), labels)
    heldout = {
        "accuracy": measured.overall.accuracy,
        "labelled": measured.overall.labelled,
        "recall": {a.topic: a.accuracy for a in measured.per_topic},
    }
    return replace(model, info={**model.info, "heldout": heldout})
