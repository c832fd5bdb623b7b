"""The DuckDB peer: the same job as the build's core, in SQL only.

    python -m bench.peers RAW OUT

It reads every file with `read_text`, tells the formats apart by the papers-page header,
splits papers pages into title/abstract pairs (the year of `Mon DD` from the file name) and
arXiv listings at their `Created:` lines, extracts ids and dates with regexes, drops records
that fail the basic checks, collapses whitespace, and merges exact duplicates: same arXiv id,
same normalised title, and a papers-page record whose abstract is identical to an arXiv
record's. The topic is a CASE on a few keywords per slug. It writes the papers with
`COPY ... (FORMAT parquet, PARTITION_BY (month, topic))`. No near-duplicate detection,
LaTeX decoding, quarantine, validation or run report: it is a lower bound for that work.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

MONTH_DAY = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}"
ARXIV_ID = r"^(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})$"
TOPIC_KEYWORDS = {
    "language-models": "language model|llm|translation|question answering|instruction|prompt",
    "generative-models": "diffusion|generative|gan|flow matching|text-to-image",
    "computer-vision": "image|video|segmentation|detection|point cloud|vision",
    "reinforcement-learning": "reinforcement|policy|reward|bandit|markov decision",
    "efficient-ml": "quantization|pruning|distillation|lora|kv cache|low-rank",
    "optimization-and-theory": "optimizer|convergence|gradient descent|generalization bound",
    "graphs-and-recommendation": "graph|recommend|link prediction|collaborative filtering",
    "time-series": "time series|forecasting|state space|trajectory",
    "scientific-ml": "pde|molecul|protein|neural operator|weather|physics-informed",
    "physics": "quantum|black hole|gauge|cosmolog|dark matter|hadron",
    "signal-processing": "wireless|mimo|beamforming|radar|channel estimation|speech",
}

FILES = """
CREATE TEMP TABLE files AS
SELECT filename AS source_file,
       replace(replace(ltrim(content, chr(65279)), chr(13) || chr(10), chr(10)), chr(13), chr(10))
           AS text,
       contains(content, 'byAK and the research community') AS is_page
FROM read_text(?)
"""


def clean(column: str) -> str:
    """SQL that collapses whitespace runs to one space and trims."""
    return f"trim(regexp_replace({column}, '\\s+', ' ', 'g'))"


def page_records() -> str:
    """Split papers pages into title/abstract pairs after the `Mon DD` line."""
    return rf"""
