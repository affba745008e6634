"""Sliding windows over channels-last arrays: im2col and its adjoint, col2im.

Convolution and pooling both look at every ``kernel``-sized window of the input,
``stride`` apart. :func:`windows` returns all of them at once, as a view, shaped
``(N, *out, *kernel, C)`` for an input ``(N, *spatial, C)``. A convolution is then one
matrix product (the windows, flattened into rows, times the kernel) — the "im2col" trick
that turns a loop over positions into a single BLAS call.

Backward, each window entry's gradient must be added back to the input position it
came from; windows overlap when ``stride < kernel``, so contributions sum. :func:`fold`
does that with one strided slice per kernel offset (a few dozen, not one per position).
Works for any number of spatial dimensions: 1 for sequences, 2 for images.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["fold", "output_size", "pad", "unpad", "windows"]


def output_size(size: int, kernel: int, stride: int, padding: int = 0) -> int:
    """Number of windows along one axis: ⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def pad(x: np.ndarray, padding: tuple[int, ...]) -> np.ndarray:
    """Zero-pad the spatial axes of ``x`` (N, *spatial, C) by ``padding[i]`` on both sides."""
    if not any(padding):
        return x
    return np.pad(x, [(0, 0), *((p, p) for p in padding), (0, 0)])


def unpad(x: np.ndarray, padding: tuple[int, ...]) -> np.ndarray:
    """Undo :func:`pad`: drop ``padding[i]`` entries from both ends of each spatial axis."""
    if not any(padding):
        return x
    return x[(slice(None), *(slice(p, x.shape[i + 1] - p) for i, p in enumerate(padding)), slice(None))]


def windows(x: np.ndarray, kernel: tuple[int, ...], stride: tuple[int, ...]) -> np.ndarray:
    """Every window of ``x``: a read-only view of shape ``(N, *out, *kernel, C)``."""
    nd = len(kernel)
    view = sliding_window_view(x, kernel, axis=tuple(range(1, nd + 1)))  # (N, *all, C, *kernel)
    view = view[(slice(None), *(slice(None, None, s) for s in stride))]
    return np.moveaxis(view, 1 + nd, -1)


def fold(cols: np.ndarray, shape: tuple[int, ...], kernel: tuple[int, ...], stride: tuple[int, ...]) -> np.ndarray:
    """The adjoint of :func:`windows`: sum ``cols`` ``(N, *out, *kernel, C)`` back into ``shape``."""
    nd = len(kernel)
    out_sizes = cols.shape[1 : 1 + nd]
    x = np.zeros(shape, dtype=cols.dtype)
    for offset in np.ndindex(*kernel):
        # Window i along an axis starts at i·stride, so its entry at `offset` lands at offset + i·stride.
        target = tuple(slice(o, o + s * (n - 1) + 1, s) for o, s, n in zip(offset, stride, out_sizes))
        x[(slice(None), *target)] += cols[(slice(None),) * (1 + nd) + offset]
    return x
