"""The rule classifier: topics from the field's vocabulary (`taxonomy.py`), as weak labels.

It classified the dataset until the learned model (`topics.py`) replaced it; it now labels the
cs.LG, cs.AI and stat.ML papers whose arXiv categories decide no topic, for training
(`topic_train.py`). It scores 0.99 on the hand labels it was written against but 0.66 on real
arXiv listings, where most papers are physics or mathematics.

Matching is one Aho-Corasick pass per text field (`str.extract_many`, ASCII case-insensitive) over
a normalised copy of the text: every run of non-alphanumerics becomes two spaces and the whole is
padded, so a pattern such as ` kv  cache ` matches whole words only. Two spaces per separator let
consecutive words both match, since a match consumes the space it ends with. Each distinct signal
counts once per field; title signals weigh TITLE_WEIGHT times abstract signals. A primary topic
needs MIN_SCORE of evidence, else the paper falls back to `other` with a score of 0.0
(`topic_scores` still shows the weak evidence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import polars as pl

from paperset.taxonomy import FALLBACK_TOPIC, TAXONOMY
from paperset.threads import parallel_map
from paperset.topic_signals import Topic

TITLE_WEIGHT = 3.0
MIN_SCORE = 4.0
SECONDARY_SHARE = 0.3
MAX_SECONDARY = 2

SCORED_TOPICS: tuple[Topic, ...] = tuple(t for t in TAXONOMY if t.slug != FALLBACK_TOPIC)


def term_patterns(term: str) -> tuple[str, ...]:
    """Return the literal patterns that match one spelling of a signal in normalised text."""
    words = [w for w in re.split(r"[^a-z0-9]+", term.lower()) if w]
    body = " " + "  ".join(words)
    return (body,) if term.endswith("*") else (body + " ", body + "s ")


def signal_patterns(signal: str) -> tuple[str, ...]:
    """Return the patterns of every synonym of a signal (`llm|large language model`)."""
    return tuple(p for term in signal.split("|") for p in term_patterns(term.strip()))


def pattern_signals(topics: Iterable[Topic]) -> dict[str, str]:
    """Map each pattern to its signal, refusing a pattern claimed by two different signals."""
    owner: dict[str, str] = {}
    for topic in topics:
        for signal, _ in topic.signals():
            for pattern in signal_patterns(signal):
                if owner.setdefault(pattern, signal) != signal:
                    raise ValueError(f"{pattern!r} is in both {owner[pattern]!r} and {signal!r}")
    return owner


SIGNAL_OF = pattern_signals(SCORED_TOPICS)
# Longest first: among matches starting at one position, the most specific signal wins.
PATTERNS = sorted(SIGNAL_OF, key=lambda p: (-len(p), p))
WEIGHTS = {t.slug: dict(t.signals()) for t in SCORED_TOPICS}


def normalised_text(text: pl.Expr) -> pl.Expr:
    """Pad the text and turn every run of non-alphanumerics into two spaces."""
    spaced = text.str.replace_all(r"[^\p{L}\p{N}]+", "  ")
    return pl.concat_str(pl.lit("  "), spaced, pl.lit("  "))


def matched_signals(text: pl.Expr) -> pl.Expr:
    """List the distinct signals found in a text column (empty for null text)."""
    normalised = normalised_text(text)
    found = normalised.str.extract_many(PATTERNS, ascii_case_insensitive=True, leftmost=True)
    signals = found.list.eval(pl.element().str.to_lowercase().replace_strict(SIGNAL_OF))
    return signals.list.unique().fill_null([])


def field_score(signals: pl.Expr, slug: str) -> pl.Expr:
    """Sum the weights of a topic's signals among the matched ones."""
    weights = pl.element().replace_strict(WEIGHTS[slug], default=0.0, return_dtype=pl.Float64)
    return signals.list.eval(weights).list.sum()


def raw_score(slug: str) -> pl.Expr:
    """Score one topic: weighted title evidence plus abstract evidence."""
    title = field_score(pl.col("_title_signals"), slug)
    abstract = field_score(pl.col("_abstract_signals"), slug)
    return (TITLE_WEIGHT * title + abstract).alias(f"_raw_{slug}")


def positive(score: pl.Expr) -> pl.Expr:
    """Clip a score at 0.0, also turning the -0.0 of an empty sum into 0.0."""
    return pl.when(score > 0.0).then(score).otherwise(0.0)


