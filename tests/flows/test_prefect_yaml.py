"""`prefect.yaml` for teams with workers: deploy it to a real server and have a worker run it."""

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from flows.local_server import local_server, stop_process_group

PREFECT = [sys.executable, "-m", "prefect"]


@pytest.fixture
def prefect_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh Prefect server of our own, and the environment that points the CLI at it."""
    with local_server(tmp_path / "server") as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
        yield env | {
            "PREFECT_API_URL": server.api_url,
            "PREFECT_HOME": str(tmp_path / "cli-home"),
            "PAPERSET_HOME": str(REPO),
        }


def prefect(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PREFECT, *args],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


@pytest.mark.slow
def test_a_worker_runs_the_deployment_of_prefect_yaml(
    prefect_env: dict[str, str], tmp_path: Path, sample_copy: Path
) -> None:
    created = prefect(prefect_env, "work-pool", "create", "paperset", "--type", "process")
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = prefect(prefect_env, "--no-prompt", "deploy", "--all")
    # Prefect 3.8.8's CLI fails *after* creating the deployment (it asks for the pool's
    # workers with limit=null, which FastAPI 0.154 rejects): check what it did, not its status.
    assert "'build-dataset/scheduled' successfully created" in deployed.stdout, deployed.stderr
    deployment = read_json(
        f"{prefect_env['PREFECT_API_URL']}/deployments/name/build-dataset/scheduled"
    )
    assert [s["schedule"]["cron"] for s in deployment["schedules"]] == ["0 6 * * *"]
    assert deployment["global_concurrency_limit"]["limit"] == 1
    assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [*PREFECT, "worker", "start", "--pool", "paperset"],
            cwd=tmp_path,
            env=prefect_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        out = tmp_path / "out"
        run = prefect(
            prefect_env,
            *("deployment", "run", "build-dataset/scheduled", "--watch"),
            *("--param", f"raw_dir={sample_copy}", "--param", f"out_dir={out}"),
        )
        assert "Completed" in run.stdout, run.stdout[-2000:] + (tmp_path / "worker.log").read_text()
    finally:
        stop_process_group(worker)
    (report,) = (json.loads(path.read_text()) for path in (out / "runs").glob("*.json"))
    assert report["status"] == "succeeded"
    assert report["papers"]["total"] == 268
