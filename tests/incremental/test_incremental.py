"""Across runs: merging into the existing dataset, re-runs, and runs split differently.

Built with `paperset.pipeline` directly: the incremental logic needs no Prefect; the flow's
wiring is tested in test_build_flow and test_schedule."""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLE
from helpers import ABSTRACT, OTHER_ABSTRACT, arxiv_record, hf_page
from helpers import build as build_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperset.storage import read_papers, verify_manifest
from paperset.storage.commit import CRASH_ENV

SEEDS = sorted(p.name for p in SAMPLE.iterdir())


def raw_with(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(SAMPLE / name, folder / name)
    return folder


def comparable(out: Path) -> pl.DataFrame:
    return read_papers(out).drop("ingested_at").sort("paper_id")


def test_new_dumps_in_a_second_run_merge_into_the_dataset(tmp_path: Path) -> None:
    build_dataset(
        raw_dir=str(raw_with(tmp_path / "day1", SEEDS[:3])), out_dir=str(tmp_path / "split")
    )
    build_dataset(
        raw_dir=str(raw_with(tmp_path / "day2", SEEDS[3:])), out_dir=str(tmp_path / "split")
    )
    build_dataset(raw_dir=str(raw_with(tmp_path / "all", SEEDS)), out_dir=str(tmp_path / "whole"))
    split, whole = comparable(tmp_path / "split"), comparable(tmp_path / "whole")
    assert split.height == 268
    assert split.equals(whole)


def test_a_run_removes_its_spill_and_one_a_dead_run_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / "_meta" / "run-work" / "dead-run" / "texts" / "part-00000.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a run that died while reading")
    report = build_dataset(raw_dir=str(raw_with(tmp_path / "raw", SEEDS)), out_dir=str(out))
    assert report["papers"]["total"] == 268
    assert not (out / "_meta" / "run-work").exists()


def test_a_rerun_over_unchanged_input_rewrites_nothing(tmp_path: Path) -> None:
    raw = raw_with(tmp_path / "raw", SEEDS)
    build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    manifest = (tmp_path / "out" / "_meta" / "manifest.json").read_text()
    report = build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    assert report["partitions"]["written"] == 0 and report["partitions"]["removed"] == 0
    assert (report["papers"]["new"], report["papers"]["updated"]) == (0, 0)
    assert (
        json.loads((tmp_path / "out" / "_meta" / "manifest.json").read_text())["files"]
        == json.loads(manifest)["files"]
    )


def test_a_papers_page_naming_two_arxiv_only_papers_gives_them_titles(tmp_path: Path) -> None:
    raw = raw_with(tmp_path / "raw", SEEDS)
    listing = (SAMPLE / SEEDS[0]).read_text().split("\n\n")
    abstracts = [listing[0], listing[3]]  # the first two records' abstract paragraphs
    page = hf_page(
        ("Weak Gravity Bounds From Loops", abstracts[0]),
        ("One-Loop Positivity Bounds", abstracts[1]),
        date="Feb 20",
    )
    (raw / "extra-page.txt").write_text(page)
    report = build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    assert (report["papers"]["total"], report["papers"]["arxiv_only"]) == (268, 8)
    titled = read_papers(tmp_path / "out").filter(
        pl.col("arxiv_id").is_in(["2502.10375", "2501.09717"])
    )
    assert sorted(titled["title"].to_list()) == [
        "One-Loop Positivity Bounds",
        "Weak Gravity Bounds From Loops",
    ]


def _extra_page(raw: Path) -> Path:
    """A page re-listing the first arXiv-only record, a word edited, and a brand-new paper."""
    listing = (SAMPLE / SEEDS[0]).read_text().split("\n\n")
    first, edited = listing[0].split(" ", 1)
    page = hf_page(
        ("Weak Gravity Bounds From Loops", f"{first} {edited.replace(' the ', ' our ', 1)}"),
        ("A Paper Nobody Has Listed Before", OTHER_ABSTRACT),
        date="Feb 20",
    )
    (raw / "extra-page.txt").write_text(page)
    return raw


def test_an_incremental_run_re_merges_only_the_papers_its_new_dumps_touch(tmp_path: Path) -> None:
    raw, out = raw_with(tmp_path / "raw", SEEDS), tmp_path / "out"
    first = build_dataset(raw_dir=str(raw), out_dir=str(out))
    report = build_dataset(raw_dir=str(_extra_page(raw)), out_dir=str(out))
    assert first["papers"]["sightings_remerged"] == 281
    # The new page's two sightings and the one listing record its first paper matches.
    assert (report["papers"]["sightings_remerged"], report["papers"]["remade"]) == (3, 2)
    assert (report["papers"]["new"], report["papers"]["updated"]) == (1, 1)
    assert report["papers"]["total"] == 269
    assert report["partitions"]["written"] <= 3
    # The new texts' band hashes and sketches are appended in files of their own.
    state = json.loads((out / "_meta" / "merge-state.json").read_text())
    assert (len(state["bands"]), len(state["sketches"])) == (2, 2)
    sketched = pl.concat([pl.read_parquet(out / "_meta" / name) for name in state["sketches"]])
    banded = pl.concat([pl.read_parquet(out / "_meta" / name) for name in state["bands"]])
    assert sketched["text_hash"].sort().equals(banded["text_hash"].unique().sort())
    whole = tmp_path / "whole"
    build_dataset(raw_dir=str(raw), out_dir=str(whole))
    assert comparable(out).equals(comparable(whole))


