import polars as pl
import pytest
from polars.testing import assert_frame_equal

from paperset.dedup.minhash import BAND_SCHEMA, PAIR_SCHEMA, band_hashes, text_bands
from paperset.dedup.pairs import candidate_pairs, likely_pairs, near_duplicate_pairs
from paperset.dedup.shingles import jaccard, word_hashes

ADAPTIVE_RANK = (
    "Fine-tuning large language models for every downstream task is expensive, because each "
    "task requires storing a full copy of the model weights. Low-rank adaptation reduces this "
    "cost by freezing the pretrained weights and learning a pair of small matrices whose "
    "product is added to each attention projection. However, the rank of these matrices is "
    "usually fixed by hand and shared across all layers, which wastes capacity in layers that "
    "need little adaptation and starves the layers that need more. We propose an adaptive "
    "scheme that allocates the rank budget during training according to an importance score "
    "computed from the singular values of each update. Layers whose updates carry little "
    "energy are pruned, and the freed budget is reassigned to layers with large residual "
    "error. On instruction tuning, summarisation and code generation benchmarks, our method "
    "matches full fine-tuning with fewer than one percent of the trainable parameters and "
    "outperforms fixed-rank baselines at equal budget."
)
QUANTIZED_ADAPTERS = (
    "Parameter-efficient fine-tuning methods adapt large pretrained models by training only a "
    "small number of additional weights, but most of them still require the full model to be "
    "held in accelerator memory during training. We study quantized adaptation, in which the "
    "frozen backbone is stored in four-bit precision while small adapter modules are trained "
    "in higher precision. We show that naive quantization of the backbone degrades the "
    "quality of the learned adapters, because rounding errors accumulate in the deeper layers "
    "and distort the gradients that reach them. To address this issue, we introduce an "
    "error-compensating initialisation that sets the adapters so that the quantized model "
    "reproduces the outputs of the original one on a small calibration set. Experiments on "
    "language understanding, reasoning and dialogue benchmarks show that our approach closes "
    "most of the gap to sixteen-bit fine-tuning while reducing peak memory by a factor of "
    "three, allowing models with seventy billion parameters to be tuned on a single GPU."
)
WITHDRAWN = "This paper has been withdrawn by the author due to an error in the main proof."


def docs(*abstracts: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"node": range(len(abstracts)), "abstract": abstracts},
        schema={"node": pl.UInt32, "abstract": pl.String},
    )


def similarities(*abstracts: str) -> list[float]:
    return near_duplicate_pairs(docs(*abstracts))["similarity"].to_list()


def test_identical_abstracts_pair_with_similarity_one() -> None:
    assert similarities(ADAPTIVE_RANK, ADAPTIVE_RANK) == [1.0]


def test_case_punctuation_and_whitespace_variants_pair_with_similarity_one() -> None:
    variant = (
        ADAPTIVE_RANK.upper()
        .replace(",", "")
        .replace("Fine-tuning", "Fine tuning")
        .replace(". ", ".  ")
    )
    assert similarities(ADAPTIVE_RANK, variant) == [1.0]


def test_unicode_dashes_and_quotes_separate_words_like_ascii_ones() -> None:
    ascii_text = "the model's state-of-the-art results"
    unicode_text = "the model\u2019s state\u2013of\u2013the\u2013art results"
    words, counts = word_hashes(pl.Series([ascii_text, unicode_text]))
    assert counts.tolist() == [8, 8]
    assert words[:8].tolist() == words[8:].tolist()


def test_one_revised_sentence_pairs() -> None:
    revised = ADAPTIVE_RANK.replace(
        "Layers whose updates carry little energy are pruned, and the freed budget is "
        "reassigned to layers with large residual error.",
        "During training the rank of unimportant layers shrinks to zero and their share of "
        "the budget moves to the layers whose updates are still far from convergence.",
    )
    [similarity] = similarities(ADAPTIVE_RANK, revised)
    assert 0.5 <= similarity < 0.8


def test_three_edited_words_pair() -> None:
    edited = (
        ADAPTIVE_RANK.replace("expensive", "costly")
        .replace("small matrices", "compact matrices")
        .replace("fewer than", "less than")
    )
    [similarity] = similarities(ADAPTIVE_RANK, edited)
    assert 0.8 <= similarity < 1


def test_different_abstracts_on_the_same_topic_do_not_pair() -> None:
    assert similarities(ADAPTIVE_RANK, QUANTIZED_ADAPTERS) == []


def test_short_abstracts_never_pair() -> None:
    assert similarities(WITHDRAWN, WITHDRAWN, WITHDRAWN.upper()) == []


def test_short_abstracts_get_no_band_hashes() -> None:
    bands = band_hashes(docs(WITHDRAWN, ADAPTIVE_RANK))
    assert bands["node"].unique().to_list() == [1]


