"""How a repeated sighting differs from the paper as first listed: edits, re-casing, rendering.

These run in a Python loop over the 5-10% of records that are altered, which costs well
under a second per million records; everything else is vectorised.
"""

from __future__ import annotations

import numpy as np

from bench.vocab import EDIT_WORDS

# How a site that renders LaTeX shows what the other one writes as macros (CONTRACT §3).
RENDERED = {
    "\\%": "%",
    'Nystr\\"om': "Nyström",
    "Poincar\\'e": "Poincaré",
    'Schr\\"odinger': "Schrödinger",
    "Erd\\H{o}s-R\\'enyi": "Erdős-Rényi",
}
TITLE_REVISIONS = (" (Extended Version)", ": A Revised Study", " - Technical Report")


def revise(text: str, n_words: int, rng: np.random.Generator) -> str:
    """Edit `n_words` distinct words: mostly substitutions, some deletions and insertions.

    >>> revise("we study a hard problem", 0, np.random.default_rng(0))
    'we study a hard problem'
    """
    words = text.split(" ")
    n_words = min(n_words, len(words) - 1)
    positions = np.sort(rng.choice(len(words), size=n_words, replace=False))[::-1]
    for position, op in zip(positions, rng.random(n_words), strict=True):
        replacement = EDIT_WORDS[int(rng.integers(len(EDIT_WORDS)))]
        if op < 0.15:
            del words[position]
        elif op < 0.30:
            words.insert(position, replacement)
        else:
            words[position] = _other_word(words[position], replacement)
    return " ".join(words)


def _other_word(word: str, replacement: str) -> str:
    """A substitute that really differs from `word`, keeping its trailing punctuation."""
    stem = word.rstrip(".,;:")
    if stem.lower() == replacement:
        replacement = "different" if replacement != "different" else "other"
    return replacement + word[len(stem) :]


def recase_title(title: str, style: int) -> str:
    """Change case and punctuation only, so the normalised title key stays the same.

    >>> recase_title("Bolaku: Sparse Attention for LLMs", 2)
    'Bolaku - Sparse Attention for LLMs'
    """
    if style == 0:
        return title.lower()
    if style == 1:
        return title.upper()
    return title.replace(": ", " - ")


def restyle_abstract(abstract: str) -> str:
    """Drop commas and double the space after sentences: same words, different text."""
    return abstract.replace(",", "").replace(". ", ".  ")


def revise_title(title: str, style: int) -> str:
    """Reword a title so its key changes, in a way no distinct paper's title is worded."""
    return title + TITLE_REVISIONS[style % len(TITLE_REVISIONS)]


def render_latex(text: str) -> str:
    """Show LaTeX macros as the characters they stand for, as a rendering site does."""
    for macro, shown in RENDERED.items():
        text = text.replace(macro, shown)
    return text
