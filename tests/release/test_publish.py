"""`paperset publish` end to end on a dataset built by the build flow."""

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import REPO, SAMPLE
from helpers import ABSTRACT, OTHER_ABSTRACT, arxiv_record, hf_page
from polars.testing import assert_frame_equal

from flows.build import build_dataset
from flows.cli import main
from flows.publish import publish_dataset
from paperset.release.manifest import verify_release
from paperset.schema import column_table_markdown
from paperset.storage import read_papers
from paperset.taxonomy import taxonomy_table_markdown
from paperset.topics.evaluate import evaluate_topics, load_labels

LABELS = REPO / "data" / "labels" / "topics_dev.json"
UPDATED_ID = "2406.05488"  # an arXiv-only paper of the sample


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    root = tmp_path_factory.mktemp("publish")
    shutil.copytree(SAMPLE, root / "raw")
    build_dataset(raw_dir=str(root / "raw"), out_dir=str(root / "out"))
    return root


@pytest.fixture(scope="module")
def release(dataset: Path) -> Path:
    out = dataset / "out"
    assert main(["publish", "--version", "1.0.0", "--out", str(out), "--labels", str(LABELS)]) == 0
    return out / "releases" / "1.0.0"


@pytest.fixture(scope="module")
def second(
    tmp_path_factory: pytest.TempPathFactory, dataset: Path, release: Path
) -> dict[str, Any]:
    """Release 1.1.0, by the flow, after dumps with two new papers and one revised paper."""
    root = tmp_path_factory.mktemp("second")
    shutil.copytree(dataset / "raw", root / "raw")
    shutil.copytree(dataset / "out", root / "out")
    known = read_papers(root / "out").filter(pl.col("arxiv_id") == UPDATED_ID).row(0, named=True)
    page = hf_page(
        ("Sparse Probing of Curated Reasoning Traces", ABSTRACT),
        ("Landslide Mapping from Fused Optical and Elevation Data", OTHER_ABSTRACT),
    )
    (root / "raw" / "papers-2025-04-22.txt").write_text(page)
    revision = arxiv_record(
        known["abstract"], UPDATED_ID, str(known["published"]), "2024-07-01", ("Accepted at ICML",)
    )
    (root / "raw" / "listing-revision.txt").write_text(revision)
    build_dataset(raw_dir=str(root / "raw"), out_dir=str(root / "out"))
    return publish_dataset(version="1.1.0", out_dir=str(root / "out"), labels=str(LABELS))


def card_of(release: Path) -> tuple[dict[str, Any], str]:
    """Split the card into its YAML front matter, parsed, and its markdown body."""
    _, front, body = (release / "README.md").read_text().split("---\n", 2)
    return yaml.safe_load(front), body


def test_publish_command_writes_a_release_whose_files_match_its_manifest(release: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        data = (release / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["bytes"], entry["sha256"])
    assert {"README.md", "croissant.json", "CHANGELOG.md"} <= set(manifest["files"])
    assert manifest["rows"] == 268
    assert verify_release(release) == []


def test_card_front_matter_parses_and_its_data_files_glob_matches_every_shard(
    release: Path,
) -> None:
    front, _ = card_of(release)
    assert {"license", "pretty_name", "size_categories", "task_categories", "tags"} <= set(front)
    [config] = front["configs"]
    matched = {
        p.relative_to(release).as_posix()
        for d in config["data_files"]
        for p in release.glob(d["path"])
    }
    manifest = json.loads((release / "manifest.json").read_text())
    assert matched == {name for name in manifest["files"] if name.endswith(".parquet")}


def test_card_shows_the_schema_column_table_the_taxonomy_and_the_chart(release: Path) -> None:
    _, body = card_of(release)
    assert column_table_markdown() in body
    assert taxonomy_table_markdown() in body
    chart = body.split("![Papers per month by topic](")[1].split(")")[0]
    assert (release / chart).read_bytes().startswith(b"\x89PNG")


def test_card_reports_the_accuracy_of_the_released_topics_against_the_labels(release: Path) -> None:
    released = pl.read_parquet(release / "data" / "*.parquet")
    overall = evaluate_topics(released, load_labels(LABELS)).overall
    _, body = card_of(release)
    assert (
        f"**Measured accuracy: {overall.accuracy:.1%}** ({overall.correct} of {overall.labelled}"
        in body
    )


def test_flat_export_is_the_committed_dataset_sorted_with_date_and_topic_inside(
    dataset: Path, release: Path
) -> None:
    files = sorted((release / "data").glob("*.parquet"))
    assert all({"date", "topic"} <= set(pq.read_schema(f).names) for f in files)
    committed = read_papers(dataset / "out").sort("date", "topic", "paper_id")
    assert_frame_equal(pl.read_parquet(files), committed)


def test_flat_export_loads_in_duckdb_polars_and_pandas_with_typed_date_and_topic(
    release: Path,
) -> None:
    glob = str(release / "data" / "*.parquet")
    row = duckdb.execute(
        "SELECT typeof(date), typeof(topic), count(*) FROM read_parquet(?) GROUP BY ALL", [glob]
    )
    assert row.fetchall() == [("DATE", "VARCHAR", 268)]
    assert pl.read_parquet(glob).schema["date"] == pl.Date
    frame = pd.read_parquet(release / "data", dtype_backend="pyarrow")
    assert (str(frame["date"].dtype), len(frame)) == ("date32[day][pyarrow]", 268)
    assert pd.api.types.is_string_dtype(frame["topic"])


def test_publishing_an_existing_version_again_is_a_one_line_refusal(
    release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["publish", "--version", "1.0.0", "--out", str(release.parents[1])])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("paperset: error: release 1.0.0 already exists") and err.count("\n") == 1


def test_a_dataset_whose_files_do_not_match_its_manifest_is_refused(
    tmp_path: Path, dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(dataset / "out", tmp_path / "out")
    victim = next((tmp_path / "out" / "papers").rglob("*.parquet"))
    victim.write_bytes(victim.read_bytes() + b"tampered")
    assert main(["publish", "--version", "2.0.0", "--out", str(tmp_path / "out")]) == 2
    assert "does not verify against its manifest" in capsys.readouterr().err
    assert not (tmp_path / "out" / "releases" / "2.0.0").exists()


def test_second_release_changelog_counts_the_new_and_revised_papers(second: dict[str, Any]) -> None:
    changelog = (Path(second["path"]) / "CHANGELOG.md").read_text()
    assert "270 papers: 2 added, 1 updated, 0 removed since 1.0.0." in changelog
    assert f"`arxiv:{UPDATED_ID}`" in changelog.split("### Updated")[1]


def test_second_release_changelog_keeps_the_first_release_below_it(second: dict[str, Any]) -> None:
    changelog = (Path(second["path"]) / "CHANGELOG.md").read_text()
    assert (
        changelog.index("## 1.1.0")
        < changelog.index("## 1.0.0 ")
        < changelog.index("First release: 268")
    )


def test_publish_dataset_flow_returns_the_verified_release_it_built(second: dict[str, Any]) -> None:
    assert second["version"] == "1.1.0"
    assert verify_release(Path(second["path"])) == []
    assert second["lines"][0].startswith("built release 1.1.0")