def topic_scores(papers: pl.DataFrame) -> pl.DataFrame:
    """Add `topic_scores`, a struct of every scored topic's evidence (Float64), by slug."""
    signals = papers.with_columns(
        matched_signals(pl.col("title")).alias("_title_signals"),
        matched_signals(pl.col("abstract")).alias("_abstract_signals"),
    )
    # Raw scores first, in their own step: clipping them inline runs several times slower.
    raw = signals.with_columns(raw_score(t.slug) for t in SCORED_TOPICS)
    scores = [positive(pl.col(f"_raw_{t.slug}")).alias(t.slug) for t in SCORED_TOPICS]
    helpers = ["_title_signals", "_abstract_signals", *(f"_raw_{t.slug}" for t in SCORED_TOPICS)]
    return raw.with_columns(pl.struct(scores).alias("topic_scores")).drop(helpers)


def strongest(scores: Mapping[str, pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
    """Return the slug and score of the best topic; ties go to the first in taxonomy order."""
    best = pl.max_horizontal(list(scores.values()))
    slug = pl.coalesce([pl.when(s == best).then(pl.lit(k)) for k, s in scores.items()])
    return slug, best


def excluding(scores: Mapping[str, pl.Expr], taken: list[pl.Expr]) -> dict[str, pl.Expr]:
    """Null out the scores of topics already taken at a higher rank."""
    free = {k: pl.all_horizontal([pl.lit(True), *(t != k for t in taken)]) for k in scores}
    return {k: pl.when(free[k]).then(s) for k, s in scores.items()}


def rank_topics(scored: pl.DataFrame) -> pl.DataFrame:
    """Add `_slug_<r>` and `_score_<r>` for the best 1 + MAX_SECONDARY topics, best first."""
    scores = {t.slug: pl.col("topic_scores").struct.field(t.slug) for t in SCORED_TOPICS}
    taken: list[pl.Expr] = []
    for rank in range(1 + MAX_SECONDARY):
        slug, score = strongest(excluding(scores, taken))
        scored = scored.with_columns(slug.alias(f"_slug_{rank}"), score.alias(f"_score_{rank}"))
        taken.append(pl.col(f"_slug_{rank}"))
    return scored


def primary_topic() -> pl.Expr:
    """Take the best topic, or the fallback when its evidence is too weak."""
    strong = pl.col("_score_0") >= MIN_SCORE
    return pl.when(strong).then(pl.col("_slug_0")).otherwise(pl.lit(FALLBACK_TOPIC))


def primary_score() -> pl.Expr:
    """Take the best topic's evidence, or 0.0 when the paper falls back to `other`."""
    return pl.when(pl.col("_score_0") >= MIN_SCORE).then(pl.col("_score_0")).otherwise(0.0)


def secondary(kind: str) -> pl.Expr:
    """List the runners-up (`slug` or `score`) strong alone and next to the primary."""
    floor = pl.max_horizontal(pl.lit(MIN_SCORE), SECONDARY_SHARE * pl.col("_score_0"))
    runners = [
        pl.when(pl.col(f"_score_{r}") >= floor).then(pl.col(f"_{kind}_{r}"))
        for r in range(1, MAX_SECONDARY + 1)
    ]
    return pl.concat_list(runners).list.drop_nulls()


TOPIC_CHUNK = 50_000


def assign_topics(papers: pl.DataFrame) -> pl.DataFrame:
    """Add `topic`, `topic_score`, `secondary_topics` and their scores from title and abstract.

    Papers are classified TOPIC_CHUNK at a time, a chunk per core at once: the normalised
    copies of their text are the classifier's largest frames, and this bounds them however
    many papers there are.
    """
    chunks = [papers.slice(start, TOPIC_CHUNK) for start in range(0, papers.height, TOPIC_CHUNK)]
    return pl.concat(parallel_map(_assign_chunk, chunks or [papers]))


def _assign_chunk(papers: pl.DataFrame) -> pl.DataFrame:
    ranked = rank_topics(topic_scores(papers))
    labelled = ranked.with_columns(
        topic=primary_topic(),
        topic_score=primary_score(),
        secondary_topics=secondary("slug"),
        secondary_topic_scores=secondary("score"),
    )
    helpers = [f"_{kind}_{r}" for r in range(1 + MAX_SECONDARY) for kind in ("slug", "score")]
    return labelled.drop("topic_scores", *helpers)