CREATE TEMP TABLE page_records AS
WITH pages AS (
    SELECT source_file,
           regexp_extract(text, '\n({MONTH_DAY})\n', 1) AS month_day,
           regexp_extract(source_file, '(\d{{4}})-?\d{{2}}-?\d{{2}}[^/]*$', 1) AS name_year,
           string_split(regexp_replace(text, '^[\s\S]*?\n{MONTH_DAY}\n\n', ''), chr(10) || chr(10))
               AS p
    FROM files WHERE is_page
), pairs AS (
    SELECT source_file, try_strptime(name_year || ' ' || month_day, '%Y %b %d')::DATE AS listed_on,
           unnest([{{'title': p[2 * i + 1], 'abstract': p[2 * i + 2]}} FOR i IN range(len(p) // 2)])
               AS r
    FROM pages
)
SELECT source_file, listed_on, {clean("r.title")} AS title, {clean("r.abstract")} AS abstract
FROM pairs
"""


def listing_records() -> str:
    """Split arXiv listings after each `Created:` line and pull out id, DOI and dates."""
    first_paragraph = "string_split(trim(rec, chr(10) || ' '), chr(10) || chr(10))[1]"
    return rf"""
CREATE TEMP TABLE listing_records AS
WITH chunks AS (
    SELECT source_file,
           unnest(string_split(
               regexp_replace(text, '(\nCreated:[^\n]*)', '\1' || chr(30), 'g'), chr(30)
           )) AS rec
    FROM files WHERE NOT is_page
)
SELECT source_file,
       {clean(first_paragraph)} AS abstract,
       regexp_extract(rec, '(?m)^arXiv:(\S+?)(?:v\d+)?(?: - doi: \S+)?\s*$', 1) AS arxiv_id,
       nullif(regexp_extract(rec, '(?m)^arXiv:\S+ - doi: (\S+)\s*$', 1), '') AS doi,
       try_strptime(regexp_extract(rec, 'Created: (\S+)', 1), '%Y-%m-%d')::DATE AS published,
       try_strptime(nullif(regexp_extract(rec, 'Updated: (\S+)', 1), ''), '%Y-%m-%d')::DATE
           AS updated
FROM chunks
WHERE contains(rec, 'Created:')
"""


def papers() -> str:
    """Check records, then merge exact duplicates: by arXiv id, by title key, by abstract."""
    return rf"""
CREATE TEMP TABLE papers AS
WITH listings AS (
    SELECT * FROM listing_records
    WHERE regexp_matches(arxiv_id, '{ARXIV_ID}') AND published IS NOT NULL AND abstract <> ''
      AND (updated IS NULL OR updated >= published)
), pages AS (
    SELECT *, lower(regexp_replace(title, '[^\p{{L}}\p{{N}}]+', '', 'g')) AS title_key
    FROM page_records p
    WHERE title <> '' AND abstract <> '' AND listed_on IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.abstract = p.abstract)
), by_id AS (
    SELECT 'arxiv:' || arxiv_id AS paper_id, arxiv_id, max(doi) AS doi, NULL::VARCHAR AS title,
           arg_max(abstract, coalesce(updated, published)) AS abstract, min(published) AS published,
           max(updated) AS updated, NULL::DATE AS listed_on,
           list(DISTINCT source_file ORDER BY source_file) AS sources, count(*) AS n_sightings
    FROM listings GROUP BY arxiv_id
), by_title AS (
    SELECT 'title:' || md5(title_key)[:16] AS paper_id, NULL::VARCHAR AS arxiv_id,
           NULL::VARCHAR AS doi,
           arg_max(title, listed_on) AS title, arg_max(abstract, listed_on) AS abstract,
           NULL::DATE AS published, NULL::DATE AS updated, min(listed_on) AS listed_on,
           list(DISTINCT source_file ORDER BY source_file) AS sources, count(*) AS n_sightings
    FROM pages GROUP BY title_key
)
SELECT * FROM by_id UNION ALL SELECT * FROM by_title
"""


def write(out: Path) -> str:
    """Write the papers hive-partitioned by month and topic, zstd, keys out of the files and
    `date` in them, sorted by `date` as paperset's are."""
    target = str(out).replace("'", "''")
    return f"""
COPY (
    SELECT *, strftime(date, '%Y-%m') AS month FROM (
        SELECT *, coalesce(published, listed_on) AS date, {topic_case()} AS topic FROM papers
    ) ORDER BY date, paper_id
)
TO '{target}' (FORMAT parquet, PARTITION_BY (month, topic), COMPRESSION zstd)
"""


def topic_case() -> str:
    """A CASE that names the first slug whose keywords occur in title or abstract."""
    text = "lower(coalesce(title, '') || ' ' || abstract)"
    arms = [
        f"WHEN regexp_matches({text}, '{words}') THEN '{slug}'"
        for slug, words in TOPIC_KEYWORDS.items()
    ]
    return "CASE " + " ".join(arms) + " ELSE 'other' END"


def build_with_duckdb(raw: Path, out: Path) -> int:
    """Run the SQL pipeline from `raw` into `out/papers`; return the number of papers."""
    out.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    connection.execute(FILES, [f"{raw}/**"])
    for statement in (page_records(), listing_records(), papers(), write(out / "papers")):
        connection.execute(statement)
    row = connection.execute("SELECT count(*) FROM papers").fetchone()
    return int(row[0]) if row else 0


def main(argv: list[str]) -> int:
    """Run the peer on `RAW OUT`."""
    raw, out = (Path(arg) for arg in argv)
    print(f"duckdb: {build_with_duckdb(raw, out)} papers written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
