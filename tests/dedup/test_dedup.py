import datetime as dt

import polars as pl
import pytest
from helpers import ABSTRACT, OTHER_ABSTRACT, arxiv_record, hf_page, parse

from paperset.dedup.keys import title_key
from paperset.dedup.merge import merge_duplicates, near_duplicate_edges
from paperset.dedup.minhash import text_hash
from paperset.dedup.sightings import first_sightings
from paperset.hashing import hex_digest, stable_hash
from paperset.ingest.records import split_rejected
from paperset.schema import Paper, polars_schema
from paperset.storage.spill import TextsInMemory

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NO_PREVIOUS = pl.DataFrame(schema=polars_schema(Paper))
SCORE_SDE = (
    "Creating noise from data is easy; creating data from noise is generative modeling. We "
    "present a stochastic differential equation that smoothly transforms a complex data "
    "distribution to a known prior distribution by slowly injecting noise, and a corresponding "
    "reverse-time SDE that transforms the prior distribution back into the data distribution "
    "by slowly removing the noise. Crucially, the reverse-time SDE depends only on the "
    "time-dependent gradient field of the perturbed data distribution."
)
SCORE_GRAPHS = (
    "Generating graph-structured data requires learning the underlying distribution of graphs. "
    "Yet, this is a challenging problem, and the previous graph generative methods either fail "
    "to capture the permutation-invariance property of graphs or cannot sufficiently model the "
    "complex dependency between nodes and edges. To overcome these limitations, we propose a "
    "novel score-based generative model for graphs with a continuous-time framework, using a "
    "system of stochastic differential equations over nodes and adjacency matrices."
)

LONG_ABSTRACT = f"{ABSTRACT} {SCORE_SDE} {OTHER_ABSTRACT}"


def papers_of(*dumps: tuple[str, str]) -> pl.DataFrame:
    records = pl.concat([parse(text, name=name) for name, text in dumps])
    accepted, rejected = split_rejected(records)
    assert rejected.is_empty(), rejected["reason"].to_list()
    sightings = first_sightings(accepted, NOW)
    return merge_duplicates(sightings.sort("source_file", "line"), NO_PREVIOUS).papers


def revise_one_sentence(text: str) -> str:
    return text.replace(
        "Using controlled synthetic tasks we show that attention heads implement",
        "On controlled synthetic tasks we find that some attention heads carry out",
        1,
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("In-Context Learning, Explained", "in-context learning   explained"),
        ("In-Context Learning Explained", "IN CONTEXT LEARNING: EXPLAINED!"),
    ],
)
def test_titles_differing_in_case_punctuation_or_spacing_are_one_paper(
    first: str, second: str
) -> None:
    papers = papers_of(
        ("a.txt", hf_page((first, ABSTRACT))), ("b.txt", hf_page((second, OTHER_ABSTRACT)))
    )
    assert papers.height == 1
    assert papers["n_sightings"].to_list() == [2]


def test_a_revised_sentence_in_the_abstract_is_the_same_paper() -> None:
    papers = papers_of(
        ("a.txt", hf_page(("A Title", LONG_ABSTRACT))),
        ("b.txt", hf_page(("A Different Title", revise_one_sentence(LONG_ABSTRACT)))),
    )
    assert papers.height == 1


def test_near_duplicate_edges_found_beforehand_merge_as_those_found_in_the_merge() -> None:
    # The flow finds them first, so the LSH bands are freed before the papers are built.
    records = pl.concat(
        [
            parse(hf_page(("A Title", LONG_ABSTRACT)), name="a.txt"),
            parse(hf_page(("Another", revise_one_sentence(LONG_ABSTRACT))), name="b.txt"),
            parse(hf_page(("Unrelated", f"{SCORE_GRAPHS} {OTHER_ABSTRACT}")), name="c.txt"),
        ]
    )
    sightings = first_sightings(split_rejected(records)[0], NOW).with_columns(text_hash())
    texts = TextsInMemory(sightings.select("text_hash", "abstract"))
    keyed = sightings.drop("abstract")
    edges = near_duplicate_edges(keyed, bands=None, oversized=None, sketches=None, texts=texts)
    assert edges.select("a", "b", "rule").rows() == [(0, 1, "abstract")]
    found_here = merge_duplicates(keyed, NO_PREVIOUS, texts=texts)
    given = merge_duplicates(keyed, NO_PREVIOUS, texts=texts, near_edges=edges)
    assert given.papers.height == 2
    assert given.papers.equals(found_here.papers)
    assert given.merges.equals(found_here.merges)


def test_a_new_version_of_an_arxiv_record_is_the_same_paper() -> None:
    papers = papers_of(
        ("a.txt", arxiv_record(arxiv_id="2407.00912v1")),
        (
            "b.txt",
            arxiv_record(arxiv_id="2407.00912v2", abstract=OTHER_ABSTRACT, updated="2024-07-05"),
        ),
    )
    row = papers.row(0, named=True)
    assert (papers.height, row["arxiv_id"], row["updated"]) == (
        1,
        "2407.00912",
        dt.date(2024, 7, 5),
    )
    assert row["abstract"] == OTHER_ABSTRACT  # text comes from the most recent sighting


