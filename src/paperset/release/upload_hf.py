"""Upload a release to a Hugging Face dataset repo: one commit, then a version tag.

The commit replaces the previous release's shards and chart (`delete_patterns`), so the card's
`data/train-*.parquet` glob never mixes two releases; the tag `vX.Y.Z` keeps each one loadable
(`load_dataset(repo, revision="v1.2.0")`). The token comes from the environment (`HF_TOKEN`) or
a stored `hf auth login`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingface_hub import HfApi, get_token

from paperset.errors import ReleaseRefused, UploadFailed
from paperset.release.targets import Target

if TYPE_CHECKING:
    from paperset.release.build import Release

REPLACED = ["data/*.parquet", "images/*"]
REPO_TYPE = "dataset"


def tag_of(release: Release) -> str:
    """Name the tag that marks a release on the hub."""
    return f"v{release.version}"


def commit_message(release: Release) -> str:
    """Say what the commit is."""
    return f"Release {release.version}"


def describe(release: Release, target: Target) -> list[str]:
    """Say how the files would reach the hub, and whether a token is at hand."""
    token = "found" if get_token() else "none found: set HF_TOKEN before a real upload"
    return [
        f"  as one commit {commit_message(release)!r} to dataset repo {target.where}, deleting "
        f"remote files matching {', '.join(REPLACED)} that this release does not contain, "
        f"then tag {tag_of(release)}",
        f"  token: {token}",
    ]


def require_token() -> str:
    """Return the hub token from the environment (or a stored login); refuse without one."""
    token = get_token()
    if not token:
        raise ReleaseRefused("no Hugging Face token: set HF_TOKEN (or run `hf auth login`)")
    return token


def upload(release: Release, target: Target) -> list[str]:
    """Commit the release folder to the repo and tag the commit; refuse an existing tag."""
    api, repo = HfApi(token=require_token()), target.where
    try:
        tags = {ref.name for ref in api.list_repo_refs(repo, repo_type=REPO_TYPE).tags}
        if tag_of(release) in tags:
            raise ReleaseRefused(f"{repo} already has release tag {tag_of(release)}")
        commit = api.upload_folder(
            repo_id=repo,
            repo_type=REPO_TYPE,
            folder_path=release.path,
            commit_message=commit_message(release),
            delete_patterns=REPLACED,
        )
        api.create_tag(repo, tag=tag_of(release), repo_type=REPO_TYPE, revision=commit.oid)
    except ReleaseRefused:
        raise
    except Exception as error:  # any hub client failure (HTTP, network, auth) is a failed upload
        raise UploadFailed(f"upload to hf://datasets/{repo} failed: {error}") from error
    return [
        f"uploaded release {release.version} to hf://datasets/{repo} "
        f"(commit {commit.oid[:12]}, tag {tag_of(release)})"
    ]
