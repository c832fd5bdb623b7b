"""The card's "How it was built": sources, deduplication, topics and validation.

Thresholds and the taxonomy are read from the modules that apply them, so the card cannot drift
from the code.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from paperset.dedup import minhash
from paperset.dedup.shingles import SHINGLE_WORDS
from paperset.release.markdown import percent, table
from paperset.release.stats import ReleaseStats
from paperset.schema import EARLIEST_DATE
from paperset.taxonomy import TAXONOMY_VERSION, taxonomy_table_markdown
from paperset.topics import assign as topics
from paperset.topics.evaluate import TopicEvaluation


def sources(stats: ReleaseStats, run_report: dict[str, Any]) -> str:
    """Where the records come from and what the last build made of them."""
    records = run_report.get("records", {})
    run = (
        f" The last build run that changed the dataset read {records['read']} records from new "
        f"or changed files: {records['accepted']} accepted, {records['quarantined']} quarantined."
        if records
        else ""
    )
    return (
        "### Sources\n\nRaw text dumps of two kinds, told apart by their content: **hf-papers** "
        "(a Hugging Face daily papers page copied as text: titles, abstracts and a listing "
        "date) and **arxiv-listing** (arXiv listings: abstract, comment lines, arXiv id and "
        f"DOI, created and updated dates). This release draws on {stats.source_files} raw "
        f"files.{run} Text is cleaned: Unicode NFC, runs of whitespace collapsed, LaTeX accent "
        "and escape macros decoded, math left as written."
    )


def deduplication(stats: ReleaseStats) -> str:
    """The merge rules and their thresholds."""
    return f"""### Deduplication

The dumps repeat papers across pages, days and formats. Two sightings are one paper when they
share an **arXiv id** (no version suffix), the same **normalised title** (NFKC, lower case,
letters and digits only), or **near-identical abstracts**: word {SHINGLE_WORDS}-gram shingles,
MinHash LSH with {minhash.BANDS} bands of {minhash.ROWS} rows, every candidate pair verified by
exact Jaccard similarity >= {minhash.THRESHOLD}; abstracts under {minhash.MIN_WORDS} words never
pair, and LSH buckets of more than {minhash.MAX_BUCKET} texts are dropped as boilerplate.
Sightings with different arXiv ids or different DOIs are never merged. The merged paper takes
ids, dates and comments from arXiv sightings and its text from the most recent sighting.
In this release {stats.sightings} sightings were merged into {stats.papers} papers;
`n_sightings`, `sources` and `aliases` keep the trail."""


def taxonomy() -> str:
    """The topic slugs and their scope, and how a paper gets one."""
    model = topics.shipped_model()
    heldout = model.info.get("heldout", {})
    measured = (
        f" On {heldout['labelled']:,} held-out real arXiv papers whose categories decide "
        f"the topic (never trained on), the model scored {percent(heldout['accuracy'])} when "
        "it was trained."
        if heldout
        else ""
    )
    return (
        f"### Topics\n\nEach paper has one primary `topic` from this taxonomy (version "
        f"{TAXONOMY_VERSION}), chosen by a linear model over {len(model.terms):,} words and "
        f"word pairs of its title (x{model.title_weight:g}) and abstract, trained on real arXiv "
        f"papers (model `{model.fingerprint()}`); `topic_score` is its probability. Up to "
        f"{topics.MAX_SECONDARY} `secondary_topics` have a probability of "
        f"{topics.SECONDARY_MIN:g} or more, and `topic_evidence` lists the terms that weighed "
        f"most.{measured}\n\n{taxonomy_table_markdown()}"
    )


def accuracy(evaluation: TopicEvaluation | None, labels: str | None) -> str:
    """The measured topic accuracy, per topic, and where it comes from."""
    if evaluation is None:
        return "Topic accuracy was not measured for this release: no labels file was available."
    overall = evaluation.overall
    rows = pl.DataFrame(
        [
            (f"`{a.topic}`", a.labelled, a.correct, percent(a.accuracy))
            for a in evaluation.per_topic
        ],
        schema=["expected topic", "labelled", "correct", "accuracy"],
        orient="row",
    )
    return (
        f"**Measured accuracy: {percent(overall.accuracy)}** ({overall.correct} of "
        f"{overall.labelled} hand-labelled papers). Computed at publish time by joining this "
        f"release's papers to the labels in `{labels}` (a paper counts as right when its topic "
        "is one the labeller accepts as primary); "
        f"{len(evaluation.missing)} labelled papers are not in this release. These labels were "
        "never trained on, but the rules that gave the model its weak labels for machine-"
        "learning papers were written with them in view.\n\n" + table(rows)
    )


def validation(stats: ReleaseStats, schema_version: str) -> str:
    """How rows were checked, and what was quarantined instead."""
    quarantined = (
        "Nothing was quarantined."
        if stats.quarantine.is_empty()
        else "Distinct quarantined entries across all build runs:\n\n" + table(stats.quarantine)
    )
    return (
        "### Validation\n\nEvery row passed the pandera model `paperset.schema.Paper` when it "
        "was committed and again when this release was made: column types and nullability, "
        f"unique `paper_id`, arXiv id pattern, dates between {EARLIEST_DATE} and the build day, "
        "`updated` not before `published`, `topic` in the taxonomy. Before export the dataset's "
        f"files were checked against their sha256 manifest (schema version `{schema_version}`)."
        "\n\nRecords and files that cannot be parsed are kept aside with a reason, never dropped "
        f"silently. {quarantined}"
    )
