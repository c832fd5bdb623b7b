"""Match keys shared by the duplicate merger and the topic evaluation."""

from __future__ import annotations

import polars as pl


def title_key(title: pl.Expr) -> pl.Expr:
    """Normalise a title for exact matching: NFKC, lower case, letters and digits only."""
    key = title.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "")
    return pl.when(key != "").then(key)
