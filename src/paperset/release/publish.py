"""`publish`: build a release (or take an existing one), then upload it or say what would go."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from paperset.errors import ReleaseRefused
from paperset.release.build import Release, build_release
from paperset.release.config import ReleaseConfig, parse_version
from paperset.release.manifest import load_manifest, verify_release
from paperset.release.targets import Target, parse_target
from paperset.release.upload import check_ready, describe, upload


@dataclass(frozen=True)
class Published:
    """What `publish` did (or, in a dry run, would do), as lines for a person."""

    version: str
    path: Path | None
    lines: list[str]

    def markdown(self) -> str:
        """Render the outcome for a Prefect artifact."""
        where = f"`{self.path}`" if self.path else "nowhere (dry run)"
        body = "\n".join(f"    {line}" for line in self.lines)
        return f"# paperset release {self.version}\n\nKept at {where}.\n\n{body}\n"


Uploader = Callable[[Release, Target], list[str]]


def publish(config: ReleaseConfig, uploader: Uploader = upload) -> Published:
    """Make release `config.version` and send it to `config.target`, as the config says.

    Args:
        uploader: sends a finished release; a flow passes a retrying task here.
    """
    parse_version(config.version)
    target = parse_target(config.target) if config.target else None
    if config.upload_only:
        return _upload_existing(config, target, uploader)
    if config.dry_run:
        return _dry_run(config, target)
    if target:
        check_ready(target, config.version)
    release = build_release(config, target)
    lines = [f"built release {release.version} at {release.path} ({release.manifest['rows']} rows)"]
    sent = uploader(release, target) if target else []
    return Published(release.version, release.path, lines + sent)


def existing_release(config: ReleaseConfig) -> Release:
    """Open release `config.version` after checking every file against its manifest."""
    path = config.release_dir
    if not path.is_dir():
        raise ReleaseRefused(f"there is no release {config.version} at {path}")
    problems = verify_release(path)
    if problems:
        raise ReleaseRefused(f"release {config.version} does not verify: {problems[0]}")
    return Release(config.version, path, load_manifest(path))


def _upload_existing(config: ReleaseConfig, target: Target | None, uploader: Uploader) -> Published:
    if target is None:
        raise ReleaseRefused("uploading an existing release needs a target (--to)")
    release = existing_release(config)
    if config.dry_run:
        return Published(release.version, release.path, _dry(describe(release, target)))
    check_ready(target, config.version)
    return Published(release.version, release.path, uploader(release, target))


def _dry_run(config: ReleaseConfig, target: Target | None) -> Published:
    """Build the release in a temporary folder, describe it, and throw it away."""
    with tempfile.TemporaryDirectory(prefix="paperset-release-") as folder:
        release = build_release(config, target, into=Path(folder) / config.version)
        where = target or Target("folder", str(config.releases_dir))
        lines = describe(release, where)
    return Published(config.version, None, _dry(lines))


def _dry(lines: list[str]) -> list[str]:
    """Mark a description as a dry run: nothing was written or sent."""
    return ["dry run: nothing is written or uploaded; would send:", *lines]