def test_a_merge_state_from_before_sketches_were_stored_is_used_as_it_is(
    tmp_path: Path,
) -> None:
    # Its stored texts have no sketches: those the screen needs are computed from them.
    out = tmp_path / "split"
    build_dataset(raw_dir=str(raw_with(tmp_path / "day1", SEEDS[:3])), out_dir=str(out))
    state_file = out / "_meta" / "merge-state.json"
    state = json.loads(state_file.read_text())
    for name in state.pop("sketches"):
        (out / "_meta" / name).unlink()
    state_file.write_text(json.dumps(state))
    report = build_dataset(raw_dir=str(raw_with(tmp_path / "day2", SEEDS[3:])), out_dir=str(out))
    assert report["papers"]["sightings_remerged"] < 281  # the state was still current
    assert len(json.loads(state_file.read_text())["sketches"]) == 1
    build_dataset(raw_dir=str(raw_with(tmp_path / "all", SEEDS)), out_dir=str(tmp_path / "whole"))
    assert comparable(out).equals(comparable(tmp_path / "whole"))


BUILD_IN_A_PROCESS = """
import sys
sys.path.insert(0, sys.argv[3])
from helpers import build
build(sys.argv[1], sys.argv[2])
"""


@pytest.mark.parametrize("point", ["replaced-one", "feed-published"])
def test_a_run_after_a_commit_that_died_re_merges_everything_and_converges(
    tmp_path: Path, point: str
) -> None:
    # Partitions on disk may hold the dead commit's rows, which neither the manifest nor
    # the merge index describe: the index cannot be trusted, the next run re-makes it all.
    out = tmp_path / "split"
    build_dataset(raw_dir=str(raw_with(tmp_path / "day1", SEEDS[:3])), out_dir=str(out))
    day2 = raw_with(tmp_path / "day2", SEEDS[3:])
    command = [sys.executable, "-c", BUILD_IN_A_PROCESS, str(day2), str(out)]
    tests = str(Path(__file__).parents[1])
    died = subprocess.run([*command, tests], env={**os.environ, CRASH_ENV: point}, check=False)
    assert died.returncode == -signal.SIGKILL
    report = build_dataset(raw_dir=str(day2), out_dir=str(out))
    assert report["papers"]["sightings_remerged"] == 281
    assert verify_manifest(out) == []
    build_dataset(raw_dir=str(raw_with(tmp_path / "all", SEEDS)), out_dir=str(tmp_path / "whole"))
    assert comparable(out).equals(comparable(tmp_path / "whole"))


def test_a_change_of_the_contracts_columns_re_makes_every_paper(tmp_path: Path) -> None:
    # A run validates only the papers it re-makes: rows of an older contract must not be
    # carried over unvalidated.
    out = tmp_path / "split"
    build_dataset(raw_dir=str(raw_with(tmp_path / "day1", SEEDS[:3])), out_dir=str(out))
    state_file = out / "_meta" / "merge-state.json"
    state = json.loads(state_file.read_text())
    state["settings"]["schema"] = "the columns of an older contract"
    state_file.write_text(json.dumps(state))
    report = build_dataset(raw_dir=str(raw_with(tmp_path / "day2", SEEDS[3:])), out_dir=str(out))
    assert report["papers"]["sightings_remerged"] == 281


def test_a_stale_merge_state_makes_the_run_re_merge_everything(tmp_path: Path) -> None:
    out = tmp_path / "split"
    build_dataset(raw_dir=str(raw_with(tmp_path / "day1", SEEDS[:3])), out_dir=str(out))
    state_file = out / "_meta" / "merge-state.json"
    state = json.loads(state_file.read_text())
    # As if a run had died after committing the dataset and before writing its state.
    state_file.write_text(json.dumps({**state, "dataset_run_id": "a-run-that-died"}))
    report = build_dataset(raw_dir=str(raw_with(tmp_path / "day2", SEEDS[3:])), out_dir=str(out))
    assert report["papers"]["sightings_remerged"] == 281
    state = json.loads(state_file.read_text())
    assert len(state["bands"]) == 1 and len(list((out / "_meta" / "sightings").iterdir())) == 1
    build_dataset(raw_dir=str(raw_with(tmp_path / "all", SEEDS)), out_dir=str(tmp_path / "whole"))
    assert comparable(out).equals(comparable(tmp_path / "whole"))


