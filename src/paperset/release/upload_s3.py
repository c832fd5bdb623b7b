"""Upload a release to `s3://bucket/prefix/<version>/` with pyarrow's S3 filesystem.

pyarrow is already the project's Parquet engine and ships the AWS SDK, so S3 needs no further
dependency. Credentials and region follow the AWS SDK's usual chain (`AWS_ACCESS_KEY_ID`,
`AWS_PROFILE`, `AWS_REGION`...); `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` point it at an
S3-compatible server (MinIO, R2, a local test server).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pyarrow.fs as pafs

from paperset.errors import ReleaseRefused, UploadFailed
from paperset.release.manifest import MANIFEST
from paperset.release.targets import Target

if TYPE_CHECKING:
    from paperset.release.build import Release


def filesystem() -> pafs.S3FileSystem:
    """Connect the way the AWS tools do, honouring an endpoint override from the environment."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return pafs.S3FileSystem(endpoint_override=endpoint, allow_bucket_creation=False)


def upload(release: Release, target: Target, names: list[str]) -> list[str]:
    """Copy each file in `names` order (manifest last); refuse a prefix that holds a release."""
    base = target.base_url(release.version).removeprefix("s3://")
    try:
        s3 = filesystem()
        if s3.get_file_info(f"{base}/{MANIFEST}").type != pafs.FileType.NotFound:
            raise ReleaseRefused(f"s3://{base} already holds a release; it is never overwritten")
        for name in names:
            pafs.copy_files(
                str(release.path / name),
                f"{base}/{name}",
                source_filesystem=pafs.LocalFileSystem(),
                destination_filesystem=s3,
            )
        _check_sizes(s3, base, release, names)
    except OSError as error:
        raise UploadFailed(f"upload to s3://{base} failed: {error}") from error
    return [f"uploaded release {release.version} to s3://{base} ({len(names)} files)"]


def _check_sizes(s3: pafs.S3FileSystem, base: str, release: Release, names: list[str]) -> None:
    """Read back every object's size: a short object means the upload did not complete."""
    infos = s3.get_file_info([f"{base}/{name}" for name in names])
    for name, info in zip(names, infos, strict=True):
        if info.size != (release.path / name).stat().st_size:
            raise UploadFailed(f"s3://{base}/{name} has {info.size} bytes after upload")
