"""Checks for exercise 1, "The perceptron and the step function".

Each question compares the learner's function with a reference on a fixed list of
cases and says precisely what differs.
"""

from __future__ import annotations

from functools import reduce

import numpy as np

from actlab.checks.core import Case, Question, compare_arrays, describe
from actlab.data import logic_gate
from actlab.perceptron import predict

__all__ = ["QUESTIONS", "step", "perceptron_update", "gate_weights", "collapse"]


# -- Question 1: the Heaviside step with a chosen value at 0 -------------------------

def _reference_step(x, at_zero=1.0):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, np.where(x < 0, 0.0, np.where(x == 0, at_zero, np.nan)))


def _compare_step(got, expected, case):
    return compare_arrays(got, expected, rtol=0, atol=0)


step = Question(
    "q1", "the Heaviside step", "step",
    cases=[
        Case((np.array([-2.0, -0.5, 0.5, 3.0]),)),
        Case((np.array([0.0]),), hint="the default value at 0 is 1"),
        Case((np.array([0.0, -0.0]),), {"at_zero": 0.5}, hint="H(0) is the parameter at_zero, and -0.0 == 0"),
        Case((np.array([-1e-300, 1e-300]),), hint="tiny numbers still have a sign"),
        Case((np.array([np.nan, -np.inf, np.inf]),), hint="NaN stays NaN; the infinities have a sign"),
        Case((np.array([[-1.0, 0.0], [2.0, 0.0]]),), {"at_zero": 0.0}, hint="keep the input's shape"),
        Case(([-3, 0, 3],), hint="integer lists are promoted to float arrays"),
    ],
    reference=_reference_step, compare=_compare_step, points=2,
)


# -- Question 2: one update of the perceptron rule -----------------------------------

def _reference_update(w, b, x, y, learning_rate=1.0):
    w, x = np.asarray(w, dtype=np.float64), np.asarray(x, dtype=np.float64)
    error = y - (1 if x @ w + b >= 0 else 0)
    return w + learning_rate * error * x, b + learning_rate * error


def _compare_update(got, expected, case):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"returned {describe(got)}; expected a pair (new_w, new_b)"
    problem = compare_arrays(got[0], expected[0])
    if problem:
        return problem.replace("returned", "returned new_w =", 1)
    try:
        new_b = float(got[1])
    except (TypeError, ValueError):
        return f"returned new_b = {describe(got[1])}; expected a number"
    if not np.isclose(new_b, expected[1], rtol=1e-9, atol=1e-12):
        return f"returned new_b = {new_b!r}; expected {float(expected[1])!r}"
    return None


perceptron_update = Question(
    "q2", "one step of the perceptron rule", "perceptron_update",
    cases=[
        Case((np.array([0.0, 0.0]), 0.0, np.array([1.0, 2.0]), 1), hint="w·x + b = 0 predicts 1: no mistake"),
        Case((np.array([0.0, 0.0]), 0.0, np.array([1.0, 2.0]), 0), hint="a false positive moves w away from x"),
        Case((np.array([1.0, -1.0]), -0.5, np.array([1.0, 2.0]), 1), hint="a false negative moves w towards x"),
        Case((np.array([1.0, -1.0]), -0.5, np.array([2.0, 1.0]), 1), hint="a correct prediction changes nothing"),
        Case((np.array([0.5, 0.5, 0.5]), 0.25, np.array([-1.0, 0.0, 2.0]), 0), {"learning_rate": 0.1},
             hint="the learning rate scales both updates"),
    ],
    reference=_reference_update, compare=_compare_update, points=3,
)


# -- Question 3: weights that make a perceptron compute a logic gate -----------------

def _reference_gate(name):
    return logic_gate(name)[1]


def _compare_gate(got, expected, case):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"returned {describe(got)}; expected a pair (w, b)"
    try:
        w, b = np.asarray(got[0], dtype=np.float64), float(got[1])
    except (TypeError, ValueError):
        return f"returned {describe(got)}; expected w as two numbers and b as one number"
    if w.shape != (2,):
        return f"returned w with shape {w.shape}; expected two weights"
    X, _ = logic_gate(case.args[0])
    outputs = predict(X, w, b)
    if not np.array_equal(outputs, expected):
        return (f"gives outputs {outputs.tolist()} on the inputs (0,0), (0,1), (1,0), (1,1); "
                f"the gate's truth table is {expected.tolist()}")
    return None


gate_weights = Question(
    "q3", "a perceptron for each logic gate", "gate_weights",
    cases=[Case(("and",)), Case(("or",)), Case(("nand",)), Case(("nor",))],
    reference=_reference_gate, compare=_compare_gate, points=2,
)


# -- Question 4: stacked linear layers are one matrix --------------------------------

def _reference_collapse(matrices):
    product = np.asarray(matrices[0], dtype=np.float64)
    for matrix in matrices[1:]:
        product = np.asarray(matrix, dtype=np.float64) @ product
    return product


def _compare_collapse(got, expected, case):
    problem = compare_arrays(got, expected, rtol=1e-9, atol=1e-12)
    matrices = case.args[0]
    if problem and len(matrices) > 1:
        try:
            wrong_order = reduce(np.matmul, matrices)  # W1 @ W2 @ …: the most common slip
        except ValueError:  # the shapes do not chain in that order
            return problem
        if compare_arrays(got, wrong_order) is None:
            problem += ": that is W1 @ W2 @ …, the layers multiplied in the wrong order"
    return problem


_rng = np.random.default_rng(1)
collapse = Question(
    "q4", "collapse stacked linear layers", "collapse",
    cases=[
        Case(([np.array([[2.0, 0.0], [0.0, 3.0]])],), hint="one layer is its own matrix"),
        Case(([np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])],),
             hint="the first layer acts first, so it stands rightmost"),
        Case(([np.round(_rng.standard_normal((4, 3)), 2), np.round(_rng.standard_normal((5, 4)), 2),
               np.round(_rng.standard_normal((2, 5)), 2)],), hint="3 → 4 → 5 → 2 units gives a 2 × 3 matrix"),
    ],
    reference=_reference_collapse, compare=_compare_collapse, points=2,
)

#: Every question of the exercise, in order.
QUESTIONS = {q.qid: q for q in (step, perceptron_update, gate_weights, collapse)}
