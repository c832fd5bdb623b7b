"""`paperset changes`: the net changes since a run, from the change feeds under `changes/`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paperset.config import DEFAULT_OUT
from paperset.errors import UsageError

SHOWN = 20


def register(commands: Any) -> None:
    """Add the `changes` subcommand to the `paperset` parser."""
    changes = commands.add_parser(
        "changes", help="net changes to the dataset since a run (added, updated, removed, renamed)"
    )
    changes.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    changes.add_argument(
        "--since",
        metavar="RUN_ID",
        help="changes committed after this run (default: every run's changes)",
    )
    changes.add_argument(
        "--write", type=Path, metavar="FILE", help="also write the net changes to this Parquet file"
    )
    changes.set_defaults(handler=_changes)


def _changes(args: argparse.Namespace) -> int:
    import polars as pl

    from flows.cli_ops import dataset_folder
    from paperset.runs import feeds_since
    from paperset.storage.changes import net_changes
    from paperset.storage.layout import Layout

    out = dataset_folder(args.out)
    if args.since is not None and not (Layout(out).runs / f"{args.since}.json").is_file():
        raise UsageError(f"--since {args.since!r} is not a run of {str(out)!r} (see paperset runs)")
    feeds = feeds_since(out, args.since)
    net = net_changes([pl.read_parquet(path) for path in feeds])
    counts = dict(net.group_by("change").len().sort("change").iter_rows())
    summary = ", ".join(f"{n} {change}" for change, n in counts.items()) or "no change"
    print(f"{len(feeds)} committed runs since {args.since or 'the first'}: {summary}")
    columns = ["change", "paper_id", "previous_paper_id", "changed_columns", "month", "topic"]
    with pl.Config(tbl_rows=SHOWN, fmt_str_lengths=40, tbl_hide_dataframe_shape=True):
        if not net.is_empty():
            print(net.select(columns).head(SHOWN))
    if args.write is not None:
        net.write_parquet(args.write)
        print(f"wrote {net.height} rows to {args.write}")
    return 0
