"""Checks for exercise 3, "Vanishing and exploding gradients"."""

from __future__ import annotations

import numpy as np

from actlab import activations
from actlab.checks.core import Case, Question, compare_arrays, describe

__all__ = [
    "QUESTIONS", "sigmoid_network",
    "xavier_normal_std", "glorot_uniform_limit", "backprop_norms", "clip_by_global_norm",
]


def _compare_number(got, expected, case):
    if isinstance(got, (bool, np.bool_)) or np.ndim(got) != 0:
        return f"returned {describe(got)}; expected one number"
    try:
        value = float(got)
    except (TypeError, ValueError):
        return f"returned {describe(got)}; expected one number"
    if not np.isclose(value, expected, rtol=1e-12, atol=0):
        return f"returned {value!r}; expected {expected!r}"
    return None


# -- Question 1: the standard deviation of Xavier/Glorot normal initialization ----------

xavier_normal_std = Question(
    "q1", "Xavier/Glorot normal initialization", "xavier_normal_std",
    cases=[
        Case((100, 100), hint="Var(w) = 2 / (n_in + n_out); return its square root"),
        Case((784, 256)),
        Case((3, 1)),
    ],
    reference=lambda n_in, n_out: float(np.sqrt(2.0 / (n_in + n_out))),
    compare=_compare_number, points=1,
)


# -- Question 2: the uniform version --------------------------------------------------

glorot_uniform_limit = Question(
    "q2", "Xavier/Glorot uniform initialization", "glorot_uniform_limit",
    cases=[
        Case((100, 100), hint="U(−a, a) has variance a²/3; choose a so that it is 2 / (n_in + n_out)"),
        Case((784, 256)),
        Case((1, 1)),
    ],
    reference=lambda n_in, n_out: float(np.sqrt(6.0 / (n_in + n_out))),
    compare=_compare_number, points=2,
)


# -- Question 3: the backward pass through a sigmoid network, layer by layer ------------

def _reference_backprop_norms(weights, pre_activations, upstream):
    delta = np.asarray(upstream, dtype=np.float64)
    norms = []
    for layer in range(len(weights) - 1, -1, -1):
        # The exact σ′, not s·(1 − s), which cancels to 0 for saturated units.
        delta = delta * activations.sigmoid_derivative(np.asarray(pre_activations[layer], dtype=np.float64))
        norms.append(np.linalg.norm(delta))
        delta = delta @ np.asarray(weights[layer], dtype=np.float64)
    return np.array(norms[::-1])


def sigmoid_network(widths, scale: float, seed: int, batch: int = 8):
    """Arguments ``(weights, pre_activations, upstream)`` for a sigmoid network of these widths.

    Weights are drawn from N(0, scale²/n_in) and rounded to 4 decimals, so a failure
    message can print them; the upstream gradient is all ones. Shared by the visible and
    the hidden cases of question 3.
    """
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, widths[0]))
    weights, pre = [], []
    for n_in, n_out in zip(widths, widths[1:]):
        W = np.round(rng.normal(0.0, scale / np.sqrt(n_in), (n_out, n_in)), 4)
        weights.append(W)
        pre.append(h @ W.T)
        h = activations.sigmoid(pre[-1])
    return weights, pre, np.ones((batch, widths[-1]))


backprop_norms = Question(
    "q3", "gradient norms through a deep sigmoid network", "backprop_norms",
    cases=[
        Case(([np.array([[2.0]])], [np.array([[0.0]])], np.array([[1.0]])),
             hint="one layer: δ = upstream · σ′(z) = 1 · 1/4"),
        Case(([np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[2.0, 0.0], [0.0, 2.0]])],
              [np.zeros((1, 2)), np.zeros((1, 2))], np.ones((1, 2))),
             hint="two layers: δ₂ = upstream ⊙ σ′(z₂), then δ₁ = (δ₂ W₂) ⊙ σ′(z₁)"),
        Case(sigmoid_network([5] * 7, 1.0, seed=0), hint="6 layers: the norms come back in layer order, first layer first"),
        Case(sigmoid_network([4] * 13, 4.0, seed=1), hint="12 layers: the norms come back in layer order, first layer first"),
    ],
    reference=_reference_backprop_norms,
    compare=lambda got, expected, case: compare_arrays(got, expected, rtol=1e-9, atol=1e-300),
    points=3, forbid_warnings=True,
)


# -- Question 4: clipping by the global norm ------------------------------------------

def _reference_clip(gradients, max_norm):
    gradients = [np.asarray(g, dtype=np.float64) for g in gradients]
    largest = max((float(np.max(np.abs(g))) for g in gradients if g.size), default=0.0)
    if largest == 0.0:
        return gradients
    # Dividing by the largest magnitude before squaring keeps 1e200² from overflowing.
    total = largest * np.sqrt(sum(float(np.sum(np.square(g / largest))) for g in gradients))
    return [g * min(1.0, max_norm / total) for g in gradients]


def _compare_clip(got, expected, case):
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        return f"returned {describe(got)}; expected a list of {len(expected)} arrays, one per gradient"
    for index, (g, e) in enumerate(zip(got, expected)):
        problem = compare_arrays(g, e, rtol=1e-12, atol=1e-300)
        if problem:
            return f"gradient {index}: {problem}"
    return None


clip_by_global_norm = Question(
    "q4", "clipping by the global norm", "clip_by_global_norm",
    cases=[
        Case(([np.array([3.0]), np.array([4.0])], 1.0), hint="the global norm is 5: scale every gradient by 1/5"),
        Case(([np.array([0.3, 0.4])], 1.0), hint="below the threshold nothing changes"),
        Case(([np.zeros(3), np.zeros((2, 2))], 1.0), hint="a zero gradient stays zero, without dividing by zero"),
        Case(([np.array([[1e200, 1e200]]), np.array([1e200])], 10.0),
             hint="squaring 1e200 overflows: divide by the largest magnitude before squaring"),
    ],
    reference=_reference_clip, compare=_compare_clip, points=2, forbid_warnings=True,
)

#: Every question of the exercise, in order.
QUESTIONS = {q.qid: q for q in (xavier_normal_std, glorot_uniform_limit, backprop_norms, clip_by_global_norm)}
