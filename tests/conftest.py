import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Prefect persists results and its database under PREFECT_HOME: keep each test session's
# state out of the user's home and away from other sessions.
_PREFECT_HOME = tempfile.mkdtemp(prefix="paperset-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def built_sample(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> tuple[Path, dict[str, Any]]:
    """The bundled sample built once by the real flow: (output folder, run report)."""
    from flows.build import build_dataset

    root = tmp_path_factory.mktemp("built-sample")
    shutil.copytree(SAMPLE, root / "raw")
    report = build_dataset(raw_dir=str(root / "raw"), out_dir=str(root / "out"))
    return root / "out", report


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled sample dumps."""
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    return raw


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