def test_an_arxiv_listing_and_a_papers_page_of_one_paper_merge_with_title_and_id() -> None:
    papers = papers_of(
        ("page.txt", hf_page(("A Title", ABSTRACT))), ("listing.txt", arxiv_record())
    )
    row = papers.row(0, named=True)
    assert papers.height == 1
    assert (row["title"], row["arxiv_id"], row["published"]) == (
        "A Title",
        "2407.00912",
        dt.date(2024, 6, 30),
    )
    assert row["sources"] == ["listing.txt", "page.txt"]


def test_look_alike_titles_with_different_abstracts_stay_apart() -> None:
    papers = papers_of(
        (
            "a.txt",
            hf_page(
                (
                    "Score-Based Generative Modeling through Stochastic Differential Equations",
                    SCORE_SDE,
                )
            ),
        ),
        (
            "b.txt",
            hf_page(
                (
                    "Score-based Generative Modeling of Graphs via the System of "
                    "Stochastic Differential Equations",
                    SCORE_GRAPHS,
                )
            ),
        ),
    )
    assert papers.height == 2


def test_the_same_title_with_different_arxiv_ids_is_never_one_paper() -> None:
    papers = papers_of(
        ("a.txt", hf_page(("Shared Title", ABSTRACT))),
        ("b.txt", hf_page(("Shared Title", OTHER_ABSTRACT))),
        ("c.txt", arxiv_record(arxiv_id="2401.00001", abstract=ABSTRACT)),
        ("d.txt", arxiv_record(arxiv_id="2402.00002", abstract=OTHER_ABSTRACT)),
    )
    assert sorted(papers["arxiv_id"].to_list()) == ["2401.00001", "2402.00002"]
    assert papers["title"].to_list() == ["Shared Title", "Shared Title"]


def test_different_dois_are_never_merged_by_abstract() -> None:
    papers = papers_of(
        ("a.txt", arxiv_record(arxiv_id="2401.00001", doi="10.1/a")),
        ("b.txt", arxiv_record(arxiv_id="2402.00002", doi="10.1/b")),
    )
    assert papers.height == 2


def test_short_abstracts_are_never_fuzzy_merged() -> None:
    short = "We propose a new method for image segmentation that works well."
    papers = papers_of(
        ("a.txt", hf_page(("One Title", short))),
        ("b.txt", hf_page(("Other Title", short + " Indeed."))),
    )
    assert papers.height == 2


def test_merge_does_not_depend_on_sighting_order() -> None:
    records = pl.concat(
        [
            parse(hf_page(("A Title", ABSTRACT)), name="p.txt"),
            parse(arxiv_record(), name="l.txt"),
            parse(hf_page(("Other", OTHER_ABSTRACT)), name="q.txt"),
        ]
    )
    sightings = first_sightings(split_rejected(records)[0], NOW)
    forward = merge_duplicates(sightings, NO_PREVIOUS).papers.drop("cluster").sort("paper_id")
    backward = (
        merge_duplicates(sightings.reverse(), NO_PREVIOUS).papers.drop("cluster").sort("paper_id")
    )
    assert forward.equals(backward)


def test_a_paper_keeps_its_aliases_even_when_its_sightings_lost_their_former_ids() -> None:
    from paperset.dedup.survivorship import carry_aliases

    papers = pl.DataFrame(
        {"paper_id": ["arxiv:2407.00912"], "prior_ids": [[]]},
        schema={"paper_id": pl.String, "prior_ids": pl.List(pl.String)},
    )
    previous = pl.DataFrame(
        {"paper_id": ["arxiv:2407.00912"], "aliases": [["title:0123456789abcdef"]]}
    )
    assert carry_aliases(papers, previous)["aliases"].to_list() == [["title:0123456789abcdef"]]


@pytest.mark.parametrize(
    ("first", "second", "named_after"),
    [
        (("Apr 22", "Attention Heads Do Descent"), ("Apr 21", "Heads That Descend"), 1),
        (("Apr 21", "Attention Heads Do Descent"), ("Apr 22", "Heads That Descend"), 0),
        (("Apr 21", "Heads That Descend"), ("Apr 21", "Attention Heads Do Descent"), 1),
    ],
)
def test_a_paper_without_an_arxiv_id_is_named_after_its_earliest_listing_title(
    first: tuple[str, str], second: tuple[str, str], named_after: int
) -> None:
    # One paper (near-identical abstracts) listed under two titles: the earlier listing's
    # title key names it, and on the same day the smaller key.
    edited = ABSTRACT.replace("handful", "small number")
    pages = [
        (f"page-{n}.txt", hf_page((title, abstract), date=date))
        for n, ((date, title), abstract) in enumerate([(first, ABSTRACT), (second, edited)])
    ]
    papers = papers_of(*pages)
    assert papers.height == 1
    key = pl.select(title_key(pl.lit((first, second)[named_after][1]))).to_series()
    expected = "title:" + hex_digest(stable_hash(key))[0]
    assert papers["paper_id"][0] == expected
