"""Topic commands: `explain` a paper, `train-topics` to rebuild the shipped model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paperset.config import DEFAULT_LABELS, DEFAULT_OUT

DEFAULT_REAL = Path("../shared/real/papers.parquet")


def register(commands: Any) -> None:
    """Add the `explain` and `train-topics` subcommands."""
    explain = commands.add_parser(
        "explain", help="a paper's topic scores and evidence, its sightings and its merges"
    )
    explain.add_argument("paper_id", metavar="PAPER_ID", help="paper id, arXiv id or former id")
    explain.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    explain.set_defaults(handler=_explain)
    train = commands.add_parser(
        "train-topics", help="train the topic model on real arXiv papers (see README)"
    )
    train.add_argument(
        "--real", type=Path, default=DEFAULT_REAL, help=f"real papers (default: {DEFAULT_REAL})"
    )
    train.add_argument(
        "--labels",
        type=Path,
        default=DEFAULT_LABELS,
        help=f"hand labels, never trained on (default: {DEFAULT_LABELS})",
    )
    train.add_argument("--model", type=Path, help="where to write it (default: the package's)")
    train.set_defaults(handler=_train)


def _explain(args: argparse.Namespace) -> int:
    from flows.cli_ops import dataset_folder
    from paperset.explain import explain_paper, format_explanation

    # A PaperNotFound is a UsageError: `main` tells it in one line, exit 2.
    print(format_explanation(explain_paper(dataset_folder(args.out), args.paper_id)))
    return 0


def _train(args: argparse.Namespace) -> int:
    from paperset.errors import UsageError
    from paperset.topics.fit import TrainConfig
    from paperset.topics.model import save_model, shipped_model_path
    from paperset.topics.train import train_from_files

    for path in (args.real, args.labels):
        if not path.is_file():
            raise UsageError(f"{str(path)!r} does not exist")
    model = train_from_files(args.real, args.labels, TrainConfig())
    target = args.model or shipped_model_path()
    save_model(model, target)
    print(f"wrote {target}: {len(model.terms)} terms, fingerprint {model.fingerprint()}")
    print(f"trained on {model.info['papers']}")
    return 0
