"""Properties the metadata and the book claim, checked with hypothesis and quadrature."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import integrate

import actlab.activations as A

ELEMENTWISE = [n for n in A.names() if A.get(n).elementwise]
FAST = settings(max_examples=40, deadline=None)


def arrays(dtype, lo=-1e6, hi=1e6, size=64):
    info = np.finfo(dtype)
    lo, hi = float(dtype(max(lo, -info.max))), float(dtype(min(hi, info.max)))
    elements = st.floats(min_value=lo, max_value=hi, allow_nan=False, width=info.bits)
    return hnp.arrays(dtype, st.integers(1, size), elements=elements)


def ulps(v, dtype):
    return np.spacing(np.abs(np.asarray(v, dtype=dtype))).astype(np.float64)


@pytest.mark.parametrize("name", ELEMENTWISE)
@FAST
@given(data=st.data())
def test_outputs_stay_in_the_stated_range(name, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    x = data.draw(arrays(dtype, -1e30, 1e30))
    y = A.get(name)(x)
    lo, hi = A.get(name).output_range
    assert np.all(y >= lo) and np.all(y <= hi)  # closed: rounding reaches the asymptotes


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if A.get(n).monotonic])
@FAST
@given(data=st.data())
def test_monotonic_where_claimed(name, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    x = np.sort(data.draw(arrays(dtype, -50.0, 50.0, size=200)))
    y = A.get(name)(x).astype(np.float64)
    # Non-decreasing up to rounding: the results are a few ulp from exact.
    assert np.all(np.diff(y) >= -4 * ulps(y[:-1], dtype))


def test_non_monotonic_ones_really_are():
    for name in ELEMENTWISE:
        act = A.get(name)
        x = np.linspace(-5, 5, 10_001)
        decreasing = np.any(np.diff(act(x)) < 0)
        assert decreasing == (not act.monotonic), name


@FAST
@given(arrays(np.float64, -300.0, 300.0))
def test_tanh_is_a_rescaled_sigmoid(x):
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, rtol=0, atol=4e-16)
    np.testing.assert_allclose(A.tanh_derivative(x), 4 * A.sigmoid_derivative(2 * x), rtol=4e-15, atol=1e-300)


@FAST
@given(arrays(np.float64, -700.0, 700.0))
def test_softplus_derivative_is_sigmoid_and_selu_is_scaled_elu(x):
    np.testing.assert_array_equal(A.softplus_derivative(x), A.sigmoid(x))
    np.testing.assert_allclose(A.selu(x), A.SELU_LAMBDA * A.elu(x, alpha=A.SELU_ALPHA), rtol=4e-16, atol=0)
    np.testing.assert_allclose(A.celu(x, alpha=1.0), A.elu(x), rtol=2e-16, atol=0)
    np.testing.assert_array_equal(A.swish(x, beta=1.0), A.silu(x))
    np.testing.assert_allclose(A.hard_swish(x), x * A.hard_sigmoid(x), rtol=4e-16, atol=0)
    np.testing.assert_allclose(A.hard_sigmoid(x), A.relu6(x + 3) / 6, rtol=4e-16, atol=0)
    np.testing.assert_array_equal(A.leaky_relu(x, slope=0.0), A.relu(x))
    np.testing.assert_allclose(A.softplus(x, beta=2.0), A.softplus(2 * x) / 2, rtol=4e-16, atol=1e-300)


def test_derivative_bounds_and_guide_values():
    x = np.linspace(-20, 20, 40_001)
    assert A.sigmoid_derivative(x).max() == 0.25 == A.sigmoid_derivative(0.0)
    assert A.tanh_derivative(x).max() == 1.0
    assert A.tanh_derivative(3.0) == pytest.approx(0.0099, abs=5e-5)
    d = np.abs(A.gelu_tanh(np.linspace(-10, 10, 200_001)) - A.gelu(np.linspace(-10, 10, 200_001)))
    assert 4.5e-4 < d.max() < 4.8e-4  # the guide's "within ≈ 4.7e−4"


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=25, deadline=None)
@given(x=hnp.arrays(np.float64, 50, elements=st.floats(-8, 8)))
def test_derivative_matches_central_differences_away_from_kinks(name, x):
    act = A.get(name)
    kinks = np.array(act.info.kinks or [np.inf])
    h = 1e-6
    x = x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-3]
    fd = (act(x + h) - act(x - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(x), fd, rtol=1e-6, atol=1e-7)


def _gaussian_mean(f, kinks=()):
    """E[f(z)] for z ~ N(0, 1), by adaptive quadrature between the kinks."""
    edges = [-40.0, *sorted(k for k in kinks if abs(k) < 40), 40.0]
    phi = lambda t: np.exp(-t * t / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    return sum(integrate.quad(lambda t: float(f(t)) * phi(t), a, b, epsabs=1e-12)[0] for a, b in zip(edges, edges[1:]))


def test_zero_centred_flags_match_the_mean_output():
    for name in ELEMENTWISE:
        act = A.get(name)
        mean = _gaussian_mean(act, act.info.kinks)
        assert (abs(mean) < 1e-9) == act.zero_centred, (name, mean)
    # The guide's numbers: E[ELU(z)] ≈ 0.1605, E[ReLU(z)] ≈ 0.3989.
    assert _gaussian_mean(A.elu, [0.0]) == pytest.approx(0.1605, abs=5e-5)
    assert _gaussian_mean(A.relu, [0.0]) == pytest.approx(1 / np.sqrt(2 * np.pi), abs=1e-12)


def test_saturation_sides_match_the_derivative_at_infinity():
    for name in ELEMENTWISE:
        act = A.get(name)
        left, right = act.derivative(np.array([-np.inf, np.inf])) == 0
        expected = {(False, False): "none", (True, False): "left", (False, True): "right", (True, True): "both"}
        assert expected[(bool(left), bool(right))] == act.saturates, name


def test_smoothness_matches_the_kinks():
    for name in ELEMENTWISE:
        act = A.get(name)
        kinks = act.info.kinks
        if act.smoothness in ("C1", "Cinf"):
            assert not kinks, name
            x = np.linspace(-6, 6, 12_001)
            assert np.max(np.abs(np.diff(act.derivative(x)))) < 0.01, name
            continue
        assert kinks, name
        eps = 1e-9
        jumps_f = [abs(act(k + eps) - act(k - eps)) for k in kinks]
        jumps_d = [abs(act.derivative(k + 1e-6) - act.derivative(k - 1e-6)) for k in kinks]
        if act.smoothness == "discontinuous":
            assert max(jumps_f) > 0.1, name
        else:
            assert max(jumps_f) < 1e-6 and max(jumps_d) > 1e-3, name


def test_elu_is_c1_only_for_alpha_one():
    assert A.get("elu").smoothness == "C1" and A.get("elu", alpha=2.0).smoothness == "C0"
    assert A.get("celu", alpha=2.0).smoothness == "C1"
    assert A.celu_derivative(-1e-12, alpha=2.0) == pytest.approx(A.celu_derivative(1e-12, alpha=2.0))


@FAST
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=st.floats(-1e3, 1e3)))
def test_softmax_is_a_distribution_and_shift_invariant(x):
    y = A.softmax(x)
    assert np.all(y >= 0) and np.all(y <= 1)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=0, atol=8e-16)
    np.testing.assert_allclose(A.softmax(x + 123.0), y, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(np.exp(A.log_softmax(x)), y, rtol=1e-13, atol=1e-300)
    assert np.all(A.log_softmax(x) <= 0)


@FAST
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.sampled_from([2, 4, 6, 12])), elements=st.floats(-1e3, 1e3)))
def test_maxout_with_one_piece_is_identity_and_relu_is_a_maxout(x):
    np.testing.assert_array_equal(A.maxout(x, k=1), x)
    paired = np.stack([x, np.zeros_like(x)], axis=-1).reshape(*x.shape[:-1], -1)
    np.testing.assert_array_equal(A.maxout(paired, k=2), A.relu(x))
