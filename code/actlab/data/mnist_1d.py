"""MNIST-1D :cite:`greydanus2020scaling`, generated on this machine, never downloaded.

Ten 1-D templates of 12 points, one per digit, each padded, stretched, scaled,
shifted, sheared and given correlated and white noise, then resampled to 40 points.
With the package's default settings: 4000 training and 1000 test sequences, about
400 per class. Greydanus reports test accuracies of 32% for logistic regression, 68%
for an MLP, 94% for a CNN and ≈ 96% for a human: a data set small enough for a laptop
on which architectures still differ as they do on real problems.

The ``mnist1d`` package builds it with :func:`mnist1d.data.make_dataset`; its other
entry point, ``get_dataset``, downloads a pickle and is never used here. Generation
takes a few seconds, so results are cached in memory per setting.
"""

from __future__ import annotations

import functools
import random

import numpy as np

from actlab.data.splits import Split

__all__ = ["load_mnist1d"]


@functools.lru_cache(maxsize=4)
def _generate(seed: int, num_samples: int, shuffle_seq: bool) -> tuple[np.ndarray, ...]:
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.seed, args.num_samples, args.shuffle_seq = seed, num_samples, shuffle_seq
    # make_dataset reseeds Python's and numpy's global generators; put the caller's state back.
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    arrays = (data["x"], data["y"], data["x_test"], data["y_test"])
    for a in arrays:
        a.setflags(write=False)  # the cache is shared: nobody may change it
    return arrays


def load_mnist1d(*, seed: int = 42, num_samples: int = 5000, shuffle_seq: bool = False,
                 dtype=np.float32) -> Split:
    """MNIST-1D as ``Split(X_train, y_train, X_test, y_test)``: ``X`` of shape ``(n, 40)``, ``y`` int64 in 0..9.

    The defaults are the package's (and the paper's): seed 42, 5000 sequences, 80% for
    training. ``shuffle_seq=True`` applies one fixed permutation to the 40 positions of
    every sequence, the paper's test of spatial inductive bias. The signals are already
    centred and scaled to unit variance over the whole set. For a convolution, add a
    channel axis: ``X[..., None]``. Every call returns fresh copies.
    """
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 10:
        raise ValueError(f"num_samples must be an integer ≥ 10 (one per class at least), got {num_samples!r}")
    X, y, X_test, y_test = _generate(int(seed), num_samples, bool(shuffle_seq))
    return Split(X.astype(dtype), y.astype(np.int64), X_test.astype(dtype), y_test.astype(np.int64))
