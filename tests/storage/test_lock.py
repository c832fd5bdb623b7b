"""Locks: one writer at a time, refused at once; dead holders never block; readers wait."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from test_storage_frames import STATE_A, commit, frame

from paperset.errors import LockedError
from paperset.storage import read_papers
from paperset.storage.layout import Layout
from paperset.storage.lock import (
    _write_holder,
    check_unlocked,
    output_lock,
    publishing,
    reading,
)

HOLD_LOCK = """
import sys, time
from pathlib import Path
from paperset.storage.lock import output_lock
with output_lock(Path(sys.argv[1]), "doomed-run"):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_at_once_naming_the_first(tmp_path: Path) -> None:
    with output_lock(tmp_path, "run-1"):
        started = time.monotonic()
        with pytest.raises(LockedError) as caught, output_lock(tmp_path, "run-2"):
            pass
        assert time.monotonic() - started < 1
    message = str(caught.value)
    assert f"run run-1 (pid {os.getpid()} on {socket.gethostname()}, started " in message
    assert "\n" not in message


def test_a_writer_refused_before_the_holder_names_itself_waits_for_its_name(
    tmp_path: Path,
) -> None:
    # A run writes its record just after taking the lock: one refused in between reads an
    # empty record, and would name no one without waiting for it.
    path = Layout(tmp_path).lock
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        later = threading.Timer(0.2, _write_holder, (fd, "run-1"))
        later.start()
        refused = pytest.raises(LockedError, match="in use by paperset run run-1 ")
        with refused, output_lock(tmp_path, "run-2"):
            pass
        later.join()
    finally:
        os.close(fd)


def test_a_busy_folder_is_reported_without_taking_the_lock(tmp_path: Path) -> None:
    check_unlocked(tmp_path)
    with output_lock(tmp_path, "run-1"), pytest.raises(LockedError, match="run run-1"):
        check_unlocked(tmp_path)
    check_unlocked(tmp_path)


def test_the_lock_is_free_again_after_the_block(tmp_path: Path) -> None:
    with output_lock(tmp_path, "run-1"):
        pass
    with output_lock(tmp_path, "run-2"):
        assert '"run_id": "run-2"' in (tmp_path / ".lock").read_text()


def test_a_holder_record_left_in_the_lock_file_does_not_block(tmp_path: Path) -> None:
    (tmp_path / ".lock").write_text('{"pid": 4194304, "run_id": "long-gone"}')
    with output_lock(tmp_path, "run-2"):
        pass


def test_a_lock_held_by_a_killed_process_does_not_block_the_next_run(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    with pytest.raises(LockedError, match="doomed-run"), output_lock(tmp_path, "run-2"):
        pass
    holder.kill()
    holder.wait()
    with output_lock(tmp_path, "run-2"):
        pass


def in_background(work: Callable[[], object]) -> threading.Event:
    """Run `work` in a thread; the event is set when it has finished."""
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def pass_through(manager: AbstractContextManager[None]) -> None:
    """Enter `manager` and leave it at once."""
    with manager:
        pass


def test_a_reader_waits_while_a_commit_publishes(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    with publishing(tmp_path):
        done = in_background(lambda: read_papers(tmp_path))
        assert not done.wait(0.3)
    assert done.wait(10)


def test_a_publish_waits_for_readers_to_finish(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    with reading(tmp_path):
        done = in_background(lambda: pass_through(publishing(tmp_path)))
        assert not done.wait(0.3)
    assert done.wait(10)
