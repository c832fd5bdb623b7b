"""`croissant.json`: Croissant 1.1 metadata (MLCommons), built and checked with mlcroissant.

The record set reads a local FileSet (`data/*.parquet` next to the JSON), so the file validates
and loads offline, wherever the release folder is copied; each shard is also listed as a
FileObject with its sha256, for integrity.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import polars as pl

from paperset.release.export import DATA_DIR, DataFile
from paperset.release.identity import Identity
from paperset.release.manifest import file_record
from paperset.schema import Paper, column_docs, polars_schema

CROISSANT = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
RECORD_SET = "papers"
PARQUET = "application/x-parquet"
LICENSE_URLS = {"cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/"}
SCALAR_TYPES = {
    pl.String: mlc.DataType.TEXT,
    pl.Date: mlc.DataType.DATE,
    pl.Datetime: mlc.DataType.DATETIME,
    pl.Int64: mlc.DataType.INTEGER,
    pl.Float64: mlc.DataType.FLOAT,
}


def context() -> mlc.Context:
    """A context declaring Croissant 1.1, which knows array fields."""
    return mlc.Context(conforms_to=CONFORMS_TO)


def field(ctx: mlc.Context, name: str, dtype: pl.DataType, description: str) -> mlc.Field:
    """One column of the record set, read from the Parquet column of the same name."""
    inner = dtype.inner if isinstance(dtype, pl.List) else dtype
    is_list = isinstance(dtype, pl.List)
    return mlc.Field(
        ctx=ctx,
        id=f"{RECORD_SET}/{name}",
        name=name,
        description=description,
        data_types=[SCALAR_TYPES[type(inner)]],  # type: ignore[index]
        is_array=is_list or None,
        array_shape="-1" if is_list else None,
        source=mlc.Source(ctx=ctx, file_set="parquet-files", extract=mlc.Extract(column=name)),
    )


def distribution(ctx: mlc.Context, release_dir: Path, files: list[DataFile]) -> list[Any]:
    """Every shard as a checksummed FileObject, and the FileSet the record set reads."""
    objects: list[Any] = []
    for data_file in files:
        record = file_record(release_dir / data_file.name)
        objects.append(
            mlc.FileObject(
                ctx=ctx,
                id=data_file.name,
                name=data_file.name,
                content_url=data_file.name,
                encoding_formats=[PARQUET],
                sha256=record["sha256"],
                content_size=f"{record['bytes']} B",
            )
        )
    includes = [f"{DATA_DIR}/*.parquet"]
    file_set = mlc.FileSet(
        ctx=ctx,
        id="parquet-files",
        name="parquet-files",
        encoding_formats=[PARQUET],
        includes=includes,
    )
    return [*objects, file_set]


def record_set(ctx: mlc.Context) -> mlc.RecordSet:
    """The papers, one record per row, keyed by `paper_id`."""
    docs = {name: description for name, _, _, description in column_docs(Paper)}
    fields = [field(ctx, name, dtype, docs[name]) for name, dtype in polars_schema(Paper).items()]
    return mlc.RecordSet(
        ctx=ctx,
        id=RECORD_SET,
        name=RECORD_SET,
        key=[f"{RECORD_SET}/paper_id"],
        fields=fields,
        description="One row per paper, deduplicated across every raw listing.",
    )


def write_croissant(release_dir: Path, files: list[DataFile], release: Identity) -> Path:
    """Write `croissant.json`; refuse metadata that mlcroissant finds errors in."""
    ctx = context()
    metadata = mlc.Metadata(
        ctx=ctx,
        name=release.name,
        description=release.description,
        license=[LICENSE_URLS.get(release.license, release.license)],
        url=release.url(),
        version=release.version,
        cite_as=release.citation(),
        date_published=release.created,
        keywords=release.tags,
        creators=[mlc.Organization(ctx=ctx, name=release.creator)],
        distribution=distribution(ctx, release_dir, files),
        record_sets=[record_set(ctx)],
    )
    if metadata.issues.errors:
        raise ValueError(f"invalid Croissant metadata: {sorted(metadata.issues.errors)}")
    path = release_dir / CROISSANT
    path.write_text(json.dumps(metadata.to_json(), indent=2, default=str) + "\n", encoding="utf-8")
    return path
