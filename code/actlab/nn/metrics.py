"""Accuracy, measured the way its name says.

For ``K`` classes trained with softmax cross-entropy the metric is *categorical*
accuracy: the share of examples whose largest logit is the true class. Binary accuracy
counts agreeing entries instead; applied to one-hot targets of 10 classes it would
credit a network that always answers "no" with 90%.
"""

from __future__ import annotations

import numpy as np

from actlab.nn.losses import class_labels

__all__ = ["binary_accuracy", "categorical_accuracy"]


def categorical_accuracy(outputs: np.ndarray, labels) -> float:
    """Fraction of rows with ``argmax(outputs[i]) == labels[i]``; ``outputs`` is (N, K ≥ 2)."""
    if outputs.ndim != 2 or outputs.shape[1] < 2:
        raise ValueError(f"categorical accuracy needs outputs of shape (batch, classes ≥ 2), got {outputs.shape}")
    labels = class_labels(labels, *outputs.shape)
    return np.count_nonzero(outputs.argmax(axis=1) == labels) / len(labels)


def binary_accuracy(logits: np.ndarray, targets) -> float:
    """Fraction of entries where ``logit > 0`` (probability > ½) agrees with ``target > ½``.

    For binary or multi-label outputs; ``targets`` has the shape of ``logits`` (a flat
    vector also matches a single column).
    """
    targets = np.asarray(targets)
    if targets.shape != logits.shape and targets.shape + (1,) == logits.shape:
        targets = targets[:, None]
    if targets.shape != logits.shape:
        raise ValueError(f"binary accuracy: targets must have the logits' shape {logits.shape}, got {targets.shape}")
    return float(((logits > 0) == (targets > 0.5)).mean())
