"""Losses: right values, right gradients, no overflow; metrics that measure what they are called."""

import math

import numpy as np
import pytest

from actlab.nn import (
    binary_accuracy,
    binary_cross_entropy,
    categorical_accuracy,
    get_loss,
    gradcheck_loss,
    mean_squared_error,
    softmax_cross_entropy,
)

rng = np.random.default_rng(0)


@pytest.mark.parametrize(
    "loss, outputs, targets",
    [
        (softmax_cross_entropy, rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)),
        (binary_cross_entropy, rng.standard_normal((6, 3)) * 3, rng.integers(0, 2, (6, 3))),
        (binary_cross_entropy, rng.standard_normal((6, 1)) * 3, rng.uniform(0, 1, 6)),
        (mean_squared_error, rng.standard_normal((6, 2)), rng.standard_normal((6, 2))),
    ],
)
def test_gradients_match_finite_differences(loss, outputs, targets):
    gradcheck_loss(loss, outputs, targets)


def test_cross_entropy_values():
    assert softmax_cross_entropy(np.zeros((3, 10)), [0, 5, 9])[0] == pytest.approx(math.log(10))
    logits = np.array([[2.0, 1.0, 0.1]])
    p = np.exp(logits) / np.exp(logits).sum()
    value, grad = softmax_cross_entropy(logits, [0])
    assert value == pytest.approx(-math.log(p[0, 0]))
    np.testing.assert_allclose(grad, p - [[1, 0, 0]])


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=np.float32)
    value, grad = softmax_cross_entropy(logits, [0, 0])
    assert value == pytest.approx(1e4)  # first row 0, second row 2·10⁴, mean 10⁴
    assert np.isfinite(grad).all() and grad.dtype == np.float32


def test_binary_cross_entropy_values_and_stability():
    value, _ = binary_cross_entropy(np.array([0.0, 0.0]), [0, 1])
    assert value == pytest.approx(math.log(2))
    z = np.array([800.0, -800.0, 30.0])
    value, grad = binary_cross_entropy(z, [0.0, 1.0, 1.0])
    assert value == pytest.approx((800 + 800 + math.log1p(math.exp(-30))) / 3)
    np.testing.assert_allclose(grad, [1 / 3, -1 / 3, -math.exp(-30) / 3 / (1 + math.exp(-30))], rtol=1e-12)


def test_mse_value():
    assert mean_squared_error(np.array([[1.0], [3.0]]), [0.0, 1.0])[0] == pytest.approx(2.5)


def test_categorical_not_binary_accuracy_for_many_classes():
    labels = np.arange(100) % 10
    constant = np.full((100, 10), 0.1)  # a predictor that has learnt nothing
    assert categorical_accuracy(constant, labels) == pytest.approx(0.1)
    one_hot = np.eye(10)[labels]
    # Binary accuracy of "always no" against one-hot targets: the inflated 90%.
    assert binary_accuracy(np.full((100, 10), -1.0), one_hot) == pytest.approx(0.9)
    with pytest.raises(ValueError, match="shape"):
        binary_accuracy(constant, labels)


def test_bad_labels_are_refused_with_the_reason():
    logits = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        softmax_cross_entropy(logits, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="shape"):
        softmax_cross_entropy(logits, [0, 1, 2])
    with pytest.raises(ValueError, match="argmax"):
        softmax_cross_entropy(logits, np.eye(3)[[0, 1, 2, 0]])
    with pytest.raises(TypeError, match="integer"):
        softmax_cross_entropy(logits, [0.5, 1, 2, 0])
    with pytest.raises(ValueError, match="binary_cross_entropy"):
        softmax_cross_entropy(np.zeros((4, 1)), [0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binary_cross_entropy(np.zeros((4, 1)), [0, 1, 2, 0])
    with pytest.raises(ValueError, match="unknown loss"):
        get_loss("crossentropy")
