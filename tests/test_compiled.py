"""actlab's compiled modules (setup.py): each against the numpy formula it replaces.

Their accuracy through the public activations is tested in test_activations_numerics.py
(mpmath, 4 ulp, every float32 activation goes through them); here: that they give the
same answers on every memory layout and length (vector body, padded tail, strided and
scalar paths), that special values come out right, and that they never warn.
"""

from __future__ import annotations

import numpy as np
import pytest

import actlab.activations as A
from actlab import _allocator
from actlab.activations import _fused
from actlab.nn import _adam

RNG = np.random.default_rng(20261126)
#: The elementwise ufuncs of _fused, with the parameter each is called with (0 for none).
ELEMENTWISE = {
    "step": ("at_zero", 0.5),
    "tanh": (None, 0.0),
    "hard_sigmoid": (None, 0.0),
    "softsign": (None, 0.0),
    "leaky_relu": ("slope", 0.01),
    "hard_swish": (None, 0.0),
    "sigmoid": (None, 0.0),
    "softplus": ("beta", 1.0),
    "elu": ("alpha", 1.0),
    "selu": (None, 0.0),
    "celu": ("alpha", 1.0),
    "gelu": (None, 0.0),
    "gelu_tanh": (None, 0.0),
    "swish": ("beta", 1.0),
    "mish": (None, 0.0),
}
#: The derivative ufuncs (raw: the public derivatives patch them near their zero).
DERIVATIVES = {"swish_derivative": 1.0, "gelu_derivative": 0.0, "gelu_tanh_derivative": 0.0, "mish_derivative": 0.0,
               "softsign_derivative": 0.0, "sigmoid_derivative": 0.0, "tanh_derivative": 0.0,
               "softplus_derivative": 1.0, "elu_derivative": 1.0, "selu_derivative": 0.0, "celu_derivative": 1.0,
               "hard_swish_derivative": 0.0}
SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3.4e38, -3.4e38, -85.0, -95.0, 90.0])


def _sample(n: int) -> np.ndarray:
    return (4.0 * RNG.standard_normal(n)).astype(np.float32)


