"""Optimizers take the steps their formulas say; clipping bounds them."""

import math

import numpy as np
import pytest

from actlab.nn import SGD, Adam, Momentum, Parameter, clip_by_norm, clip_by_value, global_norm
from actlab.nn.optim import get_optimizer


def param(value, grad, decay=True):
    p = Parameter("w", np.array(value, dtype=np.float64), decay=decay)
    p.grad = np.array(grad, dtype=np.float64)
    return p


def test_sgd_step():
    p = param([1.0, 2.0], [0.5, -1.0])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.value, [0.95, 2.1])


def test_momentum_accumulates_velocity():
    p = param([0.0], [1.0])
    opt = Momentum([p], lr=0.1, momentum=0.9)
    opt.step()
    opt.step()  # v = 1, then 0.9·1 + 1 = 1.9
    np.testing.assert_allclose(p.value, [-0.1 - 0.19])


def test_adam_first_step_is_lr_times_the_sign():
    p = param([1.0, 1.0, 1.0], [3.0, -0.001, 1e4])
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.value, [0.99, 1.01, 0.99], rtol=1e-6)


def test_adam_matches_its_formula_over_several_steps():
    rng = np.random.default_rng(0)
    p = param(rng.standard_normal(4), np.zeros(4))
    opt = Adam([p], lr=0.05, betas=(0.8, 0.9), eps=1e-6)
    theta, m, v = p.value.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, 6):
        g = rng.standard_normal(4)
        p.grad = g.copy()
        opt.step()
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        theta -= 0.05 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.9**t)) + 1e-6)
    np.testing.assert_allclose(p.value, theta, rtol=1e-12)


def test_optimizers_minimise_a_quadratic():
    for make in (lambda p: SGD(p, lr=0.1), lambda p: Momentum(p, lr=0.05), lambda p: Adam(p, lr=0.1)):
        p = param([3.0, -2.0], [0.0, 0.0])
        opt = make([p])
        for _ in range(300):
            p.grad = 2 * p.value  # ∇‖θ‖²
            opt.step()
        assert np.abs(p.value).max() < 1e-3


def test_float32_parameters_stay_float32():
    p = Parameter("w", np.ones(3, np.float32))
    p.grad = np.full(3, 0.5, np.float32)
    for opt in (SGD([p]), Momentum([p]), Adam([p], clip_norm=0.1, weight_decay=0.01)):
        opt.step()
        assert p.value.dtype == np.float32


def test_clipping():
    grads = [np.array([3.0, -4.0]), np.array([12.0])]
    assert global_norm(grads) == pytest.approx(13.0)
    assert clip_by_norm(grads, 6.5) == pytest.approx(13.0)
    np.testing.assert_allclose(np.concatenate(grads), [1.5, -2.0, 6.0])
    clip_by_value(grads, 1.8)
    np.testing.assert_allclose(np.concatenate(grads), [1.5, -1.8, 1.8])


def test_optimizer_clips_a_copy_and_records_the_norm():
    p = param([0.0, 0.0], [30.0, 40.0])
    opt = SGD([p], lr=1.0, clip_norm=5.0)
    opt.step()
    np.testing.assert_allclose(p.value, [-3.0, -4.0])
    assert opt.last_grad_norm == pytest.approx(50.0)
    np.testing.assert_array_equal(p.grad, [30.0, 40.0])  # the layer's gradient is untouched
    q = param([0.0], [10.0])
    SGD([q], lr=1.0, clip_value=0.5).step()
    np.testing.assert_allclose(q.value, [-0.5])


def test_weight_decay_spares_parameters_marked_no_decay():
    w, b = param([1.0], [0.0]), param([1.0], [0.0], decay=False)
    SGD([w, b], lr=0.5, weight_decay=0.1).step()
    assert w.value[0] == pytest.approx(1 - 0.5 * 0.1) and b.value[0] == 1.0


def test_bad_settings():
    p = param([1.0], [1.0])
    with pytest.raises(ValueError, match="lr"):
        SGD([p], lr=-1)
    with pytest.raises(ValueError, match="momentum"):
        SGD([p], momentum=1.0)
    with pytest.raises(ValueError, match="no parameters"):
        Adam([])
    with pytest.raises(ValueError, match="unknown optimizer"):
        get_optimizer("adamw", [p])
    assert math.isfinite(get_optimizer("adam", [p], 0.1).lr)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy_updates_in_place_contiguous_or_not(dtype):
    from actlab.nn.optim import axpy

    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5)).astype(dtype)
    for y in (rng.standard_normal((6, 5)).astype(dtype), rng.standard_normal((5, 6)).astype(dtype).T):
        expected = y.astype(np.float64) - 0.3 * x.astype(np.float64)
        before = y
        axpy(-0.3, x, y)
        assert y is before and y.dtype == dtype
        np.testing.assert_allclose(y, expected, rtol=4 * np.finfo(dtype).eps, atol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("betas", [(0.8, 0.9), (0.0, 0.5), (0.5, 0.0), (0.9, 0.999)])
def test_adam_matches_its_formula_over_a_long_run(betas):
    """Over 400 steps, with gradients of varying size and either β at 0, Adam's stored
    moments (without their factors 1 − β) still give the formula's update."""
    b1, b2 = betas
    rng = np.random.default_rng(1)
    p = param(rng.standard_normal(6), np.zeros(6))
    opt = Adam([p], lr=0.01, betas=betas, eps=1e-6)
    theta, m, v = p.value.copy(), np.zeros(6), np.zeros(6)
    for t in range(1, 401):
        g = rng.standard_normal(6) * (1 + t % 7)
        p.grad = g.copy()
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta -= 0.01 * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-6)
    np.testing.assert_allclose(p.value, theta, rtol=1e-10)
