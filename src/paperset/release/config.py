"""What a release is asked to be: version, source dataset, target, and the card's fixed facts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from paperset.config import DEFAULT_LABELS, DEFAULT_OUT
from paperset.errors import ReleaseRefused

VERSION_PATTERN = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
RELEASES_DIR = "releases"
# The same budget `datasets.push_to_hub` uses for a shard: the in-memory (Arrow) size.
MAX_SHARD_BYTES = 500 * 1024 * 1024

Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    """Read `X.Y.Z` (no leading zeros, no suffix) as a comparable tuple."""
    match = re.fullmatch(VERSION_PATTERN, text)
    if match is None:
        raise ReleaseRefused(f"version {text!r} is not of the form X.Y.Z (e.g. 1.0.0)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


@dataclass(frozen=True)
class ReleaseConfig:
    """Everything `publish` needs; defaults in one place.

    Args:
        version: the release version, `X.Y.Z`, higher than every earlier release.
        out_dir: the dataset folder (`paperset build --out`); releases go to its `releases/`.
        target: where to upload: a folder, `hf://datasets/<org>/<name>` or `s3://bucket/prefix`.
        labels: hand labels for the topic accuracy in the card; None when there are none.
        dry_run: build in a temporary folder, print what would be uploaded, keep nothing.
        upload_only: upload the existing release `version` (verified first) instead of building.
        max_shard_bytes: in-memory size above which the export is split into more files.
        now: the release time (tests pin it); defaults to the current time.
    """

    version: str
    out_dir: Path = DEFAULT_OUT
    target: str | None = None
    labels: Path | None = DEFAULT_LABELS
    dry_run: bool = False
    upload_only: bool = False
    max_shard_bytes: int = MAX_SHARD_BYTES
    name: str = "paperset"
    pretty_name: str = "paperset: deduplicated research-paper listings"
    license: str = "cc0-1.0"
    creator: str = "paperset contributors"
    now: dt.datetime | None = None

    @property
    def releases_dir(self) -> Path:
        """The folder holding one subfolder per release."""
        return self.out_dir / RELEASES_DIR

    @property
    def release_dir(self) -> Path:
        """The folder of this release."""
        return self.releases_dir / self.version

    def created_at(self) -> dt.datetime:
        """Return the release time in UTC, to the second."""
        return (self.now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
