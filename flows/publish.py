"""The `publish-dataset` flow: a versioned release of the committed dataset, then its upload."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from paperset.config import DEFAULT_LABELS, DEFAULT_OUT
from paperset.release.config import ReleaseConfig
from paperset.release.publish import publish
from paperset.release.upload import upload

# Only the upload retries: it talks to a remote store, and a retry resumes it (S3 objects are
# rewritten until the manifest lands; a hub commit is all or nothing). Building never retries.
upload_release = task(name="upload-release", retries=2, retry_delay_seconds=10, cache_policy=NONE)(
    upload
)


@flow(name="publish-dataset", log_prints=True)
def publish_dataset(
    version: str,
    out_dir: str = str(DEFAULT_OUT),
    to: str | None = None,
    labels: str | None = str(DEFAULT_LABELS),
    dry_run: bool = False,
    upload_only: bool = False,
) -> dict[str, Any]:
    """Build release `version` of the dataset in `out_dir` and upload it to `to`, if given."""
    config = ReleaseConfig(
        version, Path(out_dir), to, Path(labels) if labels else None, dry_run, upload_only
    )
    published = publish(config, uploader=upload_release)
    print("\n".join(published.lines))
    create_markdown_artifact(
        markdown=published.markdown(), key="release-summary", description="paperset release"
    )
    return asdict(published)
