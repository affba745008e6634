"""Losses, each returning ``(loss, ∂loss/∂outputs)`` for a batch, averaged over it.

The network's last layer outputs raw scores (logits); the losses for classification
apply the softmax or sigmoid themselves. Fusing them is not only faster: the gradient
of cross-entropy through a softmax is simply ``p − onehot(y)``, and the log-sum-exp
form never takes the log of a probability that has underflowed to 0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["LOSSES", "binary_cross_entropy", "get_loss", "mean_squared_error", "softmax_cross_entropy"]

Loss = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def class_labels(labels, n: int, classes: int) -> np.ndarray:
    """``labels`` checked to be ``n`` class indices in ``[0, classes)``, as int64."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == classes:
        raise ValueError(f"labels must be class indices of shape ({n},), got shape {labels.shape}; "
                         "for one-hot labels pass labels.argmax(axis=1)")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) to match the outputs, got {labels.shape}")
    if labels.dtype.kind == "f" and np.array_equal(labels, np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}")
    if n and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must lie in [0, {classes}) for {classes} outputs, "
                         f"got values from {labels.min()} to {labels.max()}")
    return labels.astype(np.int64, copy=False)


def _matching(targets, outputs: np.ndarray, what: str) -> np.ndarray:
    """``targets`` in the shape of ``outputs`` (a flat vector also matches a single column)."""
    targets = np.asarray(targets)
    if targets.shape != outputs.shape and targets.shape + (1,) == outputs.shape:
        targets = targets[:, None]
    if targets.shape != outputs.shape:
        raise ValueError(f"{what}: targets must have the outputs' shape {outputs.shape}, got {targets.shape}")
    return targets.astype(outputs.dtype, copy=False)


def softmax_cross_entropy(logits: np.ndarray, labels) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of ``softmax(logits)`` against integer class labels.

    With ``z = logits[i]`` and ``y = labels[i]``::

        loss_i = −log softmax(z)_y = logsumexp(z) − z_y,
        logsumexp(z) = m + log Σ_j exp(z_j − m),   m = max_j z_j,
        ∂loss/∂z = (softmax(z) − onehot(y)) / N.

    Subtracting the maximum keeps every exponent ≤ 0: no overflow, and the largest
    term is exactly 1, so the log is never of 0.
    """
    if logits.ndim != 2 or logits.shape[1] < 2:
        raise ValueError(f"softmax cross-entropy needs logits of shape (batch, classes ≥ 2), got {logits.shape}; "
                         "for one output unit use binary_cross_entropy")
    n, classes = logits.shape
    labels = class_labels(labels, n, classes)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1)
    rows = np.arange(n)
    loss = (np.log(total) - shifted[rows, labels]).sum() / n  # the mean (ndarray.mean costs 5× more)
    grad = exp / total[:, None]  # softmax(z)
    grad[rows, labels] -= 1
    grad /= n
    return float(loss), grad


def binary_cross_entropy(logits: np.ndarray, targets) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of ``sigmoid(logits)`` against targets in [0, 1].

    One independent yes/no per output (binary or multi-label classification). In terms
    of the logit ``z`` and target ``t``, without ever forming ``log σ(z)``::

        loss = max(z, 0) − z t + log(1 + exp(−|z|)),
        ∂loss/∂z = (σ(z) − t) / (number of entries).
    """
    targets = _matching(targets, logits, "binary cross-entropy")
    if targets.size and (targets.min() < 0 or targets.max() > 1):
        raise ValueError("binary cross-entropy: targets must lie in [0, 1]; "
                         "for class indices 0..K−1 use softmax_cross_entropy")
    e = np.exp(-np.abs(logits))  # in (0, 1]: never overflows
    loss = (np.maximum(logits, 0) - logits * targets + np.log1p(e)).mean()
    # σ(z) − t, with σ(−|z|) = e/(1 + e) small: for z ≥ 0 write it (1 − t) − σ(−z), which
    # for t = 1 is exact where 1/(1 + e) − 1 would cancel catastrophically.
    small = e / (1 + e)
    residual = np.where(logits >= 0, (1 - targets) - small, small - targets)
    return float(loss), residual / logits.size


def mean_squared_error(outputs: np.ndarray, targets) -> tuple[float, np.ndarray]:
    """Mean of ``(outputs − targets)²`` over every entry; gradient ``2 (outputs − targets) / size``."""
    targets = _matching(targets, outputs, "mean squared error")
    diff = outputs - targets
    return float((diff * diff).mean()), diff * (2 / diff.size)


LOSSES: dict[str, Loss] = {
    "cross_entropy": softmax_cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
    "binary_cross_entropy": binary_cross_entropy,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
}


def get_loss(loss: str | Loss) -> Loss:
    """The loss called ``loss``, or ``loss`` itself if it is a callable ``(outputs, targets) -> (value, grad)``."""
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    return LOSSES[loss]
