"""What `paperset build` prints when it is done: the figures and a query to try."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

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
