"""Versioned releases of the dataset: a flat Parquet export with a card, Croissant and checksums.

`paperset.release.publish.publish(ReleaseConfig(version=...))` reads the committed dataset under
the readers' lock, builds `releases/<version>/` (data shards, README.md card, croissant.json,
CHANGELOG.md, chart, manifest.json last) and uploads it to a folder, a Hugging Face dataset repo
or an S3 prefix. This package file imports nothing, so the CLI can check a version or a target
without loading the card, chart and Croissant machinery.
"""
