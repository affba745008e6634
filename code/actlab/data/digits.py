"""scikit-learn's bundled handwritten digits: 1797 images of 8 × 8 pixels, 10 classes.

They ship inside scikit-learn (the UCI "optical recognition" test set, downsampled by
counting ink in 4 × 4 blocks, so each pixel is an integer 0–16): nothing is downloaded.
"""

from __future__ import annotations

import numpy as np

from actlab.data.splits import Split

__all__ = ["load_digits"]


def load_digits(*, test_fraction: float = 0.2, seed: int = 0, images: bool = False, dtype=np.float32) -> Split:
    """The digits as ``Split(X_train, y_train, X_test, y_test)``, pixels scaled to [0, 1].

    ``X`` has shape ``(n, 64)``, or ``(n, 8, 8, 1)`` (channels-last, for
    :class:`~actlab.nn.Conv2D`) with ``images=True``. The split is stratified: each
    class keeps its share in both parts.
    """
    from sklearn.datasets import load_digits as bundled_digits
    from sklearn.model_selection import train_test_split

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    data = bundled_digits()
    X = (data.images / 16.0).astype(dtype)
    X = X[..., None] if images else X.reshape(len(X), -1)
    y = data.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_fraction, stratify=y, random_state=seed)
    return Split(X_train, y_train, X_test, y_test)
