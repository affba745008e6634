"""The training loop: mini-batches, forward, loss, backward, step — and a record of it.

Deterministic for a seed: the model's seed fixes its weights and its layers' random
streams, ``train``'s seed fixes the order of the batches, and nothing else is random.
A rerun reproduces every bit on the same machine with the same number of BLAS threads
(a different thread count may round matrix products differently).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from actlab.nn.losses import binary_cross_entropy, get_loss, mean_squared_error
from actlab.nn.metrics import binary_accuracy, categorical_accuracy
from actlab.nn.optim import Optimizer, get_optimizer
from actlab.nn.probes import Probes
from actlab.nn.progress import progress_bar
from actlab.nn.sequential import Sequential
from actlab.nn.validate import check_pair

__all__ = ["History", "SeedRuns", "evaluate", "train", "train_seeds"]


def _metric_for(loss_fn) -> Callable | None:
    """Categorical accuracy for softmax cross-entropy, binary for BCE, none for regression."""
    if loss_fn is mean_squared_error:
        return None
    if loss_fn is binary_cross_entropy:
        return binary_accuracy
    return categorical_accuracy


@dataclass
class History:
    """What happened, epoch by epoch (index ``k`` is the end of epoch ``k + 1``).

    ``loss`` and ``accuracy`` are averaged over the epoch's mini-batches as they were
    trained on (dropout active, weights still moving: Keras's convention); ``val_loss``
    and ``val_accuracy`` are measured on the validation data after the epoch, in
    evaluation mode. Accuracy is categorical for cross-entropy, binary for BCE, and
    absent (empty lists) for MSE. ``seconds`` is the training time of each epoch;
    ``diverged_at`` is the step at which the loss stopped being finite, if it did
    (training stops there).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    seed: int | None = None
    diverged_at: int | None = None

    def __getitem__(self, key: str) -> list[float]:
        return getattr(self, key)

    @property
    def epochs(self) -> int:
        return len(self.loss)


def evaluate(model: Sequential, X, y, *, loss="cross_entropy", batch_size: int = 1024) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``model`` on ``(X, y)`` in evaluation mode (accuracy NaN for MSE)."""
    loss_fn = get_loss(loss)
    X, y = check_pair(X, y, model.dtype)
    outputs = model.predict(X, batch_size=batch_size)
    metric = _metric_for(loss_fn)
    return loss_fn(outputs, y)[0], (metric(outputs, y) if metric else float("nan"))


def train(model: Sequential, X, y, *, epochs: int = 10, batch_size: int = 128, loss="cross_entropy",
          optimizer: str | Optimizer = "adam", lr: float | None = None, validation=None, seed: int = 0,
          probes: Probes | None = None, progress: bool = True, **optimizer_options) -> History:
    """Train ``model`` on ``(X, y)`` with mini-batch gradient descent; returns its :class:`History`.

    ``loss`` is a name (``"cross_entropy"``, ``"binary_cross_entropy"``, ``"mse"``) or a
    callable; ``optimizer`` a name (``"sgd"``, ``"momentum"``, ``"adam"``) built with ``lr``
    and ``optimizer_options`` (``weight_decay``, ``clip_value``, ``clip_norm``, ...) or an
    optimizer instance over ``model.parameters()``. ``validation=(X_val, y_val)`` adds
    the ``val_*`` entries. ``probes`` records layer statistics as training goes. A
    progress bar appears in a live notebook only (see :mod:`actlab.nn.progress`).
    """
    for name, value, least in (("epochs", epochs, 0), ("batch_size", batch_size, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{name} must be an integer ≥ {least}, got {value!r}")
    loss_fn = get_loss(loss)
    X, y = check_pair(X, y, model.dtype)
    metric = _metric_for(loss_fn)
    if validation is not None:
        validation = check_pair(*validation, model.dtype, names=("X_val", "y_val"))
    opt = get_optimizer(optimizer, model.parameters(), lr, **optimizer_options)
    rng = np.random.default_rng(seed)
    history, bar = History(seed=seed), progress_bar(epochs, progress)
    steps_per_epoch = math.ceil(len(X) / batch_size)
    if probes is not None:
        probes.record(model, loss=loss_fn, step=0, epoch=0.0)
    step, was_training = 0, model.training
    # Overflow in a diverging run is reported as `diverged_at`, not as a floating-point warning.
    with np.errstate(over="ignore", invalid="ignore"), _restoring_mode(model, was_training):
        for epoch in range(epochs):
            model.training = True
            start, seen, loss_sum, metric_sum = time.perf_counter(), 0, 0.0, 0.0
            # The epoch's order, applied once: every batch is then a slice (a view, no copy).
            # The same batches, drawn from `rng` the same way, as actlab.data.batches(X, y, batch_size, rng=rng).
            order = rng.permutation(len(X))
            X_epoch, y_epoch = X[order], y[order]
            for i, first in enumerate(range(0, len(X), batch_size)):
                X_batch, y_batch = X_epoch[first : first + batch_size], y_epoch[first : first + batch_size]
                outputs = model.forward(X_batch)
                value, grad = loss_fn(outputs, y_batch)
                if not math.isfinite(value):
                    history.diverged_at = step
                    break
                model.backward(grad)
                opt.step()
                step += 1
                seen += len(X_batch)
                loss_sum += value * len(X_batch)
                if metric is not None:
                    metric_sum += metric(outputs, y_batch) * len(X_batch)
                if probes is not None and probes.every and step % probes.every == 0:
                    probes.record(model, loss=loss_fn, step=step, epoch=epoch + (i + 1) / steps_per_epoch)
            if history.diverged_at is not None:
                break
            history.seconds.append(time.perf_counter() - start)
            history.loss.append(loss_sum / seen)
            if metric is not None:
                history.accuracy.append(metric_sum / seen)
            if validation is not None:
                val_loss, val_accuracy = evaluate(model, *validation, loss=loss_fn)
                history.val_loss.append(val_loss)
                if metric is not None:
                    history.val_accuracy.append(val_accuracy)
            if probes is not None and probes.every is None:
                probes.record(model, loss=loss_fn, step=step, epoch=float(epoch + 1))
            bar.update(epoch + 1, _summary(history))
    bar.close()
    return history


@contextlib.contextmanager
def _restoring_mode(model: Sequential, training: bool):
    try:
        yield
    finally:
        model.training = training


def _summary(history: History) -> str:
    parts = [f"epoch {history.epochs}", f"loss {history.loss[-1]:.4f}"]
    if history.accuracy:
        parts.append(f"accuracy {history.accuracy[-1]:.3f}")
    if history.val_accuracy:
        parts.append(f"val_accuracy {history.val_accuracy[-1]:.3f}")
    return " · ".join(parts)


@dataclass
class SeedRuns:
    """The same architecture trained from several seeds: one model and history per seed."""

    seeds: list[int]
    models: list[Sequential]
    histories: list[History]

    def stack(self, key: str) -> np.ndarray:
        """``key`` (e.g. ``"val_accuracy"``) for every seed and epoch: shape ``(seeds, epochs)``."""
        return np.array([h[key] for h in self.histories], dtype=np.float64)

    def final(self, key: str) -> np.ndarray:
        """``key`` at the last epoch, one value per seed."""
        return self.stack(key)[:, -1]


def train_seeds(make_model: Callable[[int], Sequential], X, y, *, seeds: Iterable[int] = (0, 1, 2),
                **train_options) -> SeedRuns:
    """Build ``make_model(seed)`` and train it with ``seed`` for each seed; error bars come from the spread.

    ``train_options`` go to :func:`train` (an optimizer must be given by name, since each
    model needs its own). Runs one after another: numpy already uses both cores.
    """
    if isinstance(train_options.get("optimizer"), Optimizer):
        raise TypeError("train_seeds needs the optimizer by name: one optimizer instance cannot train several models")
    if "probes" in train_options:
        raise TypeError("train_seeds does not take probes: one Probes object records one run")
    seeds = [int(s) for s in seeds]
    models, histories = [], []
    for seed in seeds:
        model = make_model(seed)
        histories.append(train(model, X, y, seed=seed, **train_options))
        models.append(model)
    return SeedRuns(seeds, models, histories)
