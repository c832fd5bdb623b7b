"""Find the raw dumps under the raw folder, skipping what is not a regular file of ours."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RawFile:
    """A raw dump: where it is, its name relative to the raw folder, and its stat."""

    path: Path
    name: str
    size: int
    mtime: float
    part: int = 0  # a big file is read in `parts` record-aligned parts (`ingest.parts`)
    parts: int = 1


@dataclass(frozen=True)
class Discovery:
    """The dumps found, and one warning per thing skipped."""

    files: list[RawFile]
    warnings: list[str]


def discover_raw_files(raw_dir: Path) -> Discovery:
    """List every regular, non-hidden file below `raw_dir`, sorted by relative name."""
    root = raw_dir.resolve()
    files: list[RawFile] = []
    warnings: list[str] = []
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(_visible_folders(here, subfolders, warnings, root))
        for name in sorted(names):
            found = _inspect(here / name, root, warnings)
            if found is not None:
                files.append(found)
    return Discovery(sorted(files, key=lambda f: f.name), warnings)


def _visible_folders(
    here: Path, subfolders: list[str], warnings: list[str], root: Path
) -> list[str]:
    kept = []
    for name in subfolders:
        relative = (here / name).relative_to(root).as_posix()
        if name.startswith("."):
            warnings.append(f"{relative}: hidden folder skipped")
        elif (here / name).is_symlink():
            warnings.append(f"{relative}: symlinked folder skipped")
        else:
            kept.append(name)
    return kept


def _inspect(path: Path, root: Path, warnings: list[str]) -> RawFile | None:
    relative = path.relative_to(root).as_posix()
    if path.name.startswith("."):
        warnings.append(f"{relative}: hidden file skipped")
        return None
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        warnings.append(f"{relative}: symlink pointing outside the raw folder skipped")
        return None
    try:
        info = path.stat()
    except OSError as error:
        warnings.append(f"{relative}: cannot be read ({error.strerror}), skipped")
        return None
    if not stat.S_ISREG(info.st_mode):
        warnings.append(f"{relative}: not a regular file (FIFO, socket or device), skipped")
        return None
    return RawFile(path, relative, info.st_size, info.st_mtime)
