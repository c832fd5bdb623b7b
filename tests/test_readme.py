"""The README says exactly what works: its tables, snippets and commands are checked here,
and so are the Python snippets of `docs/`."""

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import REPO

from flows.cli import _parser
from paperset.schema import column_table_markdown
from paperset.taxonomy import taxonomy_table_markdown

README = (REPO / "README.md").read_text()
DOCS = [path.read_text() for path in sorted((REPO / "docs").glob("*.md"))]


def fenced_blocks(info: str, text: str = README) -> list[str]:
    return re.findall(rf"```{info}\n(.*?)```", text, flags=re.DOTALL)


def python_snippets() -> list[str]:
    """The README's Python snippets, then those of the docs its details moved to."""
    return fenced_blocks("python") + [s for doc in DOCS for s in fenced_blocks("python", doc)]


def between(marker: str) -> str:
    return README.split(f"<!-- {marker}:start -->\n")[1].split(f"\n<!-- {marker}:end -->")[0]


def test_column_table_is_the_pandera_model() -> None:
    assert between("columns") == column_table_markdown()


def test_taxonomy_table_is_the_taxonomy() -> None:
    assert between("taxonomy") == taxonomy_table_markdown()


@pytest.mark.parametrize("snippet", python_snippets(), ids=lambda s: s.split("\n")[0][:40])
def test_python_snippets_run_against_a_built_dataset(
    snippet: str,
    built_sample: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, _ = built_sample
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "processed").symlink_to(out)
    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, "README.md", "exec"), {})


def test_sql_snippet_runs_in_duckdb(
    built_sample: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, report = built_sample
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "processed").symlink_to(out)
    monkeypatch.chdir(tmp_path)
    (sql,) = fenced_blocks("sql")
    rows = duckdb.execute(sql).fetchall()
    assert dict(rows) == report["papers"]["per_topic"]


def shell_commands() -> list[str]:
    lines = [
        line.split("#")[0].strip() for block in fenced_blocks("sh") for line in block.splitlines()
    ]
    return [line for line in lines if line]


@pytest.mark.parametrize("command", shell_commands())
def test_shell_commands_name_real_targets_and_options(command: str) -> None:
    words = shlex.split(command)
    if words[0] == "make":
        assert re.search(rf"^{words[1]}:", (REPO / "Makefile").read_text(), flags=re.MULTILINE)
    else:
        assert words[:3] == ["uv", "run", "paperset"]
        _parser().parse_args(words[3:])


@pytest.mark.slow
def test_make_run_builds_the_sample_and_prints_the_summary(
    tmp_path: Path, sample_copy: Path
) -> None:
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect")}
    result = subprocess.run(
        ["make", "run", f"RAW={sample_copy}", f"OUT={tmp_path / 'out'}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = next(block for block in fenced_blocks("text") if block.startswith("paperset:"))
    assert summary.splitlines()[0] in result.stdout
    assert summary.splitlines()[1] in result.stdout
