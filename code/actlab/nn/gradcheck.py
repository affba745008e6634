"""Does ``backward`` agree with the derivative? Central finite differences will tell.

For a layer ``f`` and a fixed random array ``r`` of the output's shape (uniform on
[−1, 1]), take the scalar ``L(x, θ) = Σ r ⊙ f(x; θ)``. Backward with upstream ``r``
claims ``∂L/∂x`` and ``∂L/∂θ``; each entry is compared with

    (L(… + ε …) − L(… − ε …)) / (2ε),

whose error is O(ε²) for smooth ``f`` plus rounding of order ``ulp/ε``. In float64
with ``ε = 10⁻⁶`` both are around 10⁻¹⁰ relative, so a mistake of any real size stands
out. (In float32 the rounding term alone would be ~10⁻²: hence float64.)

Random layers (dropout, RReLU) are evaluated on a fresh deep copy each time, so every
evaluation draws the same masks; a layer in training mode that updates running
statistics (batch norm) updates only the copies.
"""

from __future__ import annotations

import copy

import numpy as np

from actlab.nn.layer import Layer

__all__ = ["GradientMismatch", "gradcheck", "gradcheck_loss", "numerical_gradient", "relative_error"]


class GradientMismatch(AssertionError):
    """A backward pass disagrees with finite differences."""


def numerical_gradient(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to each entry of ``array``, perturbed in place."""
    grad = np.zeros_like(array, dtype=np.float64)
    flat, grad_flat = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("numerical_gradient needs a contiguous array to perturb in place")
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        up = f()
        flat[i] = original - eps
        down = f()
        flat[i] = original
        grad_flat[i] = (up - down) / (2 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``max |a − n| / max(max |a|, max |n|)``: 0 for a perfect match, 0 when both are 0."""
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    if analytic.shape != numeric.shape:
        raise GradientMismatch(f"gradient has shape {analytic.shape}, expected {numeric.shape}")
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(analytic - numeric).max() / scale)


def _require_float64(x: np.ndarray, layer: Layer) -> None:
    arrays = [("input", x)] + [(p.name, p.value) for p in layer.parameters()]
    for name, a in arrays:
        if a.dtype != np.float64:
            raise TypeError(f"gradcheck needs float64 throughout; {name} is {a.dtype} "
                            "(build the layer or model with dtype=np.float64)")


def gradcheck(layer: Layer, x: np.ndarray, *, eps: float = 1e-6, tolerance: float = 1e-6,
              seed: int = 0) -> dict[str, float]:
    """Compare ``layer.backward`` with finite differences for the input and every parameter.

    Returns the :func:`relative_error` of each checked array, keyed ``"input"`` and by
    parameter name (``"W"``; ``"2.W"`` for layer 2 of a model), and raises :class:`GradientMismatch` if any exceeds ``tolerance``.
    """
    x = np.array(x, dtype=np.float64)  # a private copy, perturbed in place
    _require_float64(x, layer)
    r = np.random.default_rng(seed).uniform(-1, 1, copy.deepcopy(layer).forward(x.copy()).shape)

    def objective() -> float:
        return float(np.vdot(r, copy.deepcopy(layer).forward(x)))

    probe = copy.deepcopy(layer)
    probe.forward(x)
    errors = {"input": relative_error(probe.backward(r), numerical_gradient(objective, x, eps))}
    # `probe` is a copy: its parameters correspond one to one to the original's, in order.
    for (name, p), p_probe in zip(layer.named_parameters(), probe.parameters()):
        errors[name] = relative_error(p_probe.grad, numerical_gradient(objective, p.value, eps))
    bad = {k: v for k, v in errors.items() if not v <= tolerance}
    if bad:
        raise GradientMismatch(f"{layer!r}: backward disagrees with finite differences for "
                               + ", ".join(f"{k} (relative error {v:.2e})" for k, v in bad.items()))
    return errors


def gradcheck_loss(loss, outputs: np.ndarray, targets, *, eps: float = 1e-6, tolerance: float = 1e-6) -> float:
    """Compare a loss's gradient with finite differences; returns the relative error."""
    outputs = np.array(outputs, dtype=np.float64)
    _, analytic = loss(outputs, targets)
    error = relative_error(analytic, numerical_gradient(lambda: loss(outputs, targets)[0], outputs, eps))
    if not error <= tolerance:
        raise GradientMismatch(f"{getattr(loss, '__name__', loss)}: gradient disagrees with finite differences "
                               f"(relative error {error:.2e})")
    return error
