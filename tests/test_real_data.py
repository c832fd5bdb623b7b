"""Real arXiv dumps: a slice of ../shared/real (CC0 metadata) in tests/data/real, and the
failure patterns real listings showed, as literal cases."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import REPO
from helpers import ABSTRACT, arxiv_record, hf_page, parse
from helpers import build as build_dataset

from paperset.real_eval import evaluate_real
from paperset.storage import read_papers

REAL_SLICE = REPO / "tests" / "data" / "real"

LONG_COMMENT = (
    "Submitted to Journal of Climate. Latex source file. Figures are included in an uuencoded "
    "file; see top of figures for uncompressing information. The paper discusses the results "
    "of a general circulation model experiment and compares them with observations. Some "
    "typos corrected in this version"
)
SHORT_ABSTRACT = "We give a new procedure in Maple for finding the k-th power of a matrix."
TWENTY_WORDS = (
    "We prove that every planar graph with girth at least five admits a proper coloring "
    "using three colors only."
)


def test_a_long_comment_paragraph_stays_the_comment_of_its_record() -> None:
    records = parse(arxiv_record(comments=(LONG_COMMENT,)))
    assert records.height == 1
    row = records.row(0, named=True)
    assert (row["abstract"], row["comments"], row["reason"]) == (ABSTRACT, LONG_COMMENT, None)


def test_an_abstract_shorter_than_its_comment_stays_the_abstract() -> None:
    records = parse(arxiv_record(abstract=SHORT_ABSTRACT, comments=("12 pages", LONG_COMMENT)))
    assert records["abstract"].to_list() == [SHORT_ABSTRACT]
    assert records["comments"].to_list() == [f"12 pages; {LONG_COMMENT}"]
    assert records["reason"].to_list() == [None]


def test_a_wrapped_abstract_line_starting_with_an_arxiv_id_is_abstract_text() -> None:
    wrapped = (
        "Building on the construction of\narXiv:2301.00001 and its sequels, we show that the\n"
        "bound is sharp for every odd prime."
    )
    records = parse(arxiv_record(abstract=wrapped, arxiv_id="2407.00913"))
    assert records["reason"].to_list() == [None]
    assert records["arxiv_id"].to_list() == ["2407.00913"]
    assert "arXiv:2301.00001 and its sequels" in records["abstract"][0]


def test_a_record_cut_off_before_an_abstract_with_a_comment_is_still_caught() -> None:
    truncated = "A listing record cut off in the middle of its abstract, before the"
    text = "\n\n".join([truncated, arxiv_record(comments=("22 pages, 3 figures",))])
    records = parse(text)
    assert records["reason"].to_list() == [
        "truncated listing: abstract with no id/dates lines",
        None,
    ]
    assert records["abstract"][1] == ABSTRACT
    assert records["comments"][1] == "22 pages, 3 figures"


def _build(tmp_path: Path, dumps: dict[str, str]) -> pl.DataFrame:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, text in dumps.items():
        (raw / name).write_text(text)
    build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    return read_papers(tmp_path / "out")


def test_a_page_and_a_listing_with_an_identical_short_abstract_are_one_paper(
    tmp_path: Path,
) -> None:
    papers = _build(
        tmp_path,
        {
            "hf_papers_2024-07-02.txt": hf_page(
                ("Three Colors Suffice", TWENTY_WORDS), date="Jul 2"
            ),
            "arxiv_listing_2024-06-30.txt": arxiv_record(abstract=TWENTY_WORDS),
        },
    )
    assert papers.select("paper_id", "title", "n_sightings").rows() == [
        ("arxiv:2407.00912", "Three Colors Suffice", 2)
    ]


def test_boilerplate_under_two_arxiv_ids_joins_nothing(tmp_path: Path) -> None:
    papers = _build(
        tmp_path,
        {
            "hf_papers_2024-07-02.txt": hf_page(
                ("Three Colors Suffice", TWENTY_WORDS), date="Jul 2"
            ),
            "arxiv_listing_2024-06-30.txt": "\n\n".join(
                [
                    arxiv_record(abstract=TWENTY_WORDS, arxiv_id="2407.00912"),
                    arxiv_record(abstract=TWENTY_WORDS, arxiv_id="2407.00913"),
                ]
            ),
        },
    )
    assert sorted(papers["n_sightings"].to_list()) == [1, 1, 1]
    assert papers.filter(pl.col("title").is_not_null())["arxiv_id"].to_list() == [None]


def test_the_real_slice_is_read_merged_and_filled_exactly_as_its_truth(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(REAL_SLICE / "raw", raw)
    build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    result = evaluate_real(tmp_path / "out", REAL_SLICE)
    assert (result.records_read, result.records_accepted, result.records_quarantined) == (
        result.records_true,
        result.records_true,
        0,
    )
    assert result.files_miscounted == result.valid_quarantined == 0
    assert result.papers_out == result.papers_true
    assert result.papers_split == result.rows_merging_papers == result.wrong_abstract == 0
    assert result.field_agreement == dict.fromkeys(result.field_agreement, 1.0)


@pytest.mark.slow
def test_eval_real_prints_the_figures_against_the_truth(tmp_path: Path) -> None:
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect")}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "eval-real", "--real", str(REAL_SLICE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "430 read (truth 430) = 430 accepted + 0 quarantined" in done.stdout
    assert "0 papers split over several rows; 0 rows merging several papers" in done.stdout
    assert "abstract     100.0000%" in done.stdout
