"""Kernels cache their machine code when they can, and still compile when they cannot."""

import numba
import numpy as np
import pytest
from numba.core import caching

from paperset.compiled import kernel


def total(values: np.ndarray) -> int:
    result = 0
    for value in values:
        result += value
    return result


def test_a_kernel_caches_its_machine_code() -> None:
    compiled = kernel(total)
    assert compiled(np.arange(5)) == 10
    assert isinstance(compiled._cache, caching.FunctionCache)


def test_with_nowhere_to_cache_a_kernel_compiles_each_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # No cache folder can be written: numba itself refuses to cache the function.
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    with pytest.raises(RuntimeError, match="no locator available"):
        numba.njit(cache=True)(total)
    compiled = kernel(total)
    assert compiled(np.arange(5)) == 10
    assert isinstance(compiled._cache, caching.NullCache)