def test_band_hashes_never_change() -> None:
    # Band hashes are persisted between runs: a change here breaks incremental matching.
    bands = band_hashes(docs(ADAPTIVE_RANK)).head(2)
    assert bands["hash"].to_list() == [9804303515629869038, 6951744552381231607]


def test_every_sighting_of_two_near_duplicate_texts_is_linked_through_the_first() -> None:
    edited = ADAPTIVE_RANK.replace("expensive", "costly")
    pairs = near_duplicate_pairs(docs(ADAPTIVE_RANK, edited, ADAPTIVE_RANK))
    assert pairs.select("a", "b").rows() == [(0, 1), (0, 2)]
    assert pairs["similarity"].to_list()[1] == 1.0


def test_jaccard_counts_distinct_shared_shingles_exactly() -> None:
    # Six words make two 5-grams; changing the last word keeps one of them: 1 / 3.
    frame = docs("one two three four five six", "one two three four five seven")
    pairs = pl.DataFrame({"a": [0], "b": [1]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    assert jaccard(frame, pairs)["similarity"].to_list() == [1 / 3]


def test_jaccard_refuses_pairs_of_unknown_nodes() -> None:
    pairs = pl.DataFrame({"a": [0], "b": [5]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    with pytest.raises(ValueError, match="not in docs"):
        jaccard(docs(ADAPTIVE_RANK), pairs)


def test_buckets_larger_than_the_cap_make_no_pairs() -> None:
    bands = pl.DataFrame(
        {"node": [0, 1, 2, 3, 4], "band": [0, 0, 0, 1, 1], "hash": [7, 7, 7, 9, 9]},
        schema=BAND_SCHEMA,
    )
    assert candidate_pairs(bands, max_bucket=2).rows() == [(3, 4)]


def test_pairs_do_not_depend_on_row_order() -> None:
    abstracts = [ADAPTIVE_RANK, QUANTIZED_ADAPTERS, ADAPTIVE_RANK.lower(), ADAPTIVE_RANK]
    frame = docs(*abstracts)
    assert_frame_equal(near_duplicate_pairs(frame), near_duplicate_pairs(frame.reverse()))


def test_pairs_have_the_pair_schema_with_a_below_b() -> None:
    frame = docs(ADAPTIVE_RANK, QUANTIZED_ADAPTERS, ADAPTIVE_RANK).reverse()
    pairs = near_duplicate_pairs(frame)
    assert pairs.schema == PAIR_SCHEMA
    assert pairs.rows() == [(0, 2, 1.0)]


def test_no_docs_give_no_pairs() -> None:
    assert near_duplicate_pairs(docs()).schema == PAIR_SCHEMA


@pytest.mark.parametrize("threshold", [0.0, 1.5])
def test_a_threshold_outside_zero_to_one_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        near_duplicate_pairs(docs(ADAPTIVE_RANK), threshold=threshold)


def test_the_sketch_screen_keeps_pairs_near_the_threshold_and_drops_unrelated_ones() -> None:
    revised = ADAPTIVE_RANK.replace(
        "Layers whose updates carry little energy are pruned, and the freed budget is "
        "reassigned to layers with large residual error.",
        "During training the rank of unimportant layers shrinks to zero and their share of "
        "the budget moves to the layers whose updates are still far from convergence.",
    )
    frame = docs(ADAPTIVE_RANK, revised, QUANTIZED_ADAPTERS)
    pairs = pl.DataFrame({"a": [0, 0, 1], "b": [1, 2, 2]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    assert likely_pairs(frame, pairs).rows() == [(0, 1)]


def test_the_sketch_screen_refuses_pairs_naming_nodes_that_are_not_in_docs() -> None:
    # The compiled screen indexes sketches unchecked: a stray node must never reach it.
    frame = docs(ADAPTIVE_RANK, QUANTIZED_ADAPTERS)
    pairs = pl.DataFrame({"a": [0], "b": [7]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    with pytest.raises(ValueError, match="not in docs"):
        likely_pairs(frame, pairs)


def test_sketches_made_with_the_bands_are_the_ones_the_screen_would_compute() -> None:
    texts = pl.DataFrame(
        {"text_hash": [11, 22], "abstract": [ADAPTIVE_RANK, QUANTIZED_ADAPTERS]},
        schema={"text_hash": pl.UInt64, "abstract": pl.String},
    )
    bands, sketches = text_bands(texts)
    assert sketches["text_hash"].to_list() == [11, 22]
    assert bands["text_hash"].unique().sort().to_list() == [11, 22]
    frame = docs(ADAPTIVE_RANK, QUANTIZED_ADAPTERS).with_columns(texts["text_hash"])
    pairs = pl.DataFrame({"a": [0], "b": [1]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    assert likely_pairs(frame, pairs, sketches).is_empty()
    # Known sketches are used as given: two equal ones make the unrelated pair likely.
    alike = sketches.with_columns(sketch=pl.lit([0] * 72, pl.Array(pl.UInt8, 72)))
    assert likely_pairs(frame, pairs, alike).rows() == [(0, 1)]
