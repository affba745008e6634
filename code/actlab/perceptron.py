"""Rosenblatt's perceptron and its learning rule.

The perceptron :cite:`rosenblatt1958perceptron` computes ``H(w·x + b)`` with the
Heaviside step ``H``. Its learning rule visits the examples in order and, on every
mistake, moves the weights towards the misclassified point:

    w ← w + η (y − ŷ) x,    b ← b + η (y − ŷ),

with labels ``y ∈ {0, 1}`` and prediction ``ŷ = H(w·x + b)``. On data that a line
separates with margin γ inside a ball of radius R, it makes at most (R/γ)² mistakes
(Novikoff 1962, for the homogeneous form with the bias folded into ``w``); on data that
no line separates it never stops, and its weights stay bounded and eventually cycle
(Block & Levin 1970).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["DescentRun", "PerceptronRun", "gradient_descent_unit", "novikoff_bound", "predict", "train_perceptron"]


def _as_inputs(X, y=None) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    if y is None:
        return X, None
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold the labels 0 and 1 only, got {np.unique(y)}")
    return X, y.astype(np.int64)


def predict(X, w, b: float) -> np.ndarray:
    """Perceptron output ``H(X @ w + b)`` with the convention ``H(0) = 1``."""
    X, _ = _as_inputs(X)
    return (X @ np.asarray(w, dtype=np.float64) + b >= 0).astype(np.int64)


@dataclass
class PerceptronRun:
    """What one run of the learning rule did.

    ``weights[k]`` and ``biases[k]`` are the parameters at the end of epoch ``k``
    (``weights[0]`` is the start), ``mistakes[k]`` the number of updates during
    epoch ``k + 1``. ``cycle`` is ``(first, period)`` when the parameters at the end
    of an epoch repeat earlier ones exactly, which proves the rule will loop forever.
    """

    weights: list[np.ndarray] = field(default_factory=list)
    biases: list[float] = field(default_factory=list)
    mistakes: list[int] = field(default_factory=list)
    cycle: tuple[int, int] | None = None

    @property
    def converged(self) -> bool:
        """True when the last epoch made no mistake."""
        return bool(self.mistakes) and self.mistakes[-1] == 0

    @property
    def total_mistakes(self) -> int:
        return int(sum(self.mistakes))

    @property
    def w(self) -> np.ndarray:
        return self.weights[-1]

    @property
    def b(self) -> float:
        return self.biases[-1]


def train_perceptron(X, y, *, epochs: int = 100, learning_rate: float = 1.0) -> PerceptronRun:
    """Run the perceptron rule from zero weights, one pass over the data per epoch.

    Stops at the first epoch without a mistake (converged), at the first epoch whose
    end state repeats an earlier one (a cycle: it can never converge), or after
    ``epochs`` epochs.
    """
    X, y = _as_inputs(X, y)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    w, b = np.zeros(X.shape[1]), 0.0
    run = PerceptronRun(weights=[w.copy()], biases=[b])
    seen = {(tuple(w), b): 0}
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - (1 if x_i @ w + b >= 0 else 0)
            if error:
                w += learning_rate * error * x_i
                b += learning_rate * error
                mistakes += 1
        run.weights.append(w.copy())
        run.biases.append(b)
        run.mistakes.append(mistakes)
        if mistakes == 0:
            break
        state = (tuple(w), b)
        if state in seen:
            run.cycle = (seen[state], epoch - seen[state])
            break
        seen[state] = epoch
    return run


def novikoff_bound(X, y, w_sep, b_sep: float = 0.0) -> float:
    """Novikoff's bound (R/γ)² on the perceptron's number of mistakes.

    The bias is folded in as a constant input 1, so ``R = max ‖(x, 1)‖`` and
    ``γ = min y±·(w·x + b) / ‖(w, b)‖`` for a separator ``(w_sep, b_sep)`` with
    ``y± = 2y − 1``. Any separator gives a valid bound; a wider margin a tighter one.
    """
    X, y = _as_inputs(X, y)
    augmented = np.column_stack([X, np.ones(len(X))])
    normal = np.append(np.asarray(w_sep, dtype=np.float64), b_sep)
    margins = (2 * y - 1) * (augmented @ normal) / np.linalg.norm(normal)
    gamma = margins.min()
    if gamma <= 0:
        raise ValueError(f"(w_sep, b_sep) does not separate the data: smallest margin {gamma:.3g}")
    radius = np.linalg.norm(augmented, axis=1).max()
    return float((radius / gamma) ** 2)


@dataclass
class DescentRun:
    """Gradient descent on one unit: the loss and gradient norm before each step."""

    losses: list[float]
    gradient_norms: list[float]
    w: np.ndarray
    b: float


def gradient_descent_unit(
    X, y, activation, *, learning_rate: float = 1.0, steps: int = 200, seed: int = 0
) -> DescentRun:
    """Full-batch gradient descent on one unit ``f(w·x + b)`` with the squared error.

    The loss and its gradient, for ``z_i = w·x_i + b``:

        L = (1/2n) Σ (f(z_i) − y_i)²,
        ∂L/∂w = (1/n) Σ (f(z_i) − y_i) f′(z_i) x_i,   ∂L/∂b = (1/n) Σ (f(z_i) − y_i) f′(z_i).

    ``activation`` is any object with ``__call__`` and ``derivative`` (an
    :mod:`actlab.activations` activation). Weights start small and random (seeded).
    The gradient goes through ``f′``: where that is zero, as for the step, nothing moves.
    """
    X, y = _as_inputs(X, y)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    rng = np.random.default_rng(seed)
    w, b = 0.1 * rng.standard_normal(X.shape[1]), 0.0
    losses, norms = [], []
    for _ in range(steps):
        z = X @ w + b
        residual = activation(z) - y
        losses.append(float(0.5 * np.mean(residual**2)))
        delta = residual * activation.derivative(z)
        grad_w, grad_b = X.T @ delta / len(X), float(np.mean(delta))
        norms.append(float(np.hypot(np.linalg.norm(grad_w), grad_b)))
        w, b = w - learning_rate * grad_w, b - learning_rate * grad_b
    return DescentRun(losses, norms, w, b)
