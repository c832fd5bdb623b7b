"""Finding the server a `paperset serve` runs for an output folder, without importing Prefect."""

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from flows.local_server import running_server, server_home


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def healthy_api() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def write_address(out: Path, api_url: str) -> None:
    server_home(out).mkdir(parents=True)
    (server_home(out) / "server.json").write_text(json.dumps({"api_url": api_url}))


def test_a_healthy_server_of_the_output_folder_is_used(tmp_path: Path, healthy_api: str) -> None:
    write_address(tmp_path, healthy_api)
    assert running_server(tmp_path) == healthy_api


def test_an_address_left_by_a_stopped_server_is_ignored(tmp_path: Path) -> None:
    write_address(tmp_path, "http://127.0.0.1:1/api")
    assert running_server(tmp_path) is None


@pytest.mark.parametrize("content", [None, "", "{not json", "[]", '{"ui_url": "x"}'])
def test_no_or_unreadable_address_means_no_server(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        server_home(tmp_path).mkdir(parents=True)
        (server_home(tmp_path) / "server.json").write_text(content)
    assert running_server(tmp_path) is None


def test_build_uses_the_server_of_serve_unless_an_api_is_set(
    tmp_path: Path, healthy_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.preflight import use_running_server

    write_address(tmp_path, healthy_api)
    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere/api")
    use_running_server(tmp_path)
    assert os.environ["PREFECT_API_URL"] == "http://elsewhere/api"
    monkeypatch.delenv("PREFECT_API_URL")
    use_running_server(tmp_path)
    assert os.environ["PREFECT_API_URL"] == healthy_api
