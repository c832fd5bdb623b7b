"""Prefect tasks: thin wrappers that give each library stage a name, retries and logs.

Only reading the raw folder retries (files may be mid-write by a scraper); nothing
that writes the dataset ever does. Frames do not hash for Prefect's cache keys, so
tasks that take them have no cache policy.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from paperset import clean, discover, finalise, ingest, merge, parse, topics

discover_raw_files = task(name="discover", retries=2, retry_delay_seconds=2)(
    discover.discover_raw_files
)
read_dumps = task(name="read", retries=2, retry_delay_seconds=2, cache_policy=NONE)(
    ingest.read_dumps
)
parse_dumps = task(name="parse", cache_policy=NONE)(parse.parse_dumps)
clean_records = task(name="clean", cache_policy=NONE)(clean.clean_frame)
merge_duplicates = task(name="merge-duplicates", cache_policy=NONE)(merge.merge_duplicates)
assign_topics = task(name="assign-topics", cache_policy=NONE)(topics.assign_topics)
validate_papers = task(name="validate", cache_policy=NONE)(finalise.validate_papers)
