"""The card's practical half: limitations, licence, loading, citing and checking the files."""

from __future__ import annotations

from paperset.release.identity import Identity
from paperset.release.manifest import MANIFEST
from paperset.release.markdown import fenced

LIMITATIONS = """## Known limitations

- Coverage is whatever the raw dumps held: not a complete or random sample of arXiv. There are
  no authors, no full text and no citation counts.
- Papers-page listing dates carry no year. It comes from a date in the dump's file name, a year
  given to the build, or the file's modification time, and can be off by a year when only the
  last is available.
- Papers seen only on papers pages have no arXiv id, `published` date or DOI; their `paper_id`
  is a title hash until an arXiv listing is seen, then becomes `arxiv:<id>` (the old id stays
  in `aliases`). Papers seen only in arXiv listings have no title.
- Topics come from keyword evidence, not from a trained model or the authors' categories;
  interdisciplinary papers get one primary topic, and the accuracy above is measured on a small
  labelled set.
- Near-duplicate merging can, rarely, join two papers with near-identical abstracts, or miss a
  heavily rewritten version of the same paper."""

LICENCE = """## Licence

The records are arXiv metadata (identifiers, titles, abstracts, comments and dates), which
arXiv makes available under the
[CC0 1.0 Public Domain Dedication](https://creativecommons.org/publicdomain/zero/1.0/); the
Hugging Face papers pages repeat the same titles and abstracts. This dataset is released under
CC0 1.0 as well. The papers themselves are not included: each paper's full text keeps the
licence its authors chose on arXiv. Thank you to arXiv for use of its open access
interoperability."""


def loading(release: Identity) -> str:
    """Ways to load the release in one line each, for where it is published."""
    glob = release.data_glob()
    repo = release.hf_repo()
    hub = (
        f'load_dataset("{repo}", revision="v{release.version}", split="train")'
        if repo
        else f'load_dataset("parquet", data_files="{glob}", split="train")'
    )
    where = "" if repo or "://" in glob else " Paths are relative to the release folder."
    folder = glob.removesuffix("/*.parquet")
    blocks = [
        fenced("python", f"from datasets import load_dataset\n\npapers = {hub}"),
        fenced("sql", f"-- DuckDB\nSELECT topic, count(*) AS papers FROM '{glob}' GROUP BY topic;"),
        fenced("python", f'import polars as pl\n\npapers = pl.read_parquet("{glob}")'),
        fenced(
            "python",
            "import pandas as pd\n\n# dtype_backend keeps `date` a date rather than an object\n"
            f'papers = pd.read_parquet("{folder}", dtype_backend="pyarrow")',
        ),
    ]
    return (
        "## How to load\n\n`date` and `topic` are ordinary columns of the files."
        + where
        + ("\n\n" + "\n\n".join(blocks))
    )


def citation(release: Identity) -> str:
    """How to cite this release."""
    return "## Citation\n\n" + fenced("bibtex", release.citation())


def checksums() -> str:
    """How to check the files against the manifest."""
    command = (
        f"jq -r '.files | to_entries[] | \"\\(.value.sha256)  \\(.key)\"' {MANIFEST} "
        "| sha256sum -c -"
    )
    return (
        f"## Files and checksums\n\n`{MANIFEST}` lists the rows, bytes and sha256 of every other "
        "file, `croissant.json` describes the records in "
        "[Croissant](https://mlcommons.org/croissant/) for ML tooling, and `CHANGELOG.md` lists "
        "the papers added, updated and removed by each release. To check a copy:\n\n"
        + fenced("sh", command)
    )