def test_a_dataset_from_before_the_merge_index_is_migrated(tmp_path: Path) -> None:
    out = tmp_path / "split"
    build_dataset(raw_dir=str(raw_with(tmp_path / "day1", SEEDS[:3])), out_dir=str(out))
    meta = out / "_meta"
    state = json.loads((meta / "merge-state.json").read_text())
    index = pl.read_parquet(meta / state["index"])
    stored = pl.concat([pl.read_parquet(p) for p in (meta / "sightings").glob("*.parquet")])
    legacy = stored.join(
        index.select("sighting_key", "source_file", "line", prior_paper_id="paper_id"),
        on=["sighting_key", "source_file", "line"],
    )
    named = [state["index"], state["links"], *state["bands"], *state["sketches"]]
    for name in ["merge-state.json", *named]:
        (meta / name).unlink()
    shutil.rmtree(meta / "sightings")
    legacy.write_parquet(meta / "sightings.parquet")
    build_dataset(raw_dir=str(raw_with(tmp_path / "day2", SEEDS[3:])), out_dir=str(out))
    build_dataset(raw_dir=str(raw_with(tmp_path / "all", SEEDS)), out_dir=str(tmp_path / "whole"))
    assert comparable(out).equals(comparable(tmp_path / "whole"))
    assert not (meta / "sightings.parquet").exists()


def test_papers_a_guard_kept_apart_are_re_merged_together(tmp_path: Path) -> None:
    edited = ABSTRACT.replace("handful", "small number")
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    listing = [arxiv_record(ABSTRACT, "2407.00001"), arxiv_record(edited, "2407.00002")]
    (raw / "listing-1.txt").write_text("\n\n".join(listing) + "\n")
    first = build_dataset(raw_dir=str(raw), out_dir=str(out))
    assert first["papers"]["total"] == 2  # near-identical abstracts, but different arXiv ids
    # A revision of the first paper, its abstract rewritten: linked by its id only.
    revision = arxiv_record(OTHER_ABSTRACT, "2407.00001", updated="2024-07-09")
    (raw / "listing-2.txt").write_text(revision + "\n")
    report = build_dataset(raw_dir=str(raw), out_dir=str(out))
    # The second paper is re-merged too: the index records its link to the first.
    assert report["papers"]["sightings_remerged"] == 3
    build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "whole"))
    assert comparable(out).equals(comparable(tmp_path / "whole"))


def test_a_bucket_a_run_fills_past_or_empties_below_the_limit_re_merges_its_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Buckets of more than MAX_BUCKET texts are boilerplate: no pair is found through them.
    # Whether one is depends on every text, so a run that takes a bucket over the limit,
    # or back under it, must re-merge the papers linked through it as a full build would.
    monkeypatch.setattr("paperset.dedup.minhash.MAX_BUCKET", 3)
    edited = ABSTRACT.replace("handful", "small number")
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "page-1.txt").write_text(hf_page(("Gradient Descent", ABSTRACT), ("Few Shots", edited)))
    # Three texts with the same shingles (case and punctuation aside) fill every bucket of
    # the first abstract past the limit: no bucket links the first two.
    copies = [ABSTRACT.upper(), ABSTRACT.replace(",", ";"), ABSTRACT.lower()]
    titles = ["Upper Case Copy", "Semicolon Copy", "Lower Case Copy"]
    crowded = hf_page(*zip(titles, copies, strict=True), date="Apr 23")
    (raw / "page-2.txt").write_text(crowded)
    assert build_dataset(raw_dir=str(raw), out_dir=str(out))["papers"]["total"] == 5
    # The copies replaced by an unrelated paper: the buckets are small again, and the two
    # near-identical abstracts (no ids keep them apart) make one paper.
    (raw / "page-2.txt").write_text(hf_page(("Landslides", OTHER_ABSTRACT), date="Apr 23"))
    assert build_dataset(raw_dir=str(raw), out_dir=str(out))["papers"]["total"] == 2
    assert _without_aliases(out).equals(_without_aliases(_built_whole(raw, tmp_path / "w2")))
    # The copies back, in a new dump.
    (raw / "page-3.txt").write_text(crowded)
    assert build_dataset(raw_dir=str(raw), out_dir=str(out))["papers"]["total"] == 6
    assert _without_aliases(out).equals(_without_aliases(_built_whole(raw, tmp_path / "w3")))


def _without_aliases(out: Path) -> pl.DataFrame:
    # A paper remembers the ids it had in earlier runs (by design); all else matches.
    return comparable(out).drop("aliases")


def _built_whole(raw: Path, out: Path) -> Path:
    build_dataset(raw_dir=str(raw), out_dir=str(out))
    return out


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(runs=st.lists(st.integers(0, 3), min_size=len(SEEDS), max_size=len(SEEDS)))
def test_any_split_of_the_sample_into_runs_gives_the_one_shot_dataset(
    tmp_path_factory: pytest.TempPathFactory, runs: list[int]
) -> None:
    """Each seed file arrives in the run its number names (runs with no new file re-run)."""
    root = tmp_path_factory.mktemp("split")
    raw, out = root / "raw", root / "out"
    raw.mkdir()
    for run in range(max(runs) + 1):
        raw_with(raw, [name for name, arrives in zip(SEEDS, runs, strict=True) if arrives == run])
        build_dataset(raw_dir=str(raw), out_dir=str(out))
    assert _without_aliases(out).equals(_without_aliases(_built_whole(raw, root / "whole")))
