"""Checks for exercise 2, "Smooth squashing: sigmoid, tanh, softmax".

Every question here forbids warnings: a numerically careful function returns the right
value at ±1000 without numpy ever overflowing.
"""

from __future__ import annotations

import numpy as np

from actlab import activations
from actlab.checks.core import Case, Question, compare_arrays, describe

__all__ = ["QUESTIONS", "stable_sigmoid", "tanh_derivative", "log_softmax", "softmax_cross_entropy"]

_EXTREMES = np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])


def _close(got, expected, case):
    return compare_arrays(got, expected, rtol=1e-12, atol=1e-300)


# -- Question 1: a sigmoid that never overflows ----------------------------------------

stable_sigmoid = Question(
    "q1", "a sigmoid that never overflows", "stable_sigmoid",
    cases=[
        Case((_EXTREMES,), hint="exp(-x) overflows for x = -1000: use exp(-|x|)"),
        Case((np.array([-745.0, -800.0]),), hint="σ(-745) ≈ 5e-324 is still representable; keep it"),
        Case((np.array([[0.5, -0.5], [2.0, -2.0]]),), hint="keep the input's shape"),
        Case(([-3, 0, 3],), hint="integer lists are promoted to float arrays"),
        Case((np.array([np.nan, -np.inf, np.inf]),), hint="σ(-∞) = 0, σ(∞) = 1, NaN stays NaN"),
    ],
    reference=activations.sigmoid, compare=_close, points=2, forbid_warnings=True,
)


# -- Question 2: tanh' from σ' ----------------------------------------------------------

tanh_derivative = Question(
    "q2", "tanh′ from σ′", "tanh_derivative",
    cases=[
        Case((np.array([0.0, 0.5, -0.5, 3.0]),), hint="tanh′(x) = 4σ′(2x) = 1 − tanh²(x); tanh′(0) = 1"),
        Case((np.array([-1000.0, 1000.0]),), hint="1/cosh²(x) overflows; 4σ′(2x) does not"),
        Case((np.array([20.0]),), hint="1 − tanh²(20) loses every digit to cancellation; 4σ′(2x) keeps them"),
    ],
    reference=activations.tanh_derivative, compare=_close, points=2, forbid_warnings=True,
)


# -- Question 3: a stable log-softmax ---------------------------------------------------

def _compare_log_softmax(got, expected, case):
    return compare_arrays(got, expected, rtol=1e-12, atol=1e-12)


log_softmax = Question(
    "q3", "a stable log-softmax", "log_softmax",
    cases=[
        Case((np.array([1.0, 2.0, 3.0]),)),
        Case((np.array([1000.0, 1001.0, 1002.0]),), hint="subtract the maximum before exponentiating"),
        Case((np.array([-1000.0, 0.0, 1000.0]),), hint="log(softmax) of a tiny probability is a large negative "
                                                        "number, not -inf"),
        Case((np.array([[1.0, 2.0], [3.0, 5.0]]),), {"axis": 0}, hint="normalize along the given axis"),
        Case((np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),), hint="the default axis is the last one"),
    ],
    reference=activations.log_softmax, compare=_compare_log_softmax, points=3, forbid_warnings=True,
)


# -- Question 4: softmax cross-entropy from logits ---------------------------------------

def _reference_cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    log_p = activations.log_softmax(logits, axis=1)
    return float(-np.mean(log_p[np.arange(len(logits)), np.asarray(labels)]))


def _compare_scalar(got, expected, case):
    try:
        value = float(got)
    except (TypeError, ValueError):
        return f"returned {describe(got)}; expected one number, the mean loss"
    if np.ndim(got) != 0:
        return f"returned an array of shape {np.shape(got)}; expected one number, the mean over the batch"
    if not np.isclose(value, expected, rtol=1e-10, atol=1e-12):
        return f"returned {value!r}; expected {expected!r}"
    return None


softmax_cross_entropy = Question(
    "q4", "softmax cross-entropy from logits", "softmax_cross_entropy",
    cases=[
        Case((np.array([[2.0, 1.0, 0.1]]), np.array([0]))),
        Case((np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([0, 1])), hint="uniform logits over 2 classes: log 2"),
        Case((np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1])),
             hint="a confident wrong answer costs 1000 nats, not inf"),
        Case((np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [0.5, 0.5, 0.5]]), np.array([2, 0, 1])),
             hint="average over the rows of the batch"),
    ],
    reference=_reference_cross_entropy, compare=_compare_scalar, points=3, forbid_warnings=True,
)

#: Every question of the exercise, in order.
QUESTIONS = {q.qid: q for q in (stable_sigmoid, tanh_derivative, log_softmax, softmax_cross_entropy)}
