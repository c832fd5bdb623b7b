"""Locks on an output folder: one writer at a time, and readers that never see half a commit.

All locks are `flock`s, which the kernel drops when their process dies, so a killed run never
blocks the next one. Lock files are never deleted: unlinking a locked file lets a second process
lock a fresh inode under the same name while the first still holds the old one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from paperset.errors import LockedError, OutputError
from paperset.storage.layout import Layout

GATE_LOCK = "gate.lock"
READ_LOCK = "read.lock"


@contextlib.contextmanager
def output_lock(out_dir: Path, run_id: str) -> Iterator[None]:
    """Hold the folder's writer lock for the block; raise LockedError at once if it is taken."""
    path = Layout(out_dir).lock
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise OutputError(f"cannot open lock file {path}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(_locked_message(out_dir, _holder_once_written(fd))) from None
        _write_holder(fd, run_id)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # before unlocking, so no one reads a finished run as holder
    finally:
        os.close(fd)


def check_unlocked(out_dir: Path) -> None:
    """Raise LockedError now if a run holds `out_dir`: a fast refusal before a slow start-up.

    Only a hint: the folder may be taken a moment later, so writers still need `output_lock`.
    """
    path = Layout(out_dir).lock
    if not path.exists():
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if _held_elsewhere(fd):
            raise LockedError(_locked_message(out_dir, _read_holder(fd)))
    finally:
        os.close(fd)


def require_lock(out_dir: Path, run_id: str) -> None:
    """Refuse to go on unless this process holds `output_lock(out_dir, run_id)`."""
    path = Layout(out_dir).lock
    holder: dict[str, object] = {}
    if path.exists():
        fd = os.open(path, os.O_RDONLY)
        try:
            holder = _read_holder(fd) if _held_elsewhere(fd) else {}
        finally:
            os.close(fd)
    if holder.get("pid") != os.getpid() or holder.get("run_id") != run_id:
        raise RuntimeError(f"writing to {out_dir} needs output_lock(out_dir, {run_id!r}) held")


@contextlib.contextmanager
def publishing(out_dir: Path) -> Iterator[None]:
    """Keep readers out while a commit moves files into place (waits for current readers)."""
    meta = Layout(out_dir).meta
    meta.mkdir(parents=True, exist_ok=True)
    # Taking the gate first stops new readers, so a stream of readers cannot starve the writer.
    with _flock(meta / GATE_LOCK, fcntl.LOCK_EX), _flock(meta / READ_LOCK, fcntl.LOCK_EX):
        yield


@contextlib.contextmanager
def reading(out_dir: Path) -> Iterator[None]:
    """Wait out a publish in progress and hold the next one off until the block ends."""
    meta = Layout(out_dir).meta
    with contextlib.ExitStack() as stack:
        with _flock(meta / GATE_LOCK, fcntl.LOCK_SH):
            stack.enter_context(_flock(meta / READ_LOCK, fcntl.LOCK_SH))
        yield


@contextlib.contextmanager
def _flock(path: Path, operation: int) -> Iterator[None]:
    """Hold `flock(operation)` on `path`; hold nothing when the file cannot be opened at all."""
    fd = _open_lock_file(path)
    if fd is None:
        yield  # a read-only dataset that no commit ever published into: nothing to wait for
        return
    try:
        fcntl.flock(fd, operation)
        yield
    finally:
        os.close(fd)


def _open_lock_file(path: Path) -> int | None:
    """Open `path` for locking, creating it if allowed; None when it is absent and can't be."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        pass
    try:
        return os.open(path, os.O_RDONLY)  # flock works on read-only descriptors
    except OSError:
        return None


def _held_elsewhere(fd: int) -> bool:
    """Tell whether some descriptor other than `fd` holds the lock on its file."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def _write_holder(fd: int, run_id: str) -> None:
    """Record who holds the lock, for the message a refused run prints."""
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "run_id": run_id,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)


HOLDER_WAIT_SECONDS = 1.0


def _holder_once_written(fd: int) -> dict[str, object]:
    """The holder record, waiting up to HOLDER_WAIT_SECONDS for it: a run writes it just
    after it takes the lock, so one refused in between would otherwise name no one."""
    deadline = time.monotonic() + HOLDER_WAIT_SECONDS
    while not (holder := _read_holder(fd)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return holder


def _read_holder(fd: int) -> dict[str, object]:
    """Return the holder record, or {} while it is being written or unreadable."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _locked_message(out_dir: Path, holder: dict[str, object]) -> str:
    """Name the run that holds `out_dir`, on one line."""
    if not holder:
        return f"{out_dir} is in use by another paperset run; wait for it to finish"
    return (
        f"{out_dir} is in use by paperset run {holder.get('run_id')} "
        f"(pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started_at')}); "
        "wait for it to finish or choose another output folder"
    )
