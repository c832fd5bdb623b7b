"""Who and what a release is: names, licence, tags, where it lives, and how to cite it.

The card, the Croissant file and the manifest all take these facts from here, so they agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paperset.release.config import ReleaseConfig
from paperset.release.export import DATA_DIR
from paperset.release.targets import Target

TAGS = ("arxiv", "scientific-papers", "abstracts", "metadata", "machine-learning", "deduplicated")
TASK_CATEGORIES = ("text-classification", "text-retrieval")
DESCRIPTION = (
    "Research-paper listings (Hugging Face daily papers pages and arXiv listings), parsed, "
    "cleaned, deduplicated across sources and days, assigned a topic, and validated: "
    "one row per paper with its arXiv id, title, abstract, dates and topic."
)


@dataclass(frozen=True)
class Identity:
    """The fixed facts of one release."""

    name: str
    pretty_name: str
    version: str
    license: str
    creator: str
    created: dt.datetime
    target: Target | None

    @classmethod
    def of(cls, config: ReleaseConfig, target: Target | None) -> Identity:
        """Take the facts from the configuration and the upload target."""
        return cls(
            config.name,
            config.pretty_name,
            config.version,
            config.license,
            config.creator,
            config.created_at(),
            target,
        )

    @property
    def description(self) -> str:
        return DESCRIPTION

    @property
    def tags(self) -> list[str]:
        return list(TAGS)

    def url(self) -> str | None:
        """Return the dataset's home page, when the target has one."""
        return self.target.homepage() if self.target else None

    def data_glob(self) -> str:
        """Return the glob a reader passes to load every shard, for the target if any."""
        if self.target is None or self.target.kind == "folder":
            return f"{DATA_DIR}/*.parquet"  # relative to the release folder
        return f"{self.target.base_url(self.version)}/{DATA_DIR}/*.parquet"

    def hf_repo(self) -> str | None:
        """Return the Hugging Face repo id when the release goes to the hub."""
        return self.target.where if self.target and self.target.kind == "hf" else None

    def citation(self) -> str:
        """Return a BibTeX entry for this release."""
        key = f"{self.name}_{self.version.replace('.', '_')}"
        where = self.url() or (self.target.base_url(self.version) if self.target else None)
        lines = [
            f"@misc{{{key},",
            f"  title = {{{{{self.pretty_name}}}}},",
            f"  author = {{{{{self.creator}}}}},",
            f"  year = {{{self.created.year}}},",
            f"  version = {{{self.version}}},",
        ]
        lines += [f"  howpublished = {{\\url{{{where}}}}},"] if where else []
        return "\n".join([*lines, f"  note = {{Release {self.version}}}", "}"])
