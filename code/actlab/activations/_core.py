"""Input coercion, parameter checks and blockwise evaluation shared by every activation.

Every public function of the package goes through :func:`as_float_array` so that all
activations agree on what they accept: real numbers and arrays of them. float32 stays
float32 and float64 stays float64; every other real type (bool, integers, Python
lists of numbers) becomes float64 and float16 becomes float32. Complex numbers,
strings and other objects are refused with a :class:`TypeError` naming the activation.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

__all__ = [
    "BLOCK",
    "as_float_array",
    "apply_elementwise",
    "finite_real",
    "positive_real",
    "positive_int",
]

#: Elements per block in :func:`apply_elementwise`: a float32 block and its few
#: temporaries stay in a 1 MiB L2 cache, so multi-step formulas on large arrays are
#: paid in cache traffic rather than in main-memory traffic, and blocks are large
#: enough that the per-call overhead of numpy stays small.
BLOCK = 1 << 16


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}" if isinstance(x, (str, bytes, complex)) else type(x).__name__


def as_float_array(x, name: str) -> np.ndarray:
    """``x`` as a float32 or float64 array, or a :class:`TypeError` naming ``name``.

    float32 and float64 arrays come back unchanged (no copy); float16 becomes float32;
    bool, integer, longdouble and nested lists of real numbers become float64.
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name}: expected a real number or an array of real numbers, got {_describe(x)}")
    if isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float64):
        return x
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise TypeError(f"{name}: expected a real number or an array of real numbers, got {_describe(x)}") from exc
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(
            f"{name}: complex input is not supported (activations are real functions), got {_describe(x)}"
        )
    if kind not in "biuf":
        got = _describe(x) if isinstance(x, np.ndarray) else f"{_describe(x)} (as an array: dtype {arr.dtype})"
        raise TypeError(f"{name}: expected a real number or an array of real numbers, got {got}")
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if arr.dtype in (np.float32, np.float64):
        return arr
    return arr.astype(np.float64)


def apply_elementwise(kernel: Callable[..., np.ndarray], x: np.ndarray, **params) -> np.ndarray:
    """``kernel(x, **params)``, evaluated block by block when ``x`` is large.

    ``kernel`` maps a 1-D float array to a new array of the same dtype and length.
    The result has the shape and dtype of ``x``; a 0-d input gives a 0-d array.
    """
    if x.size <= BLOCK:
        return kernel(x.reshape(-1), **params).reshape(x.shape)
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty(flat.shape, dtype=x.dtype)
    for start in range(0, flat.size, BLOCK):
        stop = start + BLOCK
        out[start:stop] = kernel(flat[start:stop], **params)
    return out.reshape(x.shape)


def _as_real(activation: str, param: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{activation}: parameter {param!r} must be a real number, got {_describe(value)}")
    return float(value)


def finite_real(activation: str, param: str, value) -> float:
    """``value`` as a Python float, or an error saying it must be a finite real number."""
    v = _as_real(activation, param, value)
    if not math.isfinite(v):
        raise ValueError(f"{activation}: parameter {param!r} must be finite, got {value!r}")
    return v


def positive_real(activation: str, param: str, value) -> float:
    """``value`` as a Python float, or an error saying it must be finite and > 0."""
    v = finite_real(activation, param, value)
    if v <= 0:
        raise ValueError(f"{activation}: parameter {param!r} must be positive, got {value!r}")
    return v


def positive_int(activation: str, param: str, value) -> int:
    """``value`` as an int, or an error saying it must be a positive integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{activation}: parameter {param!r} must be an integer, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{activation}: parameter {param!r} must be a positive integer, got {value!r}")
    return int(value)
