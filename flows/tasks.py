"""Prefect tasks: thin wrappers that give each library stage a name, retries and logs.

Only reading the raw folder retries (files may be mid-write by a scraper); nothing
that writes the dataset ever does. Frames do not hash for Prefect's cache keys, so
tasks that take them have no cache policy.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from paperset.dedup.merge import merge_duplicates as merge_sightings
from paperset.dedup.merge import near_duplicate_edges as near_duplicate_links
from paperset.finalise import validate_papers as validate_frame
from paperset.ingest.batches import ingest_batch as ingest_files
from paperset.ingest.batches import read_dumps as read_files
from paperset.ingest.clean import clean_frame
from paperset.ingest.discover import discover_raw_files as find_raw_files
from paperset.ingest.parse import parse_dumps as parse_texts
from paperset.topics.assign import assign_topics as classify

discover_raw_files = task(name="discover", retries=2, retry_delay_seconds=2)(find_raw_files)
read_dumps = task(name="read", retries=2, retry_delay_seconds=2, cache_policy=NONE)(read_files)
parse_dumps = task(name="parse", cache_policy=NONE)(parse_texts)
clean_records = task(name="clean", cache_policy=NONE)(clean_frame)
# Read + parse + clean of one batch in a single task: what a Dask worker runs (it reads).
ingest_batch = task(name="ingest-batch", retries=2, retry_delay_seconds=2, cache_policy=NONE)(
    ingest_files
)
find_near_duplicates = task(name="near-duplicates", cache_policy=NONE)(near_duplicate_links)
merge_duplicates = task(name="merge-duplicates", cache_policy=NONE)(merge_sightings)
assign_topics = task(name="assign-topics", cache_policy=NONE)(classify)
validate_papers = task(name="validate", cache_policy=NONE)(validate_frame)
