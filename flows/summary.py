"""How a build tells people about itself: what `paperset build` prints when it is done, and
the Prefect artifacts of a flow run (the figures, papers per topic)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from paperset.report import RunReport


def print_build_summary(report: RunReport, out: Path) -> None:
    """Print papers, papers per topic, where the output is and a DuckDB query to try."""
    papers, records = report.papers, report.records
    print()
    print(
        f"paperset: {papers.total} papers ({papers.titled} with a title, "
        f"{papers.arxiv_only} arXiv-only); {papers.new} new, {papers.updated} updated"
    )
    files = ", ".join(f"{n} {what}" for what, n in asdict(report.files).items())
    print(
        f"records: {records.read} read = {records.accepted} accepted "
        f"+ {records.quarantined} quarantined; files: {files}"
    )
    print("papers per topic:")
    for topic, count in papers.per_topic.items():
        print(f"  {topic:<28}{count:>6}")
    print(f"dataset:    {out / 'papers'}/month=YYYY-MM/topic=<slug>/")
    print(f"quarantine: {out / 'quarantine'}/   report: {report.outputs['report']}")
    print("try:")
    print(
        f'  uv run python -c "import duckdb; print(duckdb.sql(\\"SELECT topic, count(*) AS papers '
        f"FROM read_parquet('{out}/papers/**/*.parquet', hive_partitioning = true, "
        f"hive_types = {{'month': VARCHAR, 'topic': VARCHAR}}) "
        f'GROUP BY topic ORDER BY papers DESC\\"))"'
    )


def summary_markdown(report: RunReport) -> str:
    """Render the report's headline figures as markdown for people and Prefect."""
    papers, records = report.papers, report.records
    lines = [
        f"# paperset run `{report.run_id}`: {report.status}",
        "",
        f"- **papers**: {papers.total} ({papers.titled} titled, {papers.arxiv_only} arXiv-only), "
        f"{papers.new} new, {papers.updated} updated",
        f"- **records**: {records.read} read = {records.accepted} accepted "
        f"+ {records.quarantined} quarantined",
        f"- **files**: {asdict(report.files)}",
        f"- **partitions**: {asdict(report.partitions)}",
    ]
    if report.failure:
        lines.append(f"- **failure**: {report.failure}")
    lines += ["", "| topic | papers |", "|---|---|"]
    lines += [f"| {topic} | {n} |" for topic, n in papers.per_topic.items()]
    return "\n".join(lines) + "\n"


def topic_table(report: RunReport) -> list[dict[str, Any]]:
    """Papers per topic as table rows, largest first, for the Prefect table artifact."""
    per_topic = report.papers.per_topic
    total = sum(per_topic.values()) or 1
    return [
        {"topic": topic, "papers": n, "share": f"{n / total:.1%}"}
        for topic, n in sorted(per_topic.items(), key=lambda item: (-item[1], item[0]))
    ]


def publish_summary(report: RunReport) -> None:
    """Show the run's summary in Prefect; the report file is the record, this is a courtesy.

    A committed run must not turn into a failed one because the API is unreachable. Nothing
    is shown for a run refused before it started (no report was written).
    """
    if "report" not in report.outputs:
        return
    logger = get_run_logger()
    try:
        create_markdown_artifact(
            markdown=summary_markdown(report), key="build-summary", description="paperset build"
        )
        create_table_artifact(
            table=topic_table(report), key="build-topics", description="papers per topic"
        )
    except Exception as error:  # the dataset and runs/<run_id>.json are already written
        logger.warning("could not create the build-summary artifact: %s", error)
    logger.info("run %s %s: %s papers", report.run_id, report.status, report.papers.total)
