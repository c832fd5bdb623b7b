"""Run a command and report its peak RSS, from a process small enough not to inflate it.

    python -m bench.rss RESULT -- COMMAND...

Linux carries a process's RSS high-water mark across `exec`: a child forked from the
benchmark (which holds the corpus and the ground truth, gigabytes at 1M records) would
report at least the benchmark's own RSS. Forked from this small launcher instead, the
command's figure is its own. Writes the peak in KiB to RESULT and exits with the command's
status.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run `argv[2:]` (after `--`), write its peak RSS to `argv[0]`, return its status."""
    result, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: python -m bench.rss RESULT -- COMMAND...")
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    Path(result).write_text(f"{usage.ru_maxrss}\n")
    return child.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
