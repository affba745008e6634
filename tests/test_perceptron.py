"""The perceptron rule: convergence within Novikoff's bound, cycling on XOR, bad input."""

import numpy as np
import pytest

from actlab.data import linearly_separable, logic_gate
from actlab.perceptron import gradient_descent_unit, novikoff_bound, predict, train_perceptron


@pytest.mark.parametrize("seed", range(5))
def test_converges_on_separable_data_within_novikoffs_bound(seed):
    X, y, w_true, b_true = linearly_separable(150, margin=0.05, seed=seed)
    run = train_perceptron(X, y, epochs=10_000)
    assert run.converged
    assert np.array_equal(predict(X, run.w, run.b), y)
    assert run.total_mistakes <= novikoff_bound(X, y, w_true, b_true)


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
def test_learns_every_separable_gate(gate):
    X, y = logic_gate(gate)
    run = train_perceptron(X, y, epochs=100)
    assert run.converged and run.cycle is None
    assert np.array_equal(predict(X, run.w, run.b), y)


def test_cycles_forever_on_xor():
    X, y = logic_gate("xor")
    run = train_perceptron(X, y, epochs=1000)
    assert not run.converged
    first, period = run.cycle
    assert np.array_equal(run.weights[first], run.weights[first + period])
    assert run.biases[first] == run.biases[first + period]
    assert all(m > 0 for m in run.mistakes)


def test_single_update_follows_the_rule():
    # From zero weights with H(0) = 1, a negative example is a false alarm: w -= x, b -= 1.
    run = train_perceptron(np.array([[2.0, -1.0]]), np.array([0]), epochs=1)
    np.testing.assert_array_equal(run.weights[1], [-2.0, 1.0])
    assert run.biases[1] == -1.0


def test_novikoff_bound_rejects_a_non_separator():
    X, y, w_true, b_true = linearly_separable(50, seed=0)
    with pytest.raises(ValueError, match="does not separate"):
        novikoff_bound(X, y, -w_true, -b_true)


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.zeros(3), np.zeros(3), "2-D array"),
        (np.zeros((3, 2)), np.zeros(2), r"shape \(3,\)"),
        (np.zeros((2, 2)), np.array([0, 2]), "labels 0 and 1"),
        (np.array([[np.nan, 0.0]]), np.array([1]), "NaN"),
    ],
)
def test_bad_input_is_named(X, y, message):
    with pytest.raises(ValueError, match=message):
        train_perceptron(X, y)


class _Linear:
    """The identity activation, written here so this test does not depend on actlab.activations."""

    def __call__(self, z):
        return z

    def derivative(self, z):
        return np.ones_like(z)


class _Flat(_Linear):
    def __call__(self, z):
        return (z >= 0).astype(float)

    def derivative(self, z):
        return np.zeros_like(z)


def test_gradient_descent_moves_with_a_derivative_and_stalls_without():
    X, y, _, _ = linearly_separable(100, seed=1)
    moving = gradient_descent_unit(X, y, _Linear(), learning_rate=0.5, steps=50)
    stuck = gradient_descent_unit(X, y, _Flat(), learning_rate=0.5, steps=50)
    assert moving.losses[-1] < 0.5 * moving.losses[0]
    assert stuck.losses[0] == stuck.losses[-1]
    assert max(stuck.gradient_norms) == 0.0
