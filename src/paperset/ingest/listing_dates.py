"""Give papers-page dates (`Apr 22`, no year) their year, as CONTRACT §1 orders it."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_in_file_name(name: str) -> dt.date | None:
    """Return the first real date written `YYYY-MM-DD` or `YYYYMMDD` in a file name.

    >>> date_in_file_name("papers_2025-04-22.txt"), date_in_file_name("20250422.txt")
    (datetime.date(2025, 4, 22), datetime.date(2025, 4, 22))
    >>> date_in_file_name("001_55eca435b359958c.txt") is None
    True
    """
    for match in _NAME_DATE.finditer(name):
        try:
            found = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
        if 1991 <= found.year <= 2100:
            return found
    return None


def resolve_listed_on(records: pl.LazyFrame) -> pl.LazyFrame:
    """Add `listed_on` from `listing_month`/`listing_day` and the file's year evidence.

    Expects per record `name_date` (date in the file name), `given_year` (the user's)
    and `mtime_date`. Order: the name's date picks the nearest year to it; else the
    given year; else the latest such date not after the file's modification time.
    """
    keys = ["name_date", "given_year", "mtime_date", "listing_month", "listing_day"]
    # A file's records share all but a few of these: each distinct one is resolved once.
    distinct = records.select(keys).unique().with_columns(listed_on=_listed_on())
    return records.join(distinct, on=keys, how="left", nulls_equal=True, maintain_order="left")


def _listed_on() -> pl.Expr:
    month = pl.col("listing_month").replace_strict(
        list(_MONTHS), list(range(1, 13)), default=None, return_dtype=pl.Int32
    )
    reference = pl.coalesce("name_date", "mtime_date")
    candidates = [_date(reference.dt.year() + shift, month) for shift in (-1, 0, 1)]
    nearest = _nearest_to(reference, candidates)
    latest_not_after = pl.coalesce([pl.when(c <= reference).then(c) for c in reversed(candidates)])
    return (
        pl.when(pl.col("name_date").is_not_null())
        .then(nearest)
        .when(pl.col("given_year").is_not_null())
        .then(_date(pl.col("given_year"), month))
        .otherwise(latest_not_after)
    )


def _date(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    """Build a date, null where it does not exist (`Feb 29` in a common year)."""
    parts = [year.cast(pl.String), month.cast(pl.String).str.zfill(2)]
    day = pl.col("listing_day").cast(pl.String).str.zfill(2)
    return pl.concat_str([*parts, day], separator="-").str.to_date("%Y-%m-%d", strict=False)


def _nearest_to(reference: pl.Expr, candidates: list[pl.Expr]) -> pl.Expr:
    distances = [(c - reference).dt.total_days().abs() for c in candidates]
    best = pl.min_horizontal(distances)
    return pl.coalesce(
        [pl.when(d == best).then(c) for d, c in zip(distances, candidates, strict=True)]
    )
