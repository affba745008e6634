"""Accuracy against 50-digit mpmath references, limits, NaN, signed zeros and dtypes.

The measurement itself lives in :mod:`actlab.activations.accuracy` (the book's numerics
appendix calls it too); these tests hold every elementwise activation and derivative,
at default parameters, in float32 and float64, to :data:`DEFAULT_BOUND` ulp, except
where :data:`KNOWN_BOUNDS` states a measured bound and its reason.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import actlab.activations as A
from actlab.activations import _roots, accuracy
from actlab.activations.accuracy import DEFAULT_BOUND, KNOWN_BOUNDS, PARAMETER_CASES, REFERENCE_NAMES, bound, measure

DTYPES = (np.float32, np.float64)
KINDS = ("value", "derivative")
ELEMENTWISE = [n for n in A.names() if A.get(n).elementwise]


def test_every_elementwise_activation_has_a_reference():
    assert sorted(REFERENCE_NAMES) == sorted(ELEMENTWISE)


@pytest.mark.parametrize("region", ["core", "tails"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_ulp_error_against_mpmath(name, kind, dtype, region):
    err, where = measure(name, dtype, region, kind)
    allowed = bound(name, kind, region, dtype)
    assert err <= allowed.ulps, (
        f"{name} {kind} in {np.dtype(dtype).name} ({region}): {err:.3g} ulp at x = {where!r}, "
        f"bound {allowed.ulps} ({allowed.reason})"
    )


@pytest.mark.parametrize("region", ["core", "tails"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "name, params", PARAMETER_CASES, ids=[f"{n}-{'-'.join(map(str, p.values()))}" for n, p in PARAMETER_CASES]
)
def test_ulp_error_against_mpmath_at_other_parameters(name, params, kind, dtype, region):
    """A parameter multiplies x before an exponential (βx, x/α): its rounding must not be
    magnified with it."""
    err, where = measure(name, dtype, region, kind, params=params)
    assert err <= DEFAULT_BOUND, (
        f"{name}{params} {kind} in {np.dtype(dtype).name} ({region}): {err:.3g} ulp at x = {where!r}"
    )


def test_parameter_cases_cover_every_parameter_at_values_other_than_its_default():
    covered = {(name, key) for name, params in PARAMETER_CASES for key in params}
    for name in REFERENCE_NAMES:
        defaults = A.get(name).params
        assert {(name, key) for key in defaults if key != "std"} <= covered, name  # std: noise, not a formula
    for name, params in PARAMETER_CASES:
        assert any(A.get(name).params[key] != value for key, value in params.items()), (name, params)


def test_known_bounds_are_stated_and_needed():
    """Every relaxed bound has a reason, and is not looser than twice the measurement."""
    for (name, kind, region, dtype), b in KNOWN_BOUNDS.items():
        assert name in REFERENCE_NAMES and kind in KINDS and region in ("core", "tails")
        assert b.ulps > DEFAULT_BOUND and len(b.reason) > 20
        err, _ = measure(name, dtype, region, kind)
        assert err > DEFAULT_BOUND / 2, f"{name} {kind} {dtype} {region} no longer needs its relaxed bound"


def test_ulp_error_measures_what_it_says():
    one = np.array([1.0])
    assert accuracy.ulp_error(np.nextafter(one, 2), one, np.zeros(1), np.float64)[0] == 1.0
    assert accuracy.ulp_error(np.array([1.0], np.float32) + np.float32(2**-23), one, np.zeros(1), np.float32)[0] == 1.0
    # The exact value is a double-double: hi + lo.
    assert accuracy.ulp_error(one, one, np.array([2.0**-54]), np.float64)[0] == 0.25
    assert accuracy.ulp_error(np.array([np.inf]), np.array([np.inf]), np.zeros(1), np.float64)[0] == 0.0
    assert accuracy.ulp_error(np.array([1e300]), np.array([np.inf]), np.zeros(1), np.float64)[0] == np.inf
    assert accuracy.ulp_error(np.array([np.nan]), one, np.zeros(1), np.float64)[0] == np.inf


# Limits at ±inf, NaN and signed zeros -----------------------------------------------------
LAMBDA_ALPHA = float(mp.mpf("1.6732632423543772848170429916717") * mp.mpf("1.0507009873554804934193349852946"))
#: name → (f(−inf), f(+inf), f′(−inf), f′(+inf)), the exact limits.
LIMITS = {
    "step": (0, 1, 0, 0),
    "identity": (-np.inf, np.inf, 1, 1),
    "sigmoid": (0, 1, 0, 0),
    "hard_sigmoid": (0, 1, 0, 0),
    "tanh": (-1, 1, 0, 0),
    "hard_tanh": (-1, 1, 0, 0),
    "softsign": (-1, 1, 0, 0),
    "relu": (0, np.inf, 0, 1),
    "relu6": (0, 6, 0, 0),
    "softplus": (0, np.inf, 0, 1),
    "noisy_relu": (0, np.inf, 0, 1),
    "leaky_relu": (-np.inf, np.inf, 0.01, 1),
    "prelu": (-np.inf, np.inf, 0.25, 1),
    "rrelu": (-np.inf, np.inf, 11 / 48, 1),
    "elu": (-1, np.inf, 0, 1),
    "celu": (-1, np.inf, 0, 1),
    "selu": (-LAMBDA_ALPHA, np.inf, 0, A.SELU_LAMBDA),
    "gelu": (0, np.inf, 0, 1),
    "gelu_tanh": (0, np.inf, 0, 1),
    "silu": (0, np.inf, 0, 1),
    "swish": (0, np.inf, 0, 1),
    "hard_swish": (0, np.inf, 0, 1),
    "mish": (0, np.inf, 0, 1),
}


def test_limits_cover_every_elementwise_activation():
    assert sorted(LIMITS) == sorted(ELEMENTWISE)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(LIMITS))
def test_exact_limits_at_infinity(name, dtype):
    act = A.get(name)
    x = np.array([-np.inf, np.inf], dtype=dtype)
    expected = np.array(LIMITS[name], dtype=dtype)  # rounded to the dtype, as computed
    np.testing.assert_array_equal(act(x), expected[:2])
    np.testing.assert_array_equal(act.derivative(x), expected[2:])


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_nan_in_nan_out(name, dtype):
    act = A.get(name)
    x = np.array([np.nan, 1.0, np.nan], dtype=dtype)
    for y in (act(x), act.derivative(x)):
        assert np.isnan(y[0]) and np.isnan(y[2]) and not np.isnan(y[1])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_signed_zero_gives_the_value_at_zero(name):
    act = A.get(name)
    for dtype in DTYPES:
        pos, neg = act(np.array([0.0, -0.0], dtype=dtype))
        assert pos == neg == float(accuracy.reference(name, [0.0])[0][0])
        # The derivative's convention at a kink applies at −0 as at +0.
        dpos, dneg = act.derivative(np.array([0.0, -0.0], dtype=dtype))
        assert dpos == dneg


#: Inputs that once raised floating-point warnings somewhere: overflow in products,
#: inf − inf, 0·inf, subnormals. Warnings are errors in this test suite.
NASTY = [-np.inf, -1e308, -1e154, -745.0, -710.0, -88.8, -40.0, -1e-310, -0.0, 0.0, 5e-324,
         1e-300, 88.8, 710.0, 1e154, 1e308, np.finfo(np.float64).max, np.inf, np.nan]  # fmt: skip


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_no_floating_point_warning_for_any_input(name):
    act = A.get(name)
    x64 = np.array(NASTY)
    with np.errstate(over="ignore"):  # only the test's own cast of 1e308 to float32 overflows
        x32 = x64.astype(np.float32)
    for x in (x64, x32, np.float32(np.finfo(np.float32).max) * np.ones(3, np.float32)):
        with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow is not a warning
            act(x)
            act.derivative(x)
            act.backward(act.forward(x)[1], np.ones_like(x))


@pytest.mark.parametrize("name", ["softplus", "swish", "elu", "celu", "leaky_relu"])
def test_no_warning_with_non_default_parameters(name):
    params = {"softplus": {"beta": 10.0}, "swish": {"beta": 4.0}, "elu": {"alpha": 0.5},
              "celu": {"alpha": 0.1}, "leaky_relu": {"slope": 0.0}}[name]  # fmt: skip
    act = A.get(name, **params)
    x = np.array(NASTY)
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow is not a warning
        y, d = act(x), act.derivative(x)
    assert np.isnan(y[-1]) and np.isnan(d[-1]) and not np.isnan(y[:-1]).any() and not np.isnan(d[:-1]).any()


# Zeros of derivatives ---------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(_roots.SERIES))
def test_root_series_are_the_fits_they_claim(name):
    hi, lo, radius, coeffs, err = _roots.fit(name, *_roots.FIT_SETTINGS[name])
    assert (hi, lo, radius) == _roots.SERIES[name][:3]
    np.testing.assert_allclose(coeffs, _roots.SERIES[name][3], rtol=1e-14, atol=1e-300)
    assert err < 2e-16


@pytest.mark.parametrize("name", sorted(_roots.SERIES_F32))
def test_float32_root_series_are_the_fits_they_claim(name):
    hi, lo, radius, coeffs, err = _roots.fit(name, *_roots.FIT_SETTINGS_F32[name])
    assert (hi, lo, radius) == _roots.SERIES_F32[name][:3] == _roots.SERIES[name][:3]  # the same windows
    np.testing.assert_allclose(coeffs, _roots.SERIES_F32[name][3], rtol=1e-14, atol=1e-300)
    assert err < 1e-9  # a sixtieth of a float32 ulp


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "mish"])
def test_derivative_is_relatively_accurate_right_through_its_zero(name, dtype):
    xs = accuracy.critical_point(name)
    x = np.concatenate([accuracy._neighbours([xs], dtype, k=20), xs + np.geomspace(1e-12, 0.3, 60)])
    x = np.concatenate([x, 2 * xs - x]).astype(dtype)
    err, where = measure(name, dtype, "core", "derivative", x=x)
    assert err <= DEFAULT_BOUND, (err, where)


def test_minima_in_the_metadata_are_the_functions_minima():
    for name in ("gelu", "silu", "mish", "hard_swish"):
        xs = accuracy.critical_point(name)
        fmin = float(accuracy.reference(name, [xs])[0][0])
        assert A.get(name).output_range[0] == pytest.approx(fmin, abs=1e-10)
    # The values the guide quotes.
    assert A.gelu(-0.7517915246935645) == pytest.approx(-0.16997, abs=5e-6)
    assert A.silu(-1.2784645427610737) == pytest.approx(-0.27846, abs=5e-6)
    assert A.mish(-1.1924312145154952) == pytest.approx(-0.30884, abs=5e-6)


# SELU's constants ---------------------------------------------------------------------
def test_selu_constants_solve_the_moment_equations():
    """E[f(z)] = 0 and E[f(z)²] = 1 for z ~ N(0, 1), in closed form at 40 digits."""
    with mp.workdps(40):
        q1 = mp.e**0.5 * mp.ncdf(-1)  # E[e^z; z < 0]
        q2 = mp.e**2 * mp.ncdf(-2)  # E[e^{2z}; z < 0]
        alpha = 1 / (mp.sqrt(2 * mp.pi) * (mp.mpf(1) / 2 - q1))
        second = mp.mpf(1) / 2 + alpha**2 * (q2 - 2 * q1 + mp.mpf(1) / 2)
        lam = 1 / mp.sqrt(second)
        assert A.SELU_ALPHA == float(alpha) == float(mp.mpf("1.6732632423543772848170429916717"))
        assert A.SELU_LAMBDA == float(lam) == float(mp.mpf("1.0507009873554804934193349852946"))


# Softmax and log-softmax ---------------------------------------------------------------
def _softmax_reference(rows):
    """Softmax and log-softmax at 40 digits, with log Σ = log1p(Σ − 1) after the shift so
    that the reference keeps its digits when the other terms are tiny."""
    with mp.workdps(40):
        out, logs = [], []
        for row in rows:
            v = [mp.mpf(float(a)) for a in row]
            top = max(range(len(v)), key=lambda i: v[i])
            z = [a - v[top] for a in v]
            rest = mp.fsum(mp.exp(a) for i, a in enumerate(z) if i != top)
            out.append([accuracy._to_double_double(mp.exp(a) / (1 + rest)) for a in z])
            logs.append([accuracy._to_double_double(a - mp.log1p(rest)) for a in z])
    return np.array(out), np.array(logs)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_softmax_and_log_softmax_against_mpmath(dtype):
    rng = np.random.default_rng(3)
    rows = np.concatenate([rng.uniform(-10, 10, (40, 7)), rng.normal(0, 30, (20, 7)), rng.uniform(-1e3, 1e3, (10, 7))])
    rows = rows.astype(dtype)
    ref, log_ref = _softmax_reference(rows)
    err = accuracy.ulp_error(A.softmax(rows), ref[..., 0], ref[..., 1], dtype)
    log_err = accuracy.ulp_error(A.log_softmax(rows), log_ref[..., 0], log_ref[..., 1], dtype)
    # Seven exponentials summed, then one division: a few ulp whatever the scores.
    assert err.max() <= 4 and log_err.max() <= 4, (err.max(), log_err.max())


def test_softmax_limits_and_nan():
    inf, nan = np.inf, np.nan
    x = np.array([[inf, 1.0, 2.0], [inf, inf, -inf], [-inf, -inf, -inf], [nan, 1.0, 2.0], [1e308, -1e308, 0.0]])
    y = A.softmax(x)
    np.testing.assert_array_equal(y[0], [1, 0, 0])
    np.testing.assert_array_equal(y[1], [0.5, 0.5, 0])
    np.testing.assert_allclose(y[2], [1 / 3] * 3)
    assert np.isnan(y[3]).all()
    np.testing.assert_array_equal(y[4], [1, 0, 0])
    ly = A.log_softmax(x)
    np.testing.assert_array_equal(ly[0], [0, -inf, -inf])
    np.testing.assert_allclose(ly[1], [np.log(0.5), np.log(0.5), -inf])
    assert np.isnan(ly[3]).all()
    np.testing.assert_array_equal(ly[4], [0, -inf, -1e308])


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_softmax_ties_long_slices_and_other_axes_against_mpmath(dtype):
    """Tied maxima (several terms exactly 1) and a reduction axis other than the last,
    to the same bound."""
    rng = np.random.default_rng(4)
    ties = np.array([[1.0, 1.0, -30.0], [2.0, 2.0, 2.0], [0.0, -1e-7, -40.0], [5.0, -3.0, 5.0]])
    rows7 = rng.uniform(-10, 10, (5, 7))
    for rows in (ties.astype(dtype), rows7.astype(dtype)):
        ref, log_ref = _softmax_reference(rows)
        for axis, inp in ((-1, rows), (0, np.ascontiguousarray(rows.T))):
            y, ly = A.softmax(inp, axis=axis), A.log_softmax(inp, axis=axis)
            if axis == 0:
                y, ly = y.T, ly.T
            err = accuracy.ulp_error(y, ref[..., 0], ref[..., 1], dtype)
            log_err = accuracy.ulp_error(ly, log_ref[..., 0], log_ref[..., 1], dtype)
            assert err.max() <= 4 and log_err.max() <= 4, (axis, err.max(), log_err.max())


# Softmax along long slices: the sum Σ e^{x_j} -----------------------------------------------
#: Both layouts of the implementation (transposed up to 64, as rows beyond) and slices long
#: enough that a sum in the working precision, sequential or pairwise, drifts by several ulp.
SLICE_LENGTHS = (2, 10, 64, 65, 100, 1000, 10000)


def _scores(kind: str, k: int, dtype, seed: int) -> np.ndarray:
    """About 2000 scores in rows of k (one row of 10 000): N(0, 3²), N(0, 30²), or
    N(0, 3²) with one entry 10 to 40 above the rest of its row, whose terms are then tiny."""
    rng = np.random.default_rng(seed)
    rows = max(1, 2000 // k)
    x = rng.normal(0.0, 30.0 if kind == "wide" else 3.0, (rows, k))
    if kind == "dominant":
        x[np.arange(rows), rng.integers(0, k, rows)] = x.max(axis=1) + rng.uniform(10.0, 40.0, rows)
    return x.astype(dtype)


@pytest.mark.parametrize("k", SLICE_LENGTHS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_softmax_and_log_softmax_against_mpmath_at_any_slice_length(dtype, k):
    """The bound does not grow with the number of classes, in either layout or axis."""
    for kind in ("narrow", "wide", "dominant"):
        x = _scores(kind, k, dtype, seed=k)
        ref, log_ref = _softmax_reference(x)
        xt = np.ascontiguousarray(x.T)  # the same slices along axis 0
        for y, ly in ((A.softmax(x), A.log_softmax(x)), (A.softmax(xt, axis=0).T, A.log_softmax(xt, axis=0).T)):
            assert y.dtype == ly.dtype == dtype
            err = accuracy.ulp_error(y, ref[..., 0], ref[..., 1], dtype)
            log_err = accuracy.ulp_error(ly, log_ref[..., 0], log_ref[..., 1], dtype)
            assert err.max() <= DEFAULT_BOUND and log_err.max() <= DEFAULT_BOUND, (kind, err.max(), log_err.max())


@pytest.mark.parametrize("k", [3, 100])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_softmax_limits_nan_and_extreme_ranges_in_either_layout(dtype, k):
    """Limits, NaN and scores the whole float range apart, padded with −inf to k (short
    and long slices); no floating-point warning on the way."""
    inf, nan, big = np.inf, np.nan, float(np.finfo(dtype).max)
    x = np.full((7, k), -inf)
    x[:, :3] = [[inf, 1.0, 2.0], [inf, inf, -inf], [-inf, -inf, -inf], [nan, 1.0, 2.0],
                [big, -big, 0.0], [-inf, 0.0, 1.0], [-big, -big, -big]]  # fmt: skip
    x = x.astype(dtype)
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow is not a warning
        y, ly = A.softmax(x), A.log_softmax(x)
    assert y.dtype == ly.dtype == dtype
    np.testing.assert_array_equal(y[0, :3], [1, 0, 0])
    np.testing.assert_array_equal(y[1, :3], [0.5, 0.5, 0])
    np.testing.assert_allclose(y[2], np.full(k, 1 / k, dtype), rtol=1e-6)
    assert np.isnan(y[3]).all() and np.isnan(ly[3]).all()
    np.testing.assert_array_equal(y[4, :3], [1, 0, 0])
    np.testing.assert_allclose(y[5, :3], [0, 1 / (1 + np.e), np.e / (1 + np.e)], rtol=1e-6)
    np.testing.assert_allclose(y[6, :3], [1 / 3] * 3, rtol=1e-6)
    assert (y[[0, 1, 4, 5, 6], 3:] == 0).all()
    np.testing.assert_array_equal(ly[0, :3], [0, -inf, -inf])
    np.testing.assert_allclose(ly[1, :3], [np.log(0.5), np.log(0.5), -inf], rtol=1e-6)
    np.testing.assert_array_equal(ly[4, :3], [0, -inf, -big])
    np.testing.assert_allclose(ly[5, :3], [-inf, -np.log1p(np.e), 1 - np.log1p(np.e)], rtol=1e-6)
    np.testing.assert_allclose(ly[6, :3], [-np.log(3)] * 3, rtol=1e-6)
    assert (ly[[0, 1, 4, 5, 6], 3:] == -inf).all()
