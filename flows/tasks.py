"""Prefect tasks: thin wrappers that give each library stage a name, retries and logs.

Only reading the raw folder retries (files may be mid-write by a scraper); nothing
that writes the dataset ever does.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from paperset import clean, discover, finalise, ingest, merge, parse, topics

discover_raw_files = task(discover.discover_raw_files, name="discover", retries=2, retry_delay_seconds=2)
read_dumps = task(ingest.read_dumps, name="read", retries=2, retry_delay_seconds=2, cache_policy=NONE)
parse_dumps = task(parse.parse_dumps, name="parse", cache_policy=NONE)
clean_records = task(clean.clean_frame, name="clean", cache_policy=NONE)
merge_duplicates = task(merge.merge_duplicates, name="merge-duplicates", cache_policy=NONE)
assign_topics = task(topics.assign_topics, name="assign-topics", cache_policy=NONE)
validate_papers = task(finalise.validate_papers, name="validate", cache_policy=NONE)
