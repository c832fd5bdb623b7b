from pathlib import Path

import pytest

from paperset.discover import RawFile
from paperset.ingest import batches_of, read_dumps


def raw(name: str, size: int) -> RawFile:
    return RawFile(Path(name), name, size, 0.0)


def test_batches_hold_at_most_the_byte_budget_and_a_large_file_stands_alone() -> None:
    files = [raw("a", 40), raw("b", 40), raw("c", 40), raw("d", 500), raw("e", 10)]
    assert [[f.name for f in b] for b in batches_of(files, max_bytes=100)] == [
        ["a", "b"],
        ["c"],
        ["d"],
        ["e"],
    ]


def test_no_files_make_no_batches() -> None:
    assert batches_of([], max_bytes=100) == []


@pytest.mark.parametrize(
    ("content", "outcome"),
    [
        (b"", "warning"),
        (b" \n\n \n", "warning"),
        (b"\x00\x01binary", "rejected"),
        (b"text", "dump"),
    ],
)
def test_read_dumps_sorts_each_file_into_one_outcome(
    tmp_path: Path, content: bytes, outcome: str
) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    batch = read_dumps([RawFile(path, "f.txt", len(content), 0.0)])
    counts = {
        "warning": len(batch.warnings),
        "rejected": len(batch.rejected),
        "dump": len(batch.dumps),
    }
    assert counts == {key: int(key == outcome) for key in counts}
