"""Write a seeded synthetic corpus in both dump formats, with its ground truth.

    python -m bench.generate 100000 bench/out/corpus [--seed 9] [--delta 5000]

Layout of the output folder:

    raw/pages/YYYY/papers_YYYY-MM-DD_NN.txt    hf-papers pages
    raw/listings/YYYY/arxiv_NNNNN.txt          arxiv-listing dumps
    delta/incoming/...                         the incremental batch (newer papers)
    truth.parquet                              one row per record written
    corpus.json                                parameters and counts

`truth.parquet` names each record by `batch`, `file` (relative to its batch's folder, as
the build's sightings name it), `line` (the record's first line, as the parsers number it)
and `ordinal`, and gives its `true_paper`, `kind`, `variant`, `format`, `n_edited_words`
and, for papers pages, the `title_key` it shows. The same N and seed give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import polars as pl

from bench.edits import RENDERED
from bench.layout import assign_files, write_files
from bench.papers import make_papers
from bench.plan import Mix, plan_batch, render
from paperset.dedup.keys import title_key

DEFAULT_SEED = 9
DEFAULT_DELTA = 5000
TRUTH_COLUMNS = [
    "batch",
    "file",
    "line",
    "ordinal",
    "true_paper",
    "kind",
    "variant",
    "format",
    "n_edited_words",
    "title_key",
]


@dataclass(frozen=True)
class Corpus:
    """Where a generated corpus lives and what is in it."""

    root: Path
    n: int
    n_delta: int
    seed: int
    files: int
    delta_files: int
    papers: int
    seconds: float

    @property
    def raw(self) -> Path:
        """The folder of the main batch of dumps."""
        return self.root / "raw"

    @property
    def delta(self) -> Path:
        """The folder of the incremental batch (empty when `n_delta` is 0)."""
        return self.root / "delta"

    @property
    def truth(self) -> Path:
        """The ground truth: one row per record of both batches."""
        return self.root / "truth.parquet"


def generate_corpus(
    n: int,
    root: Path,
    *,
    seed: int = DEFAULT_SEED,
    n_delta: int = DEFAULT_DELTA,
    mix: Mix | None = None,
) -> Corpus:
    """Generate `n` records, and `n_delta` newer ones for the incremental case, under `root`."""
    start = time.perf_counter()
    mix = mix or Mix()
    rng = np.random.default_rng(seed)
    counts = [mix.counts(n), mix.counts(n_delta)]
    sizes = [c["original"] + c["malformed"] for c in counts]
    papers = make_papers(rng, sum(sizes))
    own = [rng.permutation(np.arange(sizes[0])), rng.permutation(np.arange(sizes[0], sum(sizes)))]
    good = [ids[c["malformed"] :] for ids, c in zip(own, counts, strict=True)]
    pools = [good[0], np.concatenate(good)]
    truths, n_files = [], []
    for batch, folder, prefix in ((0, "raw", ""), (1, "delta", "incoming/")):
        if not sizes[batch]:
            n_files.append(0)
            continue
        plan = plan_batch(rng, papers, own[batch], pools[batch], counts[batch])
        placed = assign_files(rng, render(rng, plan, papers), prefix)
        n_files.append(write_files(rng, placed, root / folder))
        truths.append(placed.with_columns(batch=pl.lit(folder)))
    _write_truth(pl.concat(truths), root / "truth.parquet")
    corpus = Corpus(
        root,
        n,
        n_delta,
        seed,
        n_files[0],
        n_files[1],
        papers.height,
        round(time.perf_counter() - start, 2),
    )
    (root / "corpus.json").write_text(json.dumps(asdict(corpus) | {"root": str(root)}, indent=2))
    return corpus


def _write_truth(records: pl.DataFrame, path: Path) -> None:
    truth = records.with_columns(
        true_paper=pl.col("paper"),
        title_key=title_key(pl.col("title").str.replace_many(RENDERED)),
    ).select(TRUTH_COLUMNS)
    truth.write_parquet(path)


def main(argv: list[str] | None = None) -> int:
    """Generate a corpus from the command line and say what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("n", type=int, help="records in the main batch")
    parser.add_argument("out", type=Path, help="output folder (must not exist or be empty)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--delta", type=int, default=DEFAULT_DELTA, help="records in the incremental batch"
    )
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    corpus = generate_corpus(args.n, args.out, seed=args.seed, n_delta=args.delta)
    print(
        f"{corpus.n} + {corpus.n_delta} records of {corpus.papers} papers in "
        f"{corpus.files} + {corpus.delta_files} files under {corpus.root} ({corpus.seconds} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
