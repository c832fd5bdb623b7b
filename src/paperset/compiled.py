"""The compiler of paperset's kernels: numba, without the GIL, machine code cached on disk.

A kernel is compiled the first time it runs in an environment (a few seconds for all of
them) and cached in the `__pycache__` folder beside its module, in NUMBA_CACHE_DIR when set,
or else in the user's cache folder. Where none of these can be written (a read-only install
run by a user without a home), numba refuses to cache and would fail the import: the kernel
is then compiled on its first call in each run instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

F = TypeVar("F", bound=Callable[..., Any])


def kernel(function: F | None = None, *, inline: bool = False) -> Any:
    """Compile `function` in nopython mode, releasing the GIL; `inline` for small helpers
    other kernels call in their loops."""

    def compile_(python: F) -> Any:
        options: dict[str, Any] = {"nogil": True} | ({"inline": "always"} if inline else {})
        try:
            return numba.njit(cache=True, **options)(python)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, **options)(python)

    return compile_ if function is None else compile_(function)
