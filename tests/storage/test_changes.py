"""The month × topic layout over runs: the change feed keeps a copy in sync, a re-run writes no
feed, a failed run none either, and a dataset in the old `date=` layout is migrated."""

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from helpers import ABSTRACT, OTHER_ABSTRACT, arxiv_record, hf_page
from helpers import build as build_dataset

from paperset.errors import ErrorBudgetExceeded
from paperset.storage import read_papers
from paperset.storage.changes import apply_changes, feed_path, net_changes

TWENTY_WORDS = (
    "We prove that every planar graph with girth at least five admits a proper coloring "
    "using three colors only."
)


def _write(raw: Path, name: str, text: str) -> None:
    raw.mkdir(exist_ok=True)
    (raw / name).write_text(text)


def _feed(out: Path, report: dict) -> pl.DataFrame | None:
    path = feed_path(out, report["run_id"])
    return pl.read_parquet(path) if path.is_file() else None


def test_a_copy_kept_by_applying_the_feeds_equals_the_dataset_run_after_run(
    tmp_path: Path,
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    copy: pl.DataFrame | None = None
    pages = hf_page(("Three Colors Suffice", TWENTY_WORDS), ("Old Landslides", OTHER_ABSTRACT))
    steps = [
        # a papers page: two title-only papers, listed in July
        ("hf_papers_2024-07-02.txt", pages.replace("Apr 22", "Jul 2")),
        # the first is listed on arXiv in June: renamed to its arXiv id, moved to 2024-06
        ("arxiv_listing_2024-06-30.txt", arxiv_record(abstract=TWENTY_WORDS)),
        # a second page: the other paper gains a source (an update), a new paper arrives
        (
            "hf_papers_2024-07-09.txt",
            hf_page(("Old Landslides", OTHER_ABSTRACT), ("In Context", ABSTRACT), date="Jul 9"),
        ),
    ]
    changes_seen: set[str] = set()
    feeds: list[pl.DataFrame] = []
    for name, text in steps:
        _write(raw, name, text)
        report = build_dataset(raw_dir=str(raw), out_dir=str(out))
        feed = _feed(out, report)
        assert feed is not None
        feeds.append(feed)
        changes_seen |= set(feed["change"])
        copy = apply_changes(
            copy if copy is not None else feed.clear().select(read_papers(out).columns), feed
        )
        assert copy.equals(read_papers(out).sort("paper_id"))
    assert changes_seen == {"added", "renamed", "updated"}
    renamed = feeds[1].filter(pl.col("change") == "renamed").row(0, named=True)
    assert renamed["paper_id"] == "arxiv:2407.00912"
    assert renamed["previous_paper_id"].startswith("title:")
    assert renamed["month"] == "2024-06"
    moved = read_papers(out).filter(pl.col("paper_id") == "arxiv:2407.00912")
    assert moved.select("date", "month").rows() == [(moved["published"][0], "2024-06")]
    net = net_changes(feeds)
    assert copy is not None
    assert apply_changes(copy.clear(), net).equals(read_papers(out).sort("paper_id"))


def test_a_rerun_with_no_change_writes_no_feed_and_says_so(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    _write(raw, "arxiv_listing_2024-06-30.txt", arxiv_record())
    build_dataset(raw_dir=str(raw), out_dir=str(out))
    again = build_dataset(raw_dir=str(raw), out_dir=str(out), full=True)
    assert again["changes"] == {"feed": None, "added": 0, "updated": 0, "removed": 0, "renamed": 0}
    assert len(list((out / "changes").glob("*.parquet"))) == 1


def test_a_run_over_the_error_budget_writes_no_feed(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    _write(raw, "bad.txt", arxiv_record(created="2024-13-45"))
    with pytest.raises(ErrorBudgetExceeded):
        build_dataset(raw_dir=str(raw), out_dir=str(out))
    assert not (out / "changes").exists() or not any((out / "changes").iterdir())


def test_a_dataset_in_the_day_layout_is_migrated_by_the_next_run(
    tmp_path: Path, sample_copy: Path
) -> None:
    out = tmp_path / "out"
    build_dataset(raw_dir=str(sample_copy), out_dir=str(out))
    made = read_papers(out).sort("paper_id")
    _to_day_layout(out)
    assert not list((out / "papers").glob("month=*"))
    report = build_dataset(raw_dir=str(sample_copy), out_dir=str(out))
    assert report["status"] == "succeeded"
    assert not list((out / "papers").glob("date=*"))
    assert read_papers(out).sort("paper_id").equals(made)


def _to_day_layout(out: Path) -> None:
    """Rewrite a dataset as the code before month × topic left it: `date=` folders, no `date`
    or `month` in the files, a merge state of version 1."""
    papers = read_papers(out)
    shutil.rmtree(out / "papers")
    for (day, topic), rows in papers.group_by("date", "topic"):
        folder = out / "papers" / f"date={day}" / f"topic={topic}"
        folder.mkdir(parents=True)
        rows.drop("date", "month", "topic").sort("paper_id").write_parquet(
            folder / "part-0.parquet"
        )
    state_file = out / "_meta" / "merge-state.json"
    state = json.loads(state_file.read_text())
    state["settings"] = {
        "version": 1,
        "partition": "day",
        **{k: v for k, v in state["settings"].items() if k in ("taxonomy", "near_duplicates")},
    }
    state_file.write_text(json.dumps(state))


def test_paperset_changes_prints_and_writes_the_net_changes_since_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    raw, out = tmp_path / "raw", tmp_path / "out"
    _write(raw, "arxiv_listing_2024-06-30.txt", arxiv_record())
    first = build_dataset(raw_dir=str(raw), out_dir=str(out))
    _write(raw, "hf_papers_2024-07-09.txt", hf_page(("In Context", OTHER_ABSTRACT), date="Jul 9"))
    second = build_dataset(raw_dir=str(raw), out_dir=str(out))
    unchanged = build_dataset(raw_dir=str(raw), out_dir=str(out))
    capsys.readouterr()

    net = tmp_path / "net.parquet"
    assert (
        main(["changes", "--out", str(out), "--since", first["run_id"], "--write", str(net)]) == 0
    )
    assert "1 committed runs since" in capsys.readouterr().out
    assert pl.read_parquet(net).equals(
        net_changes([pl.read_parquet(feed_path(out, second["run_id"]))])
    )
    assert main(["changes", "--out", str(out), "--since", unchanged["run_id"]]) == 0
    assert "0 committed runs since" in capsys.readouterr().out
    assert main(["changes", "--out", str(out), "--since", "20200101T000000Z-nosuchrun"]) == 2
    assert "is not a run of" in capsys.readouterr().err
