"""Where releases go and who reads them: folders, S3 (a local moto server), the hub, Croissant."""

import hashlib
import json
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import mlcroissant as mlc
import pytest
from conftest import SAMPLE
from huggingface_hub import HfApi

from flows.cli import main
from paperset.finalise import to_contract, validate_papers
from paperset.preview import papers_from_folder
from paperset.release.config import ReleaseConfig
from paperset.release.manifest import verify_release
from paperset.release.publish import publish
from paperset.storage import commit_papers, output_lock

REPO_URL = "hf://datasets/acme/papers"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset committed from the sample dumps, with its release 1.0.0."""
    out = tmp_path_factory.mktemp("targets") / "out"
    papers = validate_papers(to_contract(papers_from_folder(SAMPLE)))
    with output_lock(out, "targets"):
        commit_papers(papers, out, "targets")
    publish(ReleaseConfig("1.0.0", out, labels=None))
    return out


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every Python connection that would leave this machine."""
    connect = socket.socket.connect

    def local_only(sock: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1"):
            raise OSError(f"this test is offline: connection to {address} refused")
        connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """A fresh bucket on the local server, and the environment that points clients at it."""
    env = {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_S3": s3_endpoint,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    name = f"papers-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return client, name


def manifest_of(release: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((release / "manifest.json").read_text())
    return manifest


@pytest.mark.filterwarnings("ignore:.*(ConjunctiveGraph|inplace keyword)")  # rdflib, mlcroissant
def test_croissant_validates_offline_and_yields_every_record(out: Path, offline: None) -> None:
    release = out / "releases" / "1.0.0"
    dataset = mlc.Dataset(jsonld=release / "croissant.json")
    records = list(dataset.records(record_set="papers"))
    assert len(records) == manifest_of(release)["rows"] == 268
    assert {"papers/date", "papers/topic"} <= set(records[0])


def test_datasets_loads_the_flat_export_offline_with_date_and_topic(
    out: Path, offline: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    data_files = str(out / "releases" / "1.0.0" / "data" / "*.parquet")
    loaded = datasets.load_dataset(
        "parquet", data_files=data_files, split="train", cache_dir=str(tmp_path)
    )
    assert loaded.num_rows == 268
    assert (loaded.features["date"].dtype, loaded.features["topic"].dtype) == (
        "date32",
        "large_string",
    )


def test_hub_dry_run_lists_every_file_with_its_checksum_and_sends_nothing(
    out: Path, offline: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(HfApi, "upload_folder", lambda *a, **k: pytest.fail("a dry run uploaded"))
    assert (
        main(["publish", "--version", "1.0.1", "--out", str(out), "--to", REPO_URL, "--dry-run"])
        == 0
    )
    printed = capsys.readouterr().out
    previous = manifest_of(out / "releases" / "1.0.0")["files"]
    for name in [*previous, "manifest.json"]:
        assert f"{REPO_URL}/{name}  " in printed
    shard = "data/train-00000-of-00001.parquet"  # same data as 1.0.0, so the same bytes
    assert (
        f"{REPO_URL}/{shard}  {previous[shard]['bytes']} bytes  sha256:{previous[shard]['sha256']}"
        in printed
    )
    assert "then tag v1.0.1" in printed
    assert not (out / "releases" / "1.0.1").exists()


def test_hub_upload_is_one_commit_of_the_release_folder_then_a_version_tag(
    out: Path, offline: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(name: str, result: Any) -> Any:
        def method(self: HfApi, *args: Any, **kwargs: Any) -> Any:
            calls.append((name, kwargs))
            return result

        return method

    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    monkeypatch.setattr(HfApi, "list_repo_refs", record("refs", SimpleNamespace(tags=[])))
    monkeypatch.setattr(HfApi, "upload_folder", record("upload", SimpleNamespace(oid="c0ffee" * 6)))
    monkeypatch.setattr(HfApi, "create_tag", record("tag", None))
    publish(ReleaseConfig("1.0.0", out, target=REPO_URL, upload_only=True))
    assert [name for name, _ in calls] == ["refs", "upload", "tag"]
    upload = calls[1][1]
    assert (upload["repo_id"], upload["repo_type"], upload["folder_path"]) == (
        "acme/papers",
        "dataset",
        out / "releases" / "1.0.0",
    )
    assert upload["delete_patterns"] == ["data/*.parquet", "images/*"]
    assert (calls[2][1]["tag"], calls[2][1]["revision"]) == ("v1.0.0", "c0ffee" * 6)


def upload_only(out: Path, target: str) -> list[str]:
    """`paperset publish` of release 1.0.0, already built in `out`, to `target`."""
    return ["publish", "--version", "1.0.0", "--out", str(out), "--to", target, "--upload-only"]


def test_s3_upload_writes_objects_that_match_the_manifest(
    out: Path, bucket: tuple[Any, str]
) -> None:
    client, name = bucket
    assert main(upload_only(out, f"s3://{name}/releases")) == 0
    release = out / "releases" / "1.0.0"
    for key, entry in manifest_of(release)["files"].items():
        body = client.get_object(Bucket=name, Key=f"releases/1.0.0/{key}")["Body"].read()
        assert (len(body), hashlib.sha256(body).hexdigest()) == (entry["bytes"], entry["sha256"])
    manifest = client.get_object(Bucket=name, Key="releases/1.0.0/manifest.json")["Body"].read()
    assert manifest == (release / "manifest.json").read_bytes()


def test_s3_upload_refuses_a_prefix_that_already_holds_the_release(
    out: Path, bucket: tuple[Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = upload_only(out, f"s3://{bucket[1]}")
    assert main(args) == 0
    assert main(args) == 2
    assert "already holds a release" in capsys.readouterr().err


def test_s3_upload_to_a_missing_bucket_fails_with_status_1(
    out: Path, bucket: tuple[Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = upload_only(out, "s3://no-such-bucket")
    assert main(args) == 1
    assert capsys.readouterr().err.startswith(
        "paperset: upload to s3://no-such-bucket/1.0.0 failed"
    )


def test_folder_target_receives_a_new_release_that_verifies(out: Path, tmp_path: Path) -> None:
    shutil.copytree(out, tmp_path / "out")
    mirror = tmp_path / "mirror"
    assert (
        main(["publish", "--version", "1.1.0", "--out", str(tmp_path / "out"), "--to", str(mirror)])
        == 0
    )
    assert verify_release(mirror / "1.1.0") == []
    assert verify_release(tmp_path / "out" / "releases" / "1.1.0") == []


def test_hub_upload_without_a_token_is_refused_before_anything_is_built(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("paperset.release.upload_hf.get_token", lambda: None)
    assert main(["publish", "--version", "1.2.0", "--out", str(out), "--to", REPO_URL]) == 2
    assert "no Hugging Face token" in capsys.readouterr().err
    assert not (out / "releases" / "1.2.0").exists()
