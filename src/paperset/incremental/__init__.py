"""What a run needs of earlier runs: the ledger of raw files, the merge index, the affected set."""
