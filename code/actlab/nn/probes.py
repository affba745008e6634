"""Per-layer statistics of a network, measured without disturbing its training.

For the output ``h`` of every layer (all of its entries, over the probe inputs):

=================  ==========================================================
``mean``, ``var``  mean and variance of all entries of ``h``
``sparsity``       fraction of entries exactly 0 (a rectifier's "off" units)
``dead``           fraction of units (last axis: neurons or channels) that are
                   0 for every probe input and position — they pass no gradient
``grad_norm``      ‖∂L/∂h‖, the gradient arriving at the layer's output
``param_grad_norm``‖∂L/∂θ‖ over the layer's parameters (NaN if it has none)
=================  ==========================================================

The gradient statistics need targets ``y``; without them they are NaN. Measurements
run in evaluation mode, so dropout draws no random numbers and batch norm does not
update its running statistics: a run with probes trains exactly as a run without.
The parameters' ``grad`` arrays are put back afterwards.
"""

from __future__ import annotations

import numpy as np

from actlab.nn.layer import Layer
from actlab.nn.losses import get_loss
from actlab.nn.optim import global_norm
from actlab.nn.sequential import Sequential
from actlab.nn.validate import check_inputs, check_pair

__all__ = ["STATISTICS", "Probes", "layer_statistics"]

STATISTICS = ("mean", "var", "sparsity", "dead", "grad_norm", "param_grad_norm")


def _activity(h: np.ndarray) -> dict[str, float]:
    off = h == 0
    return {
        "mean": float(h.mean(dtype=np.float64)),
        "var": float(h.var(dtype=np.float64)),
        "sparsity": float(off.mean()),
        "dead": float(off.reshape(-1, h.shape[-1]).all(axis=0).mean()),
    }


def _parameter_grad_norm(layer: Layer) -> float:
    params = layer.parameters()
    return global_norm([p.grad for p in params]) if params else float("nan")


def layer_statistics(model: Sequential, X, y=None, *, loss="cross_entropy") -> dict[str, np.ndarray]:
    """Every statistic of :data:`STATISTICS` for each layer of ``model``: arrays of length ``len(model)``.

    One forward pass over all of ``X`` (and, with targets ``y``, one backward pass of
    ``loss``), in evaluation mode. Pass as much data as should count for "dead".
    """
    X, y = check_pair(X, y, model.dtype) if y is not None else (check_inputs(X, model.dtype), None)
    params = model.parameters()
    saved_grads = [p.grad for p in params]
    was_training, model.training = model.training, False
    stats = {name: np.full(len(model), np.nan) for name in STATISTICS}
    try:
        h = X
        for i, layer in enumerate(model.layers):
            h = layer.forward(h)
            for name, value in _activity(h).items():
                stats[name][i] = value
        if y is not None:
            _, grad = get_loss(loss)(h, y)
            for i in reversed(range(len(model))):
                stats["grad_norm"][i] = float(np.linalg.norm(grad))
                grad = model.layers[i].backward(grad)
                stats["param_grad_norm"][i] = _parameter_grad_norm(model.layers[i])
    finally:
        model.training = was_training
        for p, g in zip(params, saved_grads):
            p.grad = g
    return stats


class Probes:
    """Layer statistics recorded while a model trains: pass to ``train(..., probes=probes)``.

    Recorded before the first step, then at the end of every epoch — or, with
    ``every=k``, after every ``k``-th optimizer step. ``X`` (and ``y`` for the gradient
    statistics) are the probe data: a fixed batch or a whole data set.

    ``steps`` and ``epochs`` say when each record was taken (``epochs`` counts completed
    epochs, fractional between them); :meth:`table` returns one statistic as an array of
    shape ``(records, layers)``.
    """

    def __init__(self, X, y=None, *, every: int | None = None):
        if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(f"every must be a positive number of steps or None (each epoch), got {every!r}")
        self.X, self.y, self.every = X, y, every
        self.steps: list[int] = []
        self.epochs: list[float] = []
        self.records: list[dict[str, np.ndarray]] = []
        self.layer_names: list[str] = []

    def record(self, model: Sequential, *, loss="cross_entropy", step: int = 0, epoch: float = 0.0) -> None:
        """Measure ``model`` now and append the result."""
        self.layer_names = [f"{i}: {layer!r}" for i, layer in enumerate(model.layers)]
        self.records.append(layer_statistics(model, self.X, self.y, loss=loss))
        self.steps.append(step)
        self.epochs.append(epoch)

    def table(self, statistic: str) -> np.ndarray:
        """``statistic`` (one of :data:`STATISTICS`) for every record and layer: shape ``(records, layers)``."""
        if statistic not in STATISTICS:
            raise ValueError(f"unknown statistic {statistic!r}; known: {', '.join(STATISTICS)}")
        return np.array([r[statistic] for r in self.records])

    def __len__(self) -> int:
        return len(self.records)
