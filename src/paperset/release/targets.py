"""Where a release can go, named by URL: a folder, a Hugging Face dataset repo, an S3 prefix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from paperset.errors import ReleaseRefused

HF_PATTERN = r"hf://datasets/([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)/?"
S3_PATTERN = r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?"

Kind = Literal["folder", "hf", "s3"]


@dataclass(frozen=True)
class Target:
    """A parsed target: its kind and where inside it (folder path, repo id, bucket and prefix)."""

    kind: Kind
    where: str
    prefix: str = ""

    def base_url(self, version: str) -> str:
        """Return where the release's files go: a URL or folder, without a trailing slash."""
        if self.kind == "hf":
            return f"hf://datasets/{self.where}"
        if self.kind == "s3":
            return "/".join(part for part in ("s3:/", self.where, self.prefix, version) if part)
        return str(Path(self.where) / version)

    def homepage(self) -> str | None:
        """Return the page a person opens to see the dataset, when there is one."""
        if self.kind == "hf":
            return f"https://huggingface.co/datasets/{self.where}"
        return None


def parse_target(text: str) -> Target:
    """Read `--to`: `hf://datasets/<org>/<name>`, `s3://bucket/prefix` or a folder path."""
    if text.startswith("hf://"):
        match = re.fullmatch(HF_PATTERN, text)
        if match is None:
            raise ReleaseRefused(f"target {text!r} is not of the form hf://datasets/<org>/<name>")
        return Target("hf", match.group(1))
    if text.startswith("s3://"):
        match = re.fullmatch(S3_PATTERN, text)
        if match is None:
            raise ReleaseRefused(f"target {text!r} is not of the form s3://bucket/prefix")
        return Target("s3", match.group(1), (match.group(2) or "").strip("/"))
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        raise ReleaseRefused(f"target {text!r}: only hf://, s3:// and local folders are supported")
    return Target("folder", text)
