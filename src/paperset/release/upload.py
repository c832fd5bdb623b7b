"""Send a release to its target, or say exactly what would be sent.

Every target receives the same files; `manifest.json` goes last, so a reader who finds the
manifest finds every file it lists.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from paperset.errors import ReleaseRefused
from paperset.release import upload_hf, upload_s3
from paperset.release.build import Release
from paperset.release.manifest import MANIFEST, sha256_of
from paperset.release.targets import Target


def upload_order(release: Release) -> list[str]:
    """Return the release's files in upload order: everything, then the manifest."""
    return [*sorted(release.manifest["files"]), MANIFEST]


def describe(release: Release, target: Target) -> list[str]:
    """List what an upload sends: destination, bytes and sha256 per file, and how."""
    base = target.base_url(release.version)
    lines = [f"release {release.version} -> {base}"]
    for name in upload_order(release):
        path = release.path / name
        size, digest = path.stat().st_size, sha256_of(path)
        lines.append(f"  {base}/{name}  {size} bytes  sha256:{digest}")
    if target.kind == "hf":
        lines += upload_hf.describe(release, target)
    return lines


def check_ready(target: Target, version: str) -> None:
    """Refuse, before a release is built, what would make its upload fail for sure."""
    if target.kind == "hf":
        upload_hf.require_token()
    if target.kind == "folder" and Path(target.base_url(version)).exists():
        raise ReleaseRefused(f"{target.base_url(version)} already exists; it is never overwritten")


def upload(release: Release, target: Target) -> list[str]:
    """Upload the release; return what was done, one line per step."""
    if target.kind == "hf":
        return upload_hf.upload(release, target)
    if target.kind == "s3":
        return upload_s3.upload(release, target, upload_order(release))
    return copy_to_folder(release, target)


def copy_to_folder(release: Release, target: Target) -> list[str]:
    """Copy the release to `<folder>/<version>/`, whole or not at all; never overwrite."""
    final = Path(target.base_url(release.version))
    if final.exists():
        raise ReleaseRefused(f"{final} already exists; releases are never overwritten")
    partial = final.with_name(f".{final.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        shutil.copytree(release.path, partial)
        partial.rename(final)
    except OSError as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise ReleaseRefused(f"cannot copy the release to {final}: {error}") from None
    return [f"copied release {release.version} to {final}"]
