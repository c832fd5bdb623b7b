"""Markdown building blocks for the card and the changelog."""

from __future__ import annotations

import polars as pl


def table(frame: pl.DataFrame) -> str:
    """Render a frame as a markdown table, its column names as the header."""
    cells = [pl.col(name).cast(pl.String).fill_null("") for name in frame.columns]
    rows = frame.select(pl.format("| {} |", pl.concat_str(cells, separator=" | ")))
    header = f"| {' | '.join(frame.columns)} |"
    rule = "|" + "---|" * frame.width
    return "\n".join([header, rule, *rows.to_series().to_list()])


def fenced(language: str, code: str) -> str:
    """Wrap code in a fenced block."""
    return f"```{language}\n{code.strip()}\n```"


def percent(share: float) -> str:
    """Format a share as a percentage with one decimal."""
    return f"{share:.1%}"
