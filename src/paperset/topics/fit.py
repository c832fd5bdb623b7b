"""Fit the topic model to a training set: the knobs of a training run, the vocabulary (the
terms in most papers, less stopwords) and the weights.

The fit is a multinomial logistic regression with an L2 penalty by L-BFGS (scipy), from zero
weights: the same papers and config give the same model, bit for bit, on one machine.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
import scipy.optimize
import scipy.sparse as sp

from paperset.taxonomy import TOPIC_SLUGS
from paperset.topics.model import TopicModel, slots, term_matrix
from paperset.topics.words import split_words

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
