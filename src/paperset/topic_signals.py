"""One topic of the taxonomy: its slug, its scope and the words that signal it, with their weights.

Signals are each field's general vocabulary, in three tiers of evidence (strong, medium, weak),
plus signals against a topic, for a scope that excludes something (physics without an ML focus).
A signal matches whole words, case-insensitively, with hyphens and spaces interchangeable
(`kv-cache` matches `KV cache`); a plain term also matches its plural in `s`, a trailing `*` makes
a stem (`quantiz*` matches `quantized`), and `|` joins synonyms that count as one signal
(`llm|large language model`), so a paper that spells a concept three ways is not counted thrice.
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNAL_WEIGHTS = {"strong": 3.0, "medium": 2.0, "weak": 1.0, "against": -2.0}


def terms(listing: str) -> tuple[str, ...]:
    """Split a comma-separated listing of signals into a tuple, trimming blanks."""
    return tuple(term.strip() for term in listing.split(",") if term.strip())


@dataclass(frozen=True)
class Topic:
    """One slug of the taxonomy, the scope a reader can expect under it, and its signals."""

    slug: str
    scope: str
    strong: tuple[str, ...] = ()
    medium: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    against: tuple[str, ...] = ()

    def signals(self) -> tuple[tuple[str, float], ...]:
        """Return every signal of this topic with its weight."""
        tiers = {
            "strong": self.strong,
            "medium": self.medium,
            "weak": self.weak,
            "against": self.against,
        }
        return tuple(
            (term, SIGNAL_WEIGHTS[tier]) for tier, group in tiers.items() for term in group
        )
