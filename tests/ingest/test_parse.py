import datetime as dt

import polars as pl
import pytest
from helpers import ABSTRACT, HF_HEADER, OTHER_ABSTRACT, arxiv_record, hf_page, parse, unrecognised

from paperset.ingest.parse import DecodedDump, parse_dumps


def test_papers_page_records_carry_title_abstract_listing_date_and_line() -> None:
    records = parse(hf_page(("A Title", ABSTRACT), ("Another Title", ABSTRACT + " More.")))
    assert records["title"].to_list() == ["A Title", "Another Title"]
    assert records["abstract"][0] == ABSTRACT
    assert records["listed_on"].to_list() == [dt.date(2025, 4, 22)] * 2
    assert records["line"].to_list() == [11, 15]
    assert records["reason"].is_null().all()


def test_arxiv_record_fields_are_extracted_and_normalised() -> None:
    text = arxiv_record(
        arxiv_id="2407.00912v2",
        updated="2024-07-02",
        comments=("22 pages", "Accepted by KDD"),
        doi="10.1145/3637528.3671519",
    )
    row = parse(text).row(0, named=True)
    assert row["arxiv_id"] == "2407.00912"
    assert row["version"] == 2
    assert row["doi"] == "10.1145/3637528.3671519"
    assert row["comments"] == "22 pages; Accepted by KDD"
    assert (row["published"], row["updated"]) == (dt.date(2024, 6, 30), dt.date(2024, 7, 2))
    assert row["reason"] is None


@pytest.mark.parametrize(
    "arxiv_id", ["hep-th/9901001", "math.GT/0309136", "0704.0001", "2407.00912"]
)
def test_old_and_new_style_ids_are_accepted(arxiv_id: str) -> None:
    created = "1999-01-05" if "/" in arxiv_id else "2007-04-02"
    assert parse(arxiv_record(arxiv_id=arxiv_id, created=created))["reason"].to_list() == [None]


BAD_RECORDS = [
    (
        "truncated page",
        hf_page(("Good", ABSTRACT)) + "\n\nA Title Cut Off",
        "truncated page: title with no abstract",
    ),
    (
        "truncated listing",
        arxiv_record() + "\n\n" + ABSTRACT,
        "truncated listing: abstract with no id/dates lines",
    ),
    ("impossible date", arxiv_record(created="2024-13-45"), "impossible date: 2024-13-45"),
    (
        "malformed id",
        arxiv_record(arxiv_id="24A7.00912"),
        "malformed arXiv id line: arXiv:24A7.00912",
    ),
    ("updated before created", arxiv_record(updated="2024-01-01"), "Updated before Created"),
    ("empty abstract", "arXiv:2407.00912\nCreated: 2024-06-30", "empty abstract"),
    ("future date", arxiv_record(created="2027-01-01"), "implausible published date: 2027-01-01"),
    ("no listing date", f"{HF_HEADER}T\n\n{ABSTRACT}", "papers page with no listing date"),
]


@pytest.mark.parametrize(("case", "text", "reason"), BAD_RECORDS, ids=[c[0] for c in BAD_RECORDS])
def test_bad_records_are_rejected_with_a_reason(case: str, text: str, reason: str) -> None:
    records = parse(text)
    assert reason in records["reason"].drop_nulls().to_list()
    assert records.filter(pl.col("reason").is_not_null()).height == 1


def test_a_record_over_the_size_cap_is_rejected() -> None:
    huge = parse(arxiv_record(abstract="word " * 20_000))
    assert huge["reason"][0].startswith("record over the size limit: 100")


def test_text_in_neither_format_is_unrecognised() -> None:
    assert unrecognised("<html><body>502 Bad Gateway</body></html>") == ["dump.txt"]


def test_form_feed_and_line_separator_do_not_split_a_record() -> None:
    records = parse(hf_page(("Title", "First half\x0c second\u2028half of the abstract.")))
    assert records.height == 1
    assert records["abstract"][0] == "First half second half of the abstract."


def test_listing_year_comes_from_a_date_in_the_file_name() -> None:
    records = parse(hf_page(("T", ABSTRACT), date="Dec 30"), name="papers-2025-01-02.txt")
    assert records["listed_on"][0] == dt.date(2024, 12, 30)


def test_listing_year_given_by_the_user_wins_over_modification_time() -> None:
    assert parse(hf_page(("T", ABSTRACT)), year=2023)["listed_on"][0] == dt.date(2023, 4, 22)


def test_listing_year_defaults_to_latest_date_not_after_modification_time() -> None:
    # The file was modified on 2025-06-01: Apr 22 is 2025, Jul 1 must be 2024.
    assert parse(hf_page(("T", ABSTRACT), date="Jul 1"))["listed_on"][0] == dt.date(2024, 7, 1)


def test_a_cut_off_listing_record_does_not_swallow_the_next_one() -> None:
    truncated = "Truncated abstract that stops in the middle of a sentence because the"
    text = "\n\n".join(
        [arxiv_record(), truncated, arxiv_record(arxiv_id="2407.00913", abstract=OTHER_ABSTRACT)]
    )
    records = parse(text)
    assert records["reason"].to_list() == [
        None,
        "truncated listing: abstract with no id/dates lines",
        None,
    ]
    assert records["abstract"][2] == OTHER_ABSTRACT


