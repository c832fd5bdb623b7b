"""Clean text fields as CONTRACT §3 says, with polars expressions only.

LaTeX accents become a letter plus a Unicode combining mark, which NFC then composes
(`\\"o` → `o` + U+0308 → `ö`), so one regex per accent covers every letter. Math such as
`$O(10)$` is left as written: none of these patterns matches a math command.
"""

from __future__ import annotations

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
_LETTER = r"([A-Za-z])"


def _rx(text: str) -> str:
    """Escape a literal for the regex engine."""
    return "".join(f"\\{ch}" if not ch.isalnum() else ch for ch in text)


def _latex_rules() -> list[tuple[str, str]]:
    """The (pattern, replacement) passes of `decode_latex`, in order."""
    # `\\` is a forced line break: a space, and never the start of an escape.
    # Dotless i and j under an accent (`\\'{\\i}`) are plain i and j once composed.
    rules = [(r"\\\\", " "), (r"\\([ij])\b", "${1}")]
    for macro, mark in _ACCENT_MARKS.items():
        accent = r"\\" + _rx(macro)
        rules += [
            (r"\{" + accent + r"\s*" + _LETTER + r"\}", "${1}" + mark),
            (accent + r"\s*\{" + _LETTER + r"\}", "${1}" + mark),
            (accent + _LETTER, "${1}" + mark),
        ]
    for macro, mark in _LETTER_ACCENT_MARKS.items():
        rules += [
            (r"\{\\" + macro + r"\s+" + _LETTER + r"\}", "${1}" + mark),
            (r"\\" + macro + r"\s*\{" + _LETTER + r"\}", "${1}" + mark),
        ]
    for macro, letter in _SPECIAL_LETTERS.items():
        rules += [
            (r"\{\\" + macro + r"\}", letter),
            (r"\\" + macro + r"(\{\}|\b)", letter),
        ]
    return [*rules, (r"\\([" + _rx(_ESCAPED) + r"])", "${1}")]


_LATEX_RULES = _latex_rules()
# Text that no pass matches is left as it is by all of them: one scan tells which is.
_ANY_LATEX = "|".join(f"(?:{pattern})" for pattern, _ in _LATEX_RULES)


def decode_latex(text: pl.Expr) -> pl.Expr:
    """Decode LaTeX accent macros (`\\"o`, `\\'{e}`, `{\\c c}`) and escapes (`\\%`)."""
    for pattern, replacement in _LATEX_RULES:
        text = text.str.replace_all(pattern, replacement)
    return text


def may_hold_latex(text: pl.Expr) -> pl.Expr:
    """Whether `decode_latex` could change the text: some pass of it matches (null: no)."""
    return text.str.contains(_ANY_LATEX).fill_null(False)


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


TEXT_FIELDS = ("title", "abstract", "comments")


def clean_records(records: pl.LazyFrame) -> pl.LazyFrame:
    """Clean title, abstract and comments; an abstract that cleans to nothing is rejected.

    Only the records some pass of `decode_latex` matches pay for its few dozen regex
    passes, and only non-ASCII text for the normalisation; the result equals `clean_text`
    everywhere.
    """
    numbered = records.with_row_index("_order")
    latex = pl.any_horizontal(may_hold_latex(pl.col(field)) for field in TEXT_FIELDS)
    decoded = numbered.filter(latex).with_columns(
        decode_latex(pl.col(field)).alias(field) for field in TEXT_FIELDS
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
    """Eagerly clean a frame of raw records (see `clean_records`)."""
    return clean_records(records.lazy()).collect()