def _ulps(y: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """|y − reference| in float32 ulps of the reference (rounded to float32)."""
    with np.errstate(over="ignore"):  # beyond float32's range the reference rounds to inf
        spacing = np.spacing(np.abs(reference.astype(np.float32))).astype(np.float64)
    with np.errstate(invalid="ignore"):
        return np.abs(y.astype(np.float64) - reference) / np.maximum(spacing, 2.0**-149)


# exp (log-softmax's backward pass) and tanh ---------------------------------------------------
@pytest.mark.parametrize("name, reference, bound", [("exp", np.exp, 1.0), ("tanh", np.tanh, 2.5)])
def test_fused_exp_and_tanh_against_float64_on_every_layout(name, reference, bound):
    fn = getattr(_fused, name)
    x = np.concatenate([RNG.uniform(-9.0, 9.0, 100_003), SPECIAL, [95.0, -110.0]]).astype(np.float32)
    with np.errstate(all="raise"):  # the ufuncs never set numpy's error flags: 95 gives inf
        y = fn(x, 0.0)
    assert y.dtype == np.float32
    assert np.array_equal(np.isnan(y), np.isnan(x))
    with np.errstate(over="ignore"):
        assert np.nanmax(_ulps(y, reference(x.astype(np.float64)))) <= bound
    assert np.array_equal(fn(x[::3], 0.0), y[::3])  # strided: the same kernel, element by element
    out = np.empty_like(x)
    assert fn(x, 0.0, out=out) is out and np.array_equal(out, y, equal_nan=True)


# actlab.activations._fused: elementwise -------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ELEMENTWISE) + sorted(DERIVATIVES))
def test_fused_same_result_on_every_layout_and_length(name):
    fn = getattr(_fused, name)
    parameter = ELEMENTWISE[name][1] if name in ELEMENTWISE else DERIVATIVES[name]
    x = _sample(2_000)
    y = fn(x, parameter)
    for n in range(0, 19):  # the padded tail, shorter than a vector or not
        assert np.array_equal(fn(x[:n].copy(), parameter), y[:n])
    assert np.array_equal(fn(x[1::2], parameter), y[1::2])  # strided: element by element
    grid = x[:1_000].reshape(20, 50)
    assert np.array_equal(fn(grid.T, parameter), y[:1_000].reshape(20, 50).T)
    assert np.array_equal(fn(x[:100], np.full(100, parameter)), y[:100])  # an array parameter
    assert fn(x[7], parameter) == y[7]  # 0-d


@pytest.mark.parametrize("name", sorted(ELEMENTWISE) + sorted(DERIVATIVES) + ["exp"])
@pytest.mark.parametrize("vectors", [3, 600])
def test_fused_fast_and_general_kernels_mix_lane_by_lane(name, vectors):
    """Vectors mixing lanes the fast float32 kernels take with lanes they leave to the
    general ones (x < −87, results that overflow, NaN), within one of the loop's blocks of
    64 vectors and over several: each lane as on its own (the strided path), in place too."""
    parameter = ELEMENTWISE[name][1] if name in ELEMENTWISE else DERIVATIVES.get(name, 0.0)
    lanes = np.array([-120.0, 0.5, -90.0, 95.0, np.nan, -1e30, 3.0, -12.0], np.float32)
    x = np.concatenate([np.tile(lanes, vectors), _sample(1_003)])
    fn = getattr(_fused, name)
    with np.errstate(all="raise"):
        y = fn(x, parameter)
        assert np.array_equal(y, fn(x[::-1], parameter)[::-1], equal_nan=True)  # strided
        assert np.array_equal(y[:80], fn(x[:80].copy(), parameter), equal_nan=True)
        assert fn(x, parameter, out=x) is x and np.array_equal(x, y, equal_nan=True)  # in place


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_fused_agrees_with_the_float64_formula_and_never_warns(name):
    x = np.concatenate([_sample(50_000), SPECIAL.astype(np.float32)])
    param, value = ELEMENTWISE[name]
    with np.errstate(all="raise"):
        y = getattr(_fused, name)(x, value)
    reference = A.get(name, **({param: value} if param else {}))(x.astype(np.float64))  # numpy, float64
    assert np.array_equal(np.isnan(y), np.isnan(reference))
    assert np.nanmax(_ulps(y, reference)) <= 4.0


@pytest.mark.parametrize(
    "name, params",
    [("swish", {}), ("swish", {"beta": 2.5}), ("gelu", {}), ("gelu_tanh", {}), ("mish", {}), ("softsign", {}),
     ("sigmoid", {}), ("tanh", {}), ("softplus", {}), ("softplus", {"beta": 3.0}), ("elu", {}), ("elu", {"alpha": 1.7}),
     ("selu", {}), ("celu", {}), ("celu", {"alpha": 0.3}), ("hard_swish", {})],
)  # fmt: skip
def test_fused_derivatives_through_the_public_functions(name, params):
    act = A.get(name, **params)
    x = np.concatenate([_sample(50_000), SPECIAL.astype(np.float32), np.linspace(-3, 0, 3001, dtype=np.float32)])
    with np.errstate(all="raise"):
        d = act.derivative(x)  # float32: the compiled kernel, patched near the derivative's zero
    reference = act.derivative(x.astype(np.float64))
    assert d.dtype == np.float32
    assert np.array_equal(np.isnan(d), np.isnan(reference))
    assert np.nanmax(_ulps(d, reference)) <= 4.0


@pytest.mark.parametrize(
    "lo, hi, inside, outside",
    [(0.0, np.inf, 1.0, 0.0), (0.0, np.inf, 1.0, -0.3), (-3.0, 3.0, 1 / 6, 0.0), (0.0, 6.0, 1.0, 0.0),
     (0.1, 0.7, 2.0, -0.5), (0.0, 0.0, 1.0, 1.0)],
)
def test_fused_pieces_decides_as_in_double_on_every_layout(lo, hi, inside, outside):
    """``inside`` on (lo, hi), ``outside`` elsewhere, at the bounds and their float32
    neighbours too (0.1 and 0.7 are not float32 numbers), at ±inf, and NaN at NaN."""
    bounds = np.array([lo, hi, 0.1, 0.7, 6.0, 3.0, -3.0], np.float32)
    x = np.concatenate([_sample(1_003), SPECIAL.astype(np.float32), bounds,
                        np.nextafter(bounds, np.float32(np.inf)), np.nextafter(bounds, np.float32(-np.inf))])
    xd = x.astype(np.float64)
    holds = (xd > lo) & ((xd < hi) | (hi == np.inf))
    expected = np.where(np.isnan(xd), np.nan, np.where(holds, inside, outside)).astype(np.float32)
    with np.errstate(all="raise"):
        y = _fused.pieces(x, lo, hi, inside, outside)
    assert y.dtype == np.float32 and np.array_equal(y, expected, equal_nan=True)
    for n in range(0, 19):  # the padded tail
        assert np.array_equal(_fused.pieces(x[:n].copy(), lo, hi, inside, outside), expected[:n], equal_nan=True)
    assert np.array_equal(_fused.pieces(x[::-3], lo, hi, inside, outside), expected[::-3], equal_nan=True)
    parameters = [np.full(x.size, v) for v in (lo, hi, inside, outside)]  # arrays: element by element
    assert np.array_equal(_fused.pieces(x, *parameters), expected, equal_nan=True)


@pytest.mark.parametrize(
    "name, params",
    [("step", {}), ("identity", {}), ("relu", {}), ("noisy_relu", {}), ("relu6", {}), ("leaky_relu", {"slope": 0.2}),
     ("prelu", {}), ("rrelu", {}), ("hard_tanh", {}), ("hard_sigmoid", {})],
)
def test_piecewise_linear_derivatives_in_float32_are_the_float64_ones_rounded(name, params):
    act = A.get(name, **params)
    x = np.concatenate([_sample(9_981), SPECIAL, [-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0]]).astype(np.float32)  # 10⁴
    with np.errstate(all="raise"):
        d = act.derivative(x)
    assert d.dtype == np.float32
    assert np.array_equal(d, act.derivative(x.astype(np.float64)).astype(np.float32), equal_nan=True)
    assert np.array_equal(act.derivative(x.reshape(50, -1).T), d.reshape(50, -1).T, equal_nan=True)


def test_fused_parameters_reach_the_kernels():
    x = _sample(1_000)
    for name, value in [("step", 0.25), ("leaky_relu", 0.3), ("leaky_relu", 0.0), ("softplus", 2.5), ("elu", 0.3),
                        ("celu", 1.7), ("swish", 0.6)]:
        y = getattr(_fused, name)(x, value)
        reference = A.get(name, **{ELEMENTWISE[name][0]: value})(x.astype(np.float64))
        assert _ulps(y, reference).max() <= 4.0, name


# actlab.activations._fused: softmax and log-softmax ------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("k", [1, 2, 3, 10, 64, 65, 300])
def test_fused_softmax_rows_do_not_depend_on_their_neighbours(name, k):
    fn = getattr(_fused, name)
    x = _sample(9 * k).reshape(9, k)
    y, ok = fn(x)
    assert ok.all()
    for rows in range(1, 9):  # a last group of four padded or not
        assert np.array_equal(fn(x[:rows])[0], y[:rows])
    x[4, k // 2] = np.nan  # a NaN slice is flagged, and the others keep their values
    x[6, 0] = np.inf
    y2, ok2 = fn(x)
    assert list(np.flatnonzero(~ok2)) == [4, 6]
    assert np.array_equal(np.delete(y2, [4, 6], axis=0), np.delete(y, [4, 6], axis=0))
    assert np.array_equal(fn(np.asfortranarray(x))[0][ok2], y2[ok2])  # strided slices


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_float32_with_infinite_and_nan_slices(name):
    rows = [[1.0, np.inf, 0.0, np.inf], [np.nan, 0.0, 1.0, 2.0], [-np.inf] * 4, [0.0, 1.0, 2.0, 3.0],
            [-np.inf, 1.0, -np.inf, 2.0]]  # fmt: skip
    for x in (np.array(rows, np.float32), np.array([[*r] * 20 for r in rows], np.float32)):  # short, long
        y = getattr(A, name)(x)
        reference = getattr(A, name)(x.astype(np.float64))
        # Rows 0-2 are refused by the kernel and computed in float64: exactly the float64
        # result rounded. Rows 3-4 stay compiled, float32 lanes for short slices: within
        # the 2.1 ulp measured for softmax (1.5 for log-softmax), −inf where it is exact.
        assert np.array_equal(y[:3], reference[:3].astype(np.float32), equal_nan=True)
        compiled, exact = y[3:], reference[3:]
        assert np.array_equal(np.isinf(compiled), np.isinf(exact)) and not np.isnan(compiled).any()
        assert np.array_equal(compiled[np.isinf(compiled)], exact[np.isinf(compiled)])
        finite = np.isfinite(exact)
        assert np.max(_ulps(compiled[finite], exact[finite])) <= 2.5
    flagged = getattr(_fused, name)(np.array(rows, np.float32))[1]  # the last row stays compiled
    assert list(flagged) == [False, False, False, True, True]


# actlab.nn._adam ----------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_fused_group_max_is_the_maximum_with_nan_on_every_layout(k):
    z = _sample(6 * 37 * k).reshape(6, 37, k)  # 37 groups a row: the pairs' vector path and its tail
    z[1, 3, k - 1] = z[4, 20, 0] = np.nan
    z[2, 5, :] = -np.inf
    reference = np.max(z, axis=-1)  # numpy's max propagates NaN too
    with np.errstate(all="raise"):
        assert np.array_equal(_fused.group_max(z), reference, equal_nan=True)
        assert np.array_equal(_fused.group_max(z[:, ::-1]), reference[:, ::-1], equal_nan=True)
        assert np.array_equal(_fused.group_max(z[::2, 1::3]), reference[::2, 1::3], equal_nan=True)
        assert np.array_equal(_fused.group_max(z.reshape(1, -1, k)), reference.reshape(1, -1), equal_nan=True)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_fused_group_max_backward_is_the_numpy_routing_on_every_layout(k):
    """g to each group's first maximum, or first NaN, and 0 to the other pieces (even for an
    infinite g), as the float64 code routes it, in any layout."""
    z = RNG.integers(-3, 3, (7, 53, k)).astype(np.float32)  # many ties
    z[0, 0, 0] = z[1, 2, -1] = np.nan
    z[2, 3, :] = np.nan
    g = RNG.standard_normal((7, 53)).astype(np.float32)
    g[3, 4], g[3, 5] = np.inf, -2.0
    maxout = A.Maxout(k)
    _, cache = maxout.forward(z.reshape(7, -1).astype(np.float64))  # numpy's routing, in float64
    reference = maxout.backward(cache, g.astype(np.float64)).reshape(z.shape)
    for zz, gg, rr in [(z, g, reference), (z[:, ::2], g[:, ::2], reference[:, ::2]), (z[::-1], g[::-1], reference[::-1]),
                       (z.reshape(1, -1, k), g.reshape(1, -1), reference.reshape(1, -1, k))]:  # fmt: skip
        with np.errstate(all="raise"):
            dz = _fused.group_max_backward(zz, gg)
        assert dz.dtype == np.float32
        assert np.array_equal(np.signbit(dz), np.signbit(rr)) and np.array_equal(dz, rr.astype(np.float32), equal_nan=True)

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_ufunc_is_the_numpy_formula(dtype):
    n = 1_001
    m, g, theta = (RNG.standard_normal(n).astype(dtype) for _ in range(3))
    v = np.abs(RNG.standard_normal(n)).astype(dtype)
    b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
    c = lambda value: dtype(value)  # noqa: E731  (the coefficients in the arrays' type)
    m_next = c(b1) * m + g
    v_next = c(b2) * v + g * g
    theta_next = theta - c(lr) * (m_next / (np.sqrt(v_next) + c(eps)))
    for layout in (slice(None), slice(None, None, 2)):  # contiguous, then strided
        M, V, T = m[layout].copy(), v[layout].copy(), theta[layout].copy()
        _adam.update(M, V, g[layout], T, b1, b2, lr, eps, out=(M, V, T))
        assert M.dtype == dtype
        assert np.array_equal(M, m_next[layout]) and np.array_equal(V, v_next[layout])
        np.testing.assert_allclose(T, theta_next[layout], rtol=0, atol=4 * np.finfo(dtype).eps)
    M, V, T = m.copy(), v.copy(), theta.copy()  # a coefficient per element: the general loop
    _adam.update(M, V, g, T, np.full(n, b1, dtype), b2, lr, eps, out=(M, V, T))
    assert np.array_equal(M, m_next)


# actlab._allocator ----------------------------------------------------------------------------
def test_allocator_setting_is_checked():
    with pytest.raises(ValueError, match="positive"):
        _allocator.keep_freed_memory(0, 64 << 20)
    with pytest.raises(ValueError, match="32 MiB"):
        _allocator.keep_freed_memory(33 << 20, 64 << 20)  # glibc's own maximum
    assert _allocator.keep_freed_memory(16 << 20, 64 << 20) in (True, False)  # False: not glibc


def test_gelu_polynomials_are_the_fits_of_tools_fit_gelu():
    """Every coefficient of gelu_f's two polynomials, as tools/fit_gelu.py makes it, is in
    _f32gelu.h; and the fits are as close as the header says."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("fit_gelu", root / "tools" / "fit_gelu.py")
    fit_gelu = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit_gelu)
    h, e = fit_gelu.fits()
    header = Path(_fused.__file__).with_name("_f32gelu.h").read_text()
    gelu_f = header[header.index("static inline v8f gelu_f(") :]
    for literal in fit_gelu.literals(h) + fit_gelu.literals(e):
        assert literal in gelu_f, literal
    assert fit_gelu.max_relative_error(fit_gelu.h_target, *fit_gelu.U_RANGE, h, 0.5) < 1.5e-9
    assert fit_gelu.max_relative_error(fit_gelu.e_target, *fit_gelu.W_RANGE, e) < 1.5e-10


# The portable build of _fused (no AVX2, no libmvec): the C library's functions per lane -----
@pytest.fixture(scope="module")
def portable_fused(tmp_path_factory):
    """_fused.c compiled as setup.py compiles it where libmvec is missing."""
    import importlib.util
    import shutil
    import subprocess
    import sysconfig
    from pathlib import Path

    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler")
    source = Path(_fused.__file__).with_name("_fused.c")
    target = tmp_path_factory.mktemp("portable") / ("_fused" + sysconfig.get_config_var("EXT_SUFFIX"))
    subprocess.run(
        [compiler, "-O2", "-fno-math-errno", "-Wno-psabi", "-shared", "-fPIC", "-DACTLAB_LIBMVEC=0",
         f"-I{np.get_include()}", f"-I{sysconfig.get_paths()['include']}", str(source), "-o", str(target), "-lm"],
        check=True,
    )  # fmt: skip
    spec = importlib.util.spec_from_file_location("_fused", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.LIBMVEC == 0
    return module


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_portable_build_gives_the_same_formulas(portable_fused, name):
    x = np.concatenate([_sample(20_000), SPECIAL.astype(np.float32)])
    param, value = ELEMENTWISE[name]
    with np.errstate(all="raise"):
        y = getattr(portable_fused, name)(x, value)
    reference = A.get(name, **({param: value} if param else {}))(x.astype(np.float64))
    assert np.array_equal(np.isnan(y), np.isnan(reference))
    assert np.nanmax(_ulps(y, reference)) <= 4.0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_portable_build_softmax(portable_fused, name):
    x = _sample(3_000).reshape(300, 10)
    y, ok = getattr(portable_fused, name)(x)
    assert ok.all()
    assert np.nanmax(_ulps(y, getattr(A, name)(x.astype(np.float64)))) <= 4.0
