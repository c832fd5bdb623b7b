"""Read, parse and clean raw dumps: discover files, decode bytes, cut records, clean text."""
