"""Merge sightings of one paper: match keys, MinHash near duplicates, clusters, survivorship."""
