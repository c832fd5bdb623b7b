import json
import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow.parquet as pq

from paperset.taxonomy import TOPIC_SLUGS


def test_sample_builds_268_papers_258_titled_and_10_arxiv_only(
    built_sample: tuple[Path, dict[str, Any]],
) -> None:
    out, report = built_sample
    assert (
        report["papers"]["total"],
        report["papers"]["titled"],
        report["papers"]["arxiv_only"],
    ) == (268, 258, 10)
    assert report["records"] == report["records"] | {"read": 281, "accepted": 281, "quarantined": 0}
    assert (
        json.loads((out / "runs" / f"{report['run_id']}.json").read_text())["status"] == "succeeded"
    )


def test_partitions_are_hive_paths_with_keys_out_of_the_files(
    built_sample: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = built_sample
    files = sorted((out / "papers").rglob("*.parquet"))
    pattern = re.compile(r"month=\d{4}-\d{2}/topic=([a-z-]+)/part-0\.parquet$")
    for file in files:
        match = pattern.search(file.relative_to(out / "papers").as_posix())
        assert match and match.group(1) in TOPIC_SLUGS
        assert not {"month", "topic"} & set(pq.read_schema(file).names)
        assert "date" in pq.read_schema(file).names
    assert sum(pq.read_metadata(f).num_rows for f in files) == 268


def test_duckdb_reads_date_back_as_date(built_sample: tuple[Path, dict[str, Any]]) -> None:
    out, _ = built_sample
    glob = f"{out}/papers/**/*.parquet"
    row = duckdb.execute(
        "SELECT typeof(date), typeof(month), typeof(topic), count(*) "
        "FROM read_parquet(?, hive_partitioning = true, "
        "hive_types = {'month': VARCHAR, 'topic': VARCHAR}) GROUP BY ALL",
        [glob],
    ).fetchall()
    assert row == [("DATE", "VARCHAR", "VARCHAR", 268)]


def test_a_query_filtered_on_month_reads_only_that_months_files(
    built_sample: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = built_sample
    months = sorted(p.name for p in (out / "papers").glob("month=*"))
    month = months[0].split("=")[1]
    expected = len(list((out / "papers" / months[0]).rglob("*.parquet")))
    plan = duckdb.execute(
        "EXPLAIN ANALYZE SELECT count(*) FROM read_parquet(?, hive_partitioning = true, "
        "hive_types = {'month': VARCHAR, 'topic': VARCHAR}) WHERE month = ?",
        [f"{out}/papers/**/*.parquet", month],
    ).fetchall()
    text = "\n".join(str(cell) for row in plan for cell in row)
    assert re.findall(r"Total Files Read: (\d+)", text) == [str(expected)]
    assert expected < len(list((out / "papers").rglob("*.parquet")))


def test_paper_ids_are_unique_and_repeated_titles_were_merged(
    built_sample: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = built_sample
    papers = pl.scan_parquet(out / "papers", hive_partitioning=True).collect()
    assert papers["paper_id"].n_unique() == 268
    assert papers.filter(pl.col("n_sightings") > 1).height == 13


def artifact_data(key: str) -> str:
    """The newest artifact's data, asked of the API directly.

    (prefect 3.8.8's own client sends null paging fields that its server, under the
    pinned FastAPI, rejects; the raw request is the same query with them set.)
    """
    from prefect.client.orchestration import get_client

    body = {
        "artifacts": {"key": {"any_": [key]}},
        "limit": 1,
        "offset": 0,
        "sort": "UPDATED_DESC",
    }
    with get_client(sync_client=True) as client:
        response = client._client.post("/artifacts/filter", json=body)
    response.raise_for_status()
    return str(response.json()[0]["data"])


def test_the_run_leaves_summary_and_per_topic_artifacts_in_prefect(
    built_sample: tuple[Path, dict[str, Any]],
) -> None:
    assert "268" in artifact_data("build-summary")
    assert "efficient-ml" in artifact_data("build-topics")
