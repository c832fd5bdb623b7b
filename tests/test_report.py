from pathlib import Path

import polars as pl
import pytest

from paperset.errors import ErrorBudgetExceeded, InvariantBroken
from paperset.report import RunReport


def report() -> RunReport:
    return RunReport("20260101T000000Z-test", "2026-01-01T00:00:00+00:00", "raw", "out")


def test_records_that_do_not_add_up_fail_the_run() -> None:
    rejected = pl.DataFrame({"reason": ["empty abstract"]})
    with pytest.raises(InvariantBroken):
        report().count_records(read=3, accepted=1, rejected=rejected)


def test_lines_missing_from_the_records_fail_the_run() -> None:
    with pytest.raises(InvariantBroken, match="10 content lines read but 9 in records"):
        report().check_lines(10, 9)


def test_quarantined_reasons_are_counted_by_kind_not_by_quoted_value() -> None:
    run = report()
    reasons = ["impossible date: 2024-13-45", "impossible date: 2023-02-30", "empty abstract"]
    run.count_records(read=5, accepted=2, rejected=pl.DataFrame({"reason": reasons}))
    assert run.records.quarantined_by_reason == {"impossible date": 2, "empty abstract": 1}


def test_the_error_budget_counts_rejected_files_too() -> None:
    run = report()
    run.count_files(found=3, skipped=0, unchanged=0, parsed=2, quarantined=1)
    run.count_records(
        read=9, accepted=9, rejected=pl.DataFrame({"reason": []}, schema={"reason": pl.String})
    )
    with pytest.raises(ErrorBudgetExceeded, match="1 of 10"):
        run.check_error_budget(0.05)


def test_a_report_reads_back_as_written_and_an_older_one_takes_defaults(tmp_path: Path) -> None:
    run = report()
    run.count_files(found=3, skipped=0, unchanged=0, parsed=3, quarantined=0)
    run.count_records(
        read=9, accepted=9, rejected=pl.DataFrame({"reason": []}, schema={"reason": pl.String})
    )
    path = run.write(tmp_path)
    assert RunReport.read(path) == run
    older = run.to_json() | {"changes": {}, "papers": {"total": 4, "gone_figure": 1}}
    read = RunReport.from_json(older)
    assert (read.papers.total, read.papers.new, read.changes.feed) == (4, 0, None)
