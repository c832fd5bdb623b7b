"""Train the topic model on real arXiv papers: labels, held-out split, vocabulary, fit.

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

The fit is a multinomial logistic regression with an L2 penalty by L-BFGS (scipy), from zero
weights: the same papers and config give the same model, bit for bit, on one machine.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl
import scipy.optimize
import scipy.sparse as sp

from paperset.dedup.keys import title_key
from paperset.hashing import stable_hash
from paperset.taxonomy import FALLBACK_TOPIC, TOPIC_SLUGS
from paperset.topics.assign import assign_topics
from paperset.topics.evaluate import evaluate_topics, heldout_papers, is_heldout, load_labels
from paperset.topics.model import TopicModel, slots, term_matrix
from paperset.topics.rules import assign_topics as rule_topics
from paperset.topics.words import split_words

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
# Words that say nothing of a topic; left out of the vocabulary, alone or in a pair, so a
# paper's evidence is words a reader recognises as the field's, not "the" and "of".
_STOPWORDS = """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either et few for
    from further had has have having here how however i if in into is it its itself may might
    more most much must no nor not of off on once one only or other our ours out over own per
    same several she should show shows shown so some such than that the their them then there
    these they this those through thus to too two under until up upon us use used uses using
    very via was we were what when where which while who whom whose why will with within
    without would yet you your al eg ie"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class TrainConfig:
    """Every knob of a training run; recorded in the model."""

    vocabulary: int = 40_000
    min_papers: int = 4
    per_topic: int = 6_000
    per_category: int = 1_500
    title_weight: float = 2.0
    l2: float = 1e-4
    max_iter: int = 250


# A few minutes' work in one second: for the test that retrains on a committed slice.
SMALL = TrainConfig(vocabulary=2_000, min_papers=3, per_topic=120, per_category=60, max_iter=60)


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


def term_counts(texts: pl.Series) -> pl.DataFrame:
    """Count the papers each word and word pair is in, with its spelling."""
    words = split_words(texts)
    pair_rows, pair_hashes, pair_first = words.pairs()
    found = pl.DataFrame(
        {
            "row": np.concatenate([words.row, pair_rows]),
            "hash": np.concatenate([words.hash, pair_hashes]),
            "at": np.concatenate([np.arange(len(words.row)), pair_first]),
            "pair": np.concatenate([np.zeros(len(words.row), bool), np.ones(len(pair_rows), bool)]),
        }
    )
    counts = found.group_by("hash").agg(
        papers=pl.col("row").n_unique(), at=pl.col("at").first(), pair=pl.col("pair").first()
    )
    spell = [
        words.spelling(at) + (" " + words.spelling(at + 1) if pair else "")
        for at, pair in counts.select("at", "pair").iter_rows()
    ]
    return counts.with_columns(term=pl.Series(spell, dtype=pl.String)).drop("at", "pair")


def vocabulary(papers: pl.DataFrame, config: TrainConfig) -> pl.DataFrame:
    """Pick the terms in most papers, at least `min_papers`; one per lookup-table slot."""
    texts = pl.concat_str(pl.col("title").fill_null(""), pl.col("abstract"), separator=" . ")
    counts = term_counts(papers.select(texts).to_series())
    frequent = counts.filter(pl.col("papers") >= config.min_papers, meaningful(pl.col("term")))
    ranked = frequent.sort(["papers", "hash"], descending=[True, False])
    ranked = ranked.with_columns(slot=pl.Series(slots(ranked["hash"].to_numpy())))
    unique = ranked.unique("slot", keep="first", maintain_order=True)
    return unique.head(config.vocabulary).drop("slot")


def meaningful(term: pl.Expr) -> pl.Expr:
    """Keep terms whose every word is 2+ characters, not only digits, and not a stopword."""
    words = term.str.split(" ")
    short_or_number = pl.element().str.len_bytes().lt(2) | pl.element().str.contains(r"^[0-9]+$")
    stop = pl.element().is_in(sorted(STOPWORDS))
    return ~words.list.eval(short_or_number | stop).list.any()


def fit_weights(
    features: sp.csr_matrix, targets: np.ndarray, n_topics: int, config: TrainConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Fit multinomial logistic regression with an L2 penalty; return weights and bias."""
    n, n_terms = features.shape
    onehot = np.zeros((n, n_topics))
    onehot[np.arange(n), targets] = 1.0
    features_t = features.T.tocsr()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights = theta[: n_terms * n_topics].reshape(n_terms, n_topics)
        logits = features @ weights + theta[n_terms * n_topics :]
        logits -= logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(logits).sum(axis=1, keepdims=True))
        log_p = logits - log_norm
        value = -(log_p * onehot).sum() / n + 0.5 * config.l2 * (weights**2).sum()
        error = (np.exp(log_p) - onehot) / n
        grad_w = features_t @ error + config.l2 * weights
        return value, np.concatenate([grad_w.ravel(), error.sum(axis=0)])

    start = np.zeros(n_terms * n_topics + n_topics)
    result = scipy.optimize.minimize(
        loss, start, jac=True, method="L-BFGS-B", options={"maxiter": config.max_iter}
    )
    theta = result.x
    return theta[: n_terms * n_topics].reshape(n_terms, n_topics), theta[n_terms * n_topics :]


def data_fingerprint(papers: pl.DataFrame) -> str:
    """Hash the ids and targets trained on, so a model says which data made it."""
    rows = papers.select("arxiv_id", "target").sort("arxiv_id")
    text = "\n".join(f"{i}\t{t}" for i, t in rows.iter_rows())
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def train_model(train: pl.DataFrame, config: TrainConfig) -> TopicModel:
    """Train on papers with `title`, `abstract`, `arxiv_id` and `target`."""
    vocab = vocabulary(train, config)
    blank = TopicModel(
        topics=TOPIC_SLUGS,
        terms=tuple(vocab["term"]),
        hashes=vocab["hash"].to_numpy(),
        weights=np.zeros((vocab.height, len(TOPIC_SLUGS)), np.float32),
        bias=np.zeros(len(TOPIC_SLUGS), np.float32),
        title_weight=config.title_weight,
        info={},
    )
    features = term_matrix(blank, train["title"], train["abstract"]).astype(np.float64)
    features.sum_duplicates()
    targets = train["target"].replace_strict(TOPIC_SLUGS, range(len(TOPIC_SLUGS))).to_numpy()
    weights, bias = fit_weights(features, targets, len(TOPIC_SLUGS), config)
    per_topic = dict(train.group_by("target").len().sort("target").iter_rows())
    info = {"config": asdict(config), "data": data_fingerprint(train), "papers": per_topic}
    return TopicModel(
        topics=TOPIC_SLUGS,
        terms=blank.terms,
        hashes=blank.hashes,
        weights=weights.astype(np.float32),
        bias=bias.astype(np.float32),
        title_weight=config.title_weight,
        info=info,
    )


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
