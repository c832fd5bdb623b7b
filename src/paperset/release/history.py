"""Earlier releases: which exist, which one a new version follows, and what it held."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.errors import ReleaseRefused
from paperset.release.config import VERSION_PATTERN, Version, parse_version
from paperset.release.export import DATA_DIR
from paperset.release.manifest import MANIFEST, verify_release


@dataclass(frozen=True)
class Previous:
    """The release a new one follows: its version, papers and changelog."""

    version: str
    papers: pl.DataFrame
    changelog: str


def released_versions(releases_dir: Path) -> list[tuple[Version, Path]]:
    """List finished releases (a version folder with a manifest), oldest first."""
    if not releases_dir.is_dir():
        return []
    found = [
        (parse_version(path.name), path)
        for path in releases_dir.iterdir()
        if re.fullmatch(VERSION_PATTERN, path.name) and (path / MANIFEST).is_file()
    ]
    return sorted(found)


def check_new_version(releases_dir: Path, version: str) -> Path | None:
    """Refuse a version that exists or is not after the latest; return the latest's folder."""
    wanted = parse_version(version)
    if (releases_dir / version).exists():
        raise ReleaseRefused(
            f"release {version} already exists at {releases_dir / version}; "
            "releases are never overwritten, choose a new version"
        )
    released = released_versions(releases_dir)
    if released and released[-1][0] >= wanted:
        latest = released[-1][1].name
        raise ReleaseRefused(f"version {version} is not after the latest release {latest}")
    return released[-1][1] if released else None


def load_previous(path: Path | None) -> Previous | None:
    """Read the release at `path` after checking it against its manifest."""
    if path is None:
        return None
    problems = verify_release(path)
    if problems:
        raise ReleaseRefused(
            f"previous release {path.name} does not verify, so no changelog can be trusted: "
            f"{problems[0]}"
        )
    papers = pl.read_parquet(path / DATA_DIR / "*.parquet")
    changelog_path = path / "CHANGELOG.md"
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.is_file() else ""
    return Previous(path.name, papers, changelog)
