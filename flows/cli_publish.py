"""`paperset publish`: make a versioned release of the dataset and upload it.

It calls the library directly rather than the `publish-dataset` flow: a release is one short
step that needs no orchestration, and a dry run should not wait for a Prefect server.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from flows.cli import EXIT_FAILED, UsageError
from paperset.config import DEFAULT_LABELS, DEFAULT_OUT
from paperset.errors import UploadFailed
from paperset.release.config import ReleaseConfig, parse_version
from paperset.release.targets import parse_target

TARGETS = "a folder, hf://datasets/<org>/<name> or s3://bucket/prefix"


def register(commands: Any) -> None:
    """Add the `publish` subcommand to the `paperset` parser."""
    publish = commands.add_parser(
        "publish",
        help="build a versioned release (card, Croissant, checksums) and optionally upload it",
    )
    publish.add_argument(
        "--version", required=True, help="release version X.Y.Z, higher than every earlier one"
    )
    publish.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="dataset folder (default: data/processed); releases go to its releases/",
    )
    publish.add_argument("--to", metavar="TARGET", help=f"upload the release to {TARGETS}")
    publish.add_argument(
        "--labels",
        type=Path,
        help=f"hand labels for the card's topic accuracy (default: {DEFAULT_LABELS} when present)",
    )
    publish.add_argument(
        "--dry-run", action="store_true", help="print exactly what would be uploaded; keep nothing"
    )
    publish.add_argument(
        "--upload-only",
        action="store_true",
        help="upload the existing release --version (verified first) instead of building it",
    )
    publish.set_defaults(handler=_publish)


def _publish(args: argparse.Namespace) -> int:
    config = _config(args)
    from paperset.release.publish import publish  # the heavy imports, after the quick checks

    try:
        published = publish(config)
    except UploadFailed as error:
        print(f"paperset: {error}", file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(published.lines))
    return 0


def _config(args: argparse.Namespace) -> ReleaseConfig:
    """Check what needs no dataset (version, target, labels) and build the release config."""
    if args.labels is not None and not args.labels.is_file():
        raise UsageError(f"labels file {str(args.labels)!r} does not exist")
    parse_version(args.version)  # a ReleaseRefused is a UsageError: one line, exit 2
    if args.to:
        parse_target(args.to)
    return ReleaseConfig(
        version=args.version,
        out_dir=args.out,
        target=args.to,
        labels=args.labels or DEFAULT_LABELS,
        dry_run=args.dry_run,
        upload_only=args.upload_only,
    )