def test_an_id_line_without_dates_ends_its_record() -> None:
    text = f"{ABSTRACT}\n\narXiv:2407.00912\n\n" + arxiv_record(
        arxiv_id="2407.00913", abstract=OTHER_ABSTRACT
    )
    records = parse(text)
    assert records["reason"].to_list() == [
        "truncated listing: arXiv id line with no dates line",
        None,
    ]
    assert records["arxiv_id"][1] == "2407.00913"


def test_id_and_dates_lines_may_be_indented() -> None:
    text = f"{ABSTRACT}\n\n  arXiv:2407.00912\n  Created: 2024-06-30"
    assert parse(text)["reason"].to_list() == [None]


def test_an_abstract_without_its_title_is_rejected_not_glued_to_the_previous_paper() -> None:
    text = (
        hf_page(("First Title", ABSTRACT))
        + f"\n\n{OTHER_ABSTRACT}\n\nThird Title\n\n{ABSTRACT} More."
    )
    records = parse(text)
    assert records["reason"].to_list() == [None, "abstract with no title", None]
    assert records["abstract"][0] == ABSTRACT


def test_a_whitespace_only_line_separates_records() -> None:
    records = parse(hf_page(("First", ABSTRACT)) + f"\n\x0c\u2028\nSecond\n\n{OTHER_ABSTRACT}")
    assert records["title"].to_list() == ["First", "Second"]


def test_a_title_ending_with_a_period_after_a_short_abstract_is_a_title() -> None:
    text = hf_page(
        ("First Title", "A very short abstract."), ("Attention Is All You Need.", ABSTRACT)
    )
    assert parse(text)["title"].to_list() == ["First Title", "Attention Is All You Need."]


def test_a_file_with_both_formats_is_rejected_whole_as_mixed() -> None:
    text = hf_page(("A Title", ABSTRACT)) + "\n\n" + arxiv_record()
    parsed = parse_dumps(
        [DecodedDump("both.txt", text.encode(), 0.0)], None, 65536, dt.date(2026, 1, 1)
    )
    assert parsed.records.is_empty()
    assert parsed.unrecognised == {
        "both.txt": "mixed formats: a papers-page header and arXiv id/dates lines"
    }


def test_short_one_line_abstracts_pair_with_their_titles_by_position() -> None:
    # Real pages: a one-line abstract with no final period is shaped like a title.
    text = hf_page(
        ("Physics-informed Shadowgraph Network", "This study reconstructs density fields"),
        ("Absorb & Escape", ABSTRACT),
        ("Ulam numbers have zero density", "We show that Ulam numbers have zero density"),
    )
    records = parse(text)
    assert records["reason"].to_list() == [None, None, None]
    assert records["title"].to_list() == [
        "Physics-informed Shadowgraph Network",
        "Absorb & Escape",
        "Ulam numbers have zero density",
    ]
    assert records["abstract"][2] == "We show that Ulam numbers have zero density"


def test_a_run_of_short_lines_that_cannot_pair_up_falls_back_to_shapes() -> None:
    text = hf_page(("First Title", ABSTRACT)) + f"\n\nCut Off Title\n\nSecond Title\n\n{ABSTRACT}"
    records = parse(text)
    assert records["reason"].to_list() == [None, "truncated page: title with no abstract", None]
    assert records["title"][2] == "Second Title"


def test_a_listing_record_with_its_id_line_inside_its_text_keeps_every_line() -> None:
    """Texts are slices of the file where their lines are contiguous; an id line among them
    (a malformed record) makes the parser join them line by line instead."""
    inside_abstract = "Abstract one\narXiv:2401.00001\nabstract two.\nCreated: 2024-01-02\n"
    among_comments = (
        "An abstract.\n\nComment one\narXiv:2401.00002\nComment two\nCreated: 2024-01-03\n"
    )
    regular = (
        "An  abstract\n line.\n\n  Comment one \n\n \nComment two\n"
        "arXiv:2401.00003\nCreated: 2024-01-04"
    )
    records = parse("\n".join([inside_abstract, among_comments, regular]))
    assert records.select("abstract", "comments", "arxiv_id").rows() == [
        ("Abstract one abstract two.", None, "2401.00001"),
        ("An abstract.", "Comment one; Comment two", "2401.00002"),
        ("An abstract line.", "Comment one; Comment two", "2401.00003"),
    ]
    assert records["raw"][1] == among_comments.strip()


def test_a_page_date_is_written_in_ascii_digits() -> None:
    # `Apr ２３` (fullwidth digits) is no date line: the date in force stays `Mar 3`, and no
    # record is left without a listing date and without a reason.
    text = (
        f"{HF_HEADER}Mar 3\n\nA Title\n\n{ABSTRACT}\n\nApr ２３\n\n"
        f"Second Title\n\n{OTHER_ABSTRACT}\n"
    )
    records = parse(text, year=2025)
    second = records.filter(pl.col("title") == "Second Title")
    assert second["listed_on"].to_list() == [dt.date(2025, 3, 3)]
    assert records.filter(pl.col("listed_on").is_null() & pl.col("reason").is_null()).is_empty()
