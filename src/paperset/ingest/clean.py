"""Clean text fields as CONTRACT §3 says, with polars expressions only.

LaTeX accents become a letter plus a Unicode combining mark, which NFC then composes
(`\\"o` → `o` + U+0308 → `ö`), so one regex per accent covers every letter. Math such as
`$O(10)$` is left as written: none of these patterns matches a math command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import polars as pl

_ACCENT_MARKS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
}
_LETTER_ACCENT_MARKS = {
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_SPECIAL_LETTERS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
}
_ESCAPED = "%&#_{}$"
TEXT_FIELDS = ("title", "abstract", "comments")
_LETTER = r"([A-Za-z])"


def _rx(text: str) -> str:
    """Escape a literal for the regex engine."""
    return "".join(f"\\{ch}" if not ch.isalnum() else ch for ch in text)


class LatexRule(NamedTuple):
    """One pass of `decode_latex`, and the literals one of which any text it matches holds."""

    pattern: str
    replacement: str
    triggers: tuple[str, ...]


def _latex_rules() -> list[LatexRule]:
    """The passes of `decode_latex`, in order."""
    # `\\` is a forced line break: a space, and never the start of an escape.
    # Dotless i and j under an accent (`\\'{\\i}`) are plain i and j once composed.
    rules = [
        LatexRule(r"\\\\", " ", ("\\\\",)),
        LatexRule(r"\\([ij])\b", "${1}", ("\\i", "\\j")),
    ]
    for macro, mark in _ACCENT_MARKS.items():
        accent, trigger = r"\\" + _rx(macro), ("\\" + macro,)
        rules += [
            LatexRule(r"\{" + accent + r"\s*" + _LETTER + r"\}", "${1}" + mark, trigger),
            LatexRule(accent + r"\s*\{" + _LETTER + r"\}", "${1}" + mark, trigger),
            LatexRule(accent + _LETTER, "${1}" + mark, trigger),
        ]
    for macro, mark in _LETTER_ACCENT_MARKS.items():
        trigger = ("\\" + macro,)
        rules += [
            LatexRule(r"\{\\" + macro + r"\s+" + _LETTER + r"\}", "${1}" + mark, trigger),
            LatexRule(r"\\" + macro + r"\s*\{" + _LETTER + r"\}", "${1}" + mark, trigger),
        ]
    for macro, letter in _SPECIAL_LETTERS.items():
        trigger = ("\\" + macro,)
        rules += [
            LatexRule(r"\{\\" + macro + r"\}", letter, trigger),
            LatexRule(r"\\" + macro + r"(\{\}|\b)", letter, trigger),
        ]
    escapes = tuple("\\" + ch for ch in _ESCAPED)
    return [*rules, LatexRule(r"\\([" + _rx(_ESCAPED) + r"])", "${1}", escapes)]


_LATEX_RULES = _latex_rules()
_TRIGGERS = sorted({trigger for rule in _LATEX_RULES for trigger in rule.triggers})


def decode_latex(text: pl.Expr, rules: Sequence[LatexRule] = _LATEX_RULES) -> pl.Expr:
    """Decode LaTeX accent macros (`\\"o`, `\\'{e}`, `{\\c c}`) and escapes (`\\%`)."""
    for rule in rules:
        text = text.str.replace_all(rule.pattern, rule.replacement)
    return text


def may_hold_latex(text: pl.Expr) -> pl.Expr:
    """Whether `decode_latex` could change the text: it holds a rule's trigger (null: no)."""
    return text.str.contains_any(_TRIGGERS).fill_null(False)


def rules_for(records: pl.DataFrame) -> list[LatexRule]:
    """The passes of `decode_latex` that can change any text field of `records`, in order.

    A pass matches only text holding one of its triggers, and no pass writes a backslash,
    so one whose triggers are nowhere in the records can match neither before nor after the
    others: leaving it out changes nothing (a property test holds this).
    """
    present = set()
    for field in TEXT_FIELDS:
        found = records[field].str.extract_many(_TRIGGERS, overlapping=True).explode()
        present.update(found.drop_nulls().unique().to_list())
    return [rule for rule in _LATEX_RULES if present.intersection(rule.triggers)]


def composed(text: pl.Expr) -> pl.Expr:
    """NFC, computed only for text with a non-ASCII character: ASCII text is NFC as it is."""
    non_ascii = text.str.len_bytes() != text.str.len_chars()
    return pl.coalesce(pl.when(non_ascii).then(text).str.normalize("NFC"), text)


def collapse_whitespace(text: pl.Expr) -> pl.Expr:
    """Collapse every run of whitespace to one space and trim the ends."""
    return text.str.replace_all(r"\s{2,}|[^\S ]", " ").str.strip_chars()


def clean_text(text: pl.Expr) -> pl.Expr:
    """Apply the contract's cleaning: LaTeX decoded, NFC, whitespace collapsed."""
    return collapse_whitespace(decode_latex(text).str.normalize("NFC"))


CODE_HOSTS = r"(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|hf\.co)"
CODE_URL = r"https?://(?:www\.)?" + CODE_HOSTS + r"/[^\s<>\"'{}]+"


def first_code_url(text: pl.Expr) -> pl.Expr:
    """Return the first code repository URL in `text`, without trailing punctuation."""
    return text.str.extract(f"({CODE_URL})", 1).str.strip_chars_end(".,;:!?)]}'\"")


def clean_records(records: pl.LazyFrame, rules: Sequence[LatexRule] = _LATEX_RULES) -> pl.LazyFrame:
    """Clean title, abstract and comments; an abstract that cleans to nothing is rejected.

    Only the records holding a trigger of a pass of `decode_latex` pay for its regex passes
    (`rules`: all of them, or those `rules_for` the records), and only non-ASCII text for
    the normalisation; the result equals `clean_text` everywhere.
    """
    numbered = records.with_row_index("_order")
    latex = pl.any_horizontal(may_hold_latex(pl.col(field)) for field in TEXT_FIELDS)
    decoded = numbered.filter(latex).with_columns(
        decode_latex(pl.col(field), rules).alias(field) for field in TEXT_FIELDS
    )
    return (
        pl.concat([decoded, numbered.filter(~latex)])
        .sort("_order")
        .drop("_order")
        .with_columns(
            collapse_whitespace(composed(pl.col(field))).alias(field) for field in TEXT_FIELDS
        )
        .with_columns(
            pl.when(pl.col("comments") != "").then(pl.col("comments")).alias("comments"),
            pl.coalesce(
                pl.col("reason"),
                pl.when(pl.col("abstract").fill_null("") == "").then(pl.lit("empty abstract")),
            ).alias("reason"),
        )
    )


def clean_frame(records: pl.DataFrame) -> pl.DataFrame:
    """Eagerly clean a frame of raw records (see `clean_records`), with only the passes of
    `decode_latex` that can change them."""
    return clean_records(records.lazy(), rules_for(records)).collect()
