"""Accuracy of the activations in units in the last place, against 50-digit references.

This module is the test suite's oracle and the source of the numbers in the book's
numerical-stability appendix. For every deterministic elementwise activation (at its
default parameters, and at the other parameters of :data:`PARAMETER_CASES`) it evaluates
the function and its derivative with mpmath at 50 significant digits, and measures the
error of the float32 and float64 results in ulp:

    error(x) = |computed(x) − exact(x)| / ulp(exact(x)),

where ulp(v) is the spacing of the floating-point numbers of the dtype in the binade
of v (the smallest subnormal for |v| below the normal range). The exact value is kept
as a double-double, so that float64 errors are measured to a fraction of an ulp.

Two regions are reported separately: ``"core"``, |x| ≤ 10 (dense, plus every kink,
every zero of a derivative, and numbers down to the smallest subnormal), and
``"tails"``, 10 < |x| up to the largest finite number. :data:`KNOWN_BOUNDS` lists
where the bound of :data:`DEFAULT_BOUND` ulp does not hold, with the measured bound
and the reason; :func:`accuracy_report` measures everything again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath as mp
import numpy as np

__all__ = [
    "DEFAULT_BOUND",
    "KNOWN_BOUNDS",
    "Bound",
    "bound",
    "accuracy_report",
    "grid",
    "measure",
    "reference",
    "ulp_error",
    "REFERENCE_NAMES",
    "PARAMETER_CASES",
    "CRITICAL_POINTS",
    "critical_point",
]

REFERENCE_DIGITS = 50

#: The bound, in ulp, that holds unless :data:`KNOWN_BOUNDS` says otherwise.
DEFAULT_BOUND = 4.0


@dataclass(frozen=True)
class Bound:
    """A stated accuracy bound in ulp and why it is not :data:`DEFAULT_BOUND`."""

    ulps: float
    reason: str


#: (name, "value" | "derivative", region, dtype) → the bound that holds there instead of
#: DEFAULT_BOUND; the numbers are the measured maxima rounded up. Keys use the dtype
#: name ("float32"/"float64") and the region ("core"/"tails").
KNOWN_BOUNDS: dict[tuple[str, str, str, str], Bound] = {
    # Measured: 5.8 ulp on the test grid, 6.7 on 18 000 random points of [−10, 0].
    ("gelu", "value", "core", "float64"): Bound(
        7.0,
        "x·Φ(x) for x < −1 needs erfc(−x/√2) without the z²-fold error of SciPy's erfc; the "
        "only vectorized route, SciPy's erfcx, is itself up to 3.7 ulp off (measured), and the "
        "product with e^(−x²/2) adds 1–2 ulp. float32 (compiled, its exponential and products "
        "carried in two parts) is within 2.8 ulp of every float32 input (measured).",
    ),
    # Measured: 3.9 ulp on the test grid, 6.8 on 18 000 random points of [−10, 0].
    ("gelu", "derivative", "core", "float64"): Bound(
        7.0,
        "Φ(x) + xφ(x) for x < −1.25 rests on SciPy's erfcx (up to 3.7 ulp off), and the two "
        "terms partly cancel on the way to the zero of GELU′ at −0.7518 (inside the zero's "
        "window, [−1.25, −0.25], a polynomial takes over and the error is below 2 ulp).",
    ),
    # Measured: 11 ulp on the test grid, 14 on 3000 points of [−60, −10].
    ("gelu", "derivative", "tails", "float64"): Bound(
        15.0,
        "for x < −37.5, e^(−x²/2) is subnormal in float64 and carries only a few bits; "
        "GELU′ ≈ −|x|φ(x) then multiplies its rounding error by up to ~|x|/2. The values "
        "there are below 1e−305.",
    ),
}


def bound(name: str, kind: str, region: str, dtype) -> Bound:
    """The bound that holds for one function, kind, region and dtype."""
    key = (name, kind, region, np.dtype(dtype).name)
    return KNOWN_BOUNDS.get(key, Bound(DEFAULT_BOUND, "the default bound"))


# 50-digit references --------------------------------------------------------------------
mp.mp.dps = REFERENCE_DIGITS
_HUGE = mp.mpf(1e6)  # beyond this every gate below is 0 or 1 to far more than 50 digits


def _sig(x):
    if x < -_HUGE:
        return mp.exp(x)
    return 1 / (1 + mp.exp(-x))


def _dsig(x):
    s = _sig(x)
    return s * _sig(-x)


def _sp(x):  # softplus
    if x > _HUGE:
        return x
    return mp.log1p(mp.exp(x))


def _clip(x, lo, hi):
    return min(max(x, lo), hi)


def _ind(cond):
    return mp.mpf(1) if cond else mp.mpf(0)


_SELU_A = mp.mpf("1.6732632423543772848170429916717")
_SELU_L = mp.mpf("1.0507009873554804934193349852946")


def _gelu(x):
    if x > 60:
        return x
    if x < -60:
        return mp.mpf(0)  # |x·Φ(x)| < 1e−780: rounds to zero
    return x * mp.ncdf(x)


def _dgelu(x):
    if abs(x) > 60:
        return _ind(x > 0)
    return mp.ncdf(x) + x * mp.npdf(x)


_K = mp.sqrt(2 / mp.pi)
_C = mp.mpf("0.044715")


def _gelu_tanh(x):
    return x * _sig(2 * _K * (x + _C * x**3))


def _dgelu_tanh(x):
    w = 2 * _K * (x + _C * x**3)
    return _sig(w) + x * _dsig(w) * 2 * _K * (1 + 3 * _C * x**2)


def _mish(x):
    return x * mp.tanh(_sp(x))


def _dmish(x):
    s = _sp(x)
    return mp.tanh(s) + x * mp.sech(s) ** 2 * _sig(x)


# The families with parameters: each gives (f, f′) for parameters given as the doubles
# the code uses (mp.mpf of a double is exact).
def _step_family(at_zero):
    return (lambda x: _ind(x > 0) if x != 0 else mp.mpf(at_zero), lambda x: mp.mpf(0))


def _slope_family(slope):
    s = mp.mpf(slope)
    return (lambda x: x if x > 0 else s * x, lambda x: mp.mpf(1) if x > 0 else s)


def _rrelu_family(lower, upper):
    return _slope_family((lower + upper) / 2)  # in evaluation: the mean slope, as the code forms it


def _softplus_family(beta):
    b = mp.mpf(beta)
    return (lambda x: _sp(b * x) / b, lambda x: _sig(b * x))


def _elu_family(alpha):
    a = mp.mpf(alpha)
    return (lambda x: x if x > 0 else a * mp.expm1(x), lambda x: mp.mpf(1) if x > 0 else a * mp.exp(x))


def _celu_family(alpha):
    a = mp.mpf(alpha)
    return (lambda x: x if x > 0 else a * mp.expm1(x / a), lambda x: mp.mpf(1) if x > 0 else mp.exp(x / a))


def _swish_family(beta):
    b = mp.mpf(beta)
    return (lambda x: x * _sig(b * x), lambda x: _sig(b * x) * (1 + b * x * _sig(-b * x)))


#: name → a function of the activation's parameters (keywords, as ``get`` takes them)
#: giving (f, f′).
_FAMILIES = {
    "step": _step_family,
    "softplus": _softplus_family,
    "leaky_relu": _slope_family,
    "prelu": _slope_family,
    "rrelu": _rrelu_family,
    "elu": _elu_family,
    "celu": _celu_family,
    "swish": _swish_family,
}

#: Parameters other than the defaults that the tests measure as well, to the same bounds:
#: the values a reader is likely to try (Swish with β = 1.702 is the sigmoid
#: approximation of GELU), and values that are not powers of two, whose products with x
#: are rounded.
PARAMETER_CASES = (
    ("step", {"at_zero": 0.5}),
    ("softplus", {"beta": 0.3}),
    ("softplus", {"beta": 3.0}),
    ("softplus", {"beta": 10.0}),
    ("leaky_relu", {"slope": 0.3}),
    ("prelu", {"slope": 0.1}),
    ("rrelu", {"lower": 0.1, "upper": 0.3}),
    ("elu", {"alpha": 0.3}),
    ("elu", {"alpha": 1.7}),
    ("celu", {"alpha": 0.3}),
    ("celu", {"alpha": 3.0}),
    ("swish", {"beta": 0.3}),
    ("swish", {"beta": 1.702}),
    ("swish", {"beta": 3.0}),
)

#: name → (f, f′) at the default parameters, as mpmath functions, with the package's
#: conventions at the kinks.
_REFERENCES = {
    "step": _step_family(1.0),
    "identity": (lambda x: x, lambda x: mp.mpf(1)),
    "sigmoid": (_sig, _dsig),
    "hard_sigmoid": (lambda x: _clip(x + 3, 0, 6) / 6, lambda x: _ind(-3 < x < 3) / 6),
    "tanh": (mp.tanh, lambda x: mp.sech(x) ** 2),
    "hard_tanh": (lambda x: _clip(x, -1, 1), lambda x: _ind(-1 < x < 1)),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    "relu": (lambda x: max(x, 0), lambda x: _ind(x > 0)),
    "relu6": (lambda x: _clip(x, 0, 6), lambda x: _ind(0 < x < 6)),
    "softplus": _softplus_family(1.0),
    "noisy_relu": (lambda x: max(x, 0), lambda x: _ind(x > 0)),
    "leaky_relu": _slope_family(0.01),
    "prelu": _slope_family(0.25),
    "rrelu": _rrelu_family(1 / 8, 1 / 3),
    "elu": _elu_family(1.0),
    "celu": _celu_family(1.0),
    "selu": (lambda x: _SELU_L * (x if x > 0 else _SELU_A * mp.expm1(x)),
             lambda x: _SELU_L * (1 if x > 0 else _SELU_A * mp.exp(x))),
    "gelu": (_gelu, _dgelu),
    "gelu_tanh": (_gelu_tanh, _dgelu_tanh),
    "silu": _swish_family(1.0),
    "swish": _swish_family(1.0),
    "hard_swish": (lambda x: x * _clip(x + 3, 0, 6) / 6,
                   lambda x: mp.mpf(0) if x < -3 else ((2 * x + 3) / 6 if x <= 3 else mp.mpf(1))),
    "mish": (_mish, _dmish),
}  # fmt: skip

#: The activations with a 50-digit reference: every elementwise one.
REFERENCE_NAMES = tuple(_REFERENCES)


def _to_double_double(v) -> tuple[float, float]:
    hi = float(v)
    if not np.isfinite(hi):
        return hi, 0.0
    return hi, float(v - mp.mpf(hi))


#: (name, kind, parameters) → {x: (hi, lo)}: each point is evaluated once per process,
#: whichever grid or dtype asks for it (float32 grids are subsets of the float64 ones).
_CACHE: dict[tuple, dict[float, tuple[float, float]]] = {}


def _reference_points(name: str, kind: str, points: list[float], params: dict | None) -> tuple[np.ndarray, np.ndarray]:
    pair = _FAMILIES[name](**params) if params else _REFERENCES[name]
    f = pair[0 if kind == "value" else 1]
    cache = _CACHE.setdefault((name, kind, tuple(sorted((params or {}).items()))), {})
    for p in points:
        if p not in cache:
            cache[p] = _to_double_double(f(mp.mpf(p)))
    pairs = np.array([cache[p] for p in points], dtype=np.float64).reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def reference(name: str, x, kind: str = "value", params: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The exact f(x) (``kind="value"``) or f′(x) (``"derivative"``) as a double-double
    ``(hi, lo)`` for finite float64 ``x``, at the default parameters or at ``params`` (for
    the activations of :data:`_FAMILIES`); results are cached per point."""
    if kind not in ("value", "derivative"):
        raise ValueError(f"kind must be 'value' or 'derivative', got {kind!r}")
    x = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("reference: x must be finite (limits at ±inf and NaN are tested separately)")
    return _reference_points(name, kind, x.tolist(), params)


_PRECISION = {np.dtype(np.float32): (24, -149), np.dtype(np.float64): (53, -1074)}


def ulp_error(y, hi, lo, dtype) -> np.ndarray:
    """|y − (hi + lo)| in ulp of the exact value in ``dtype`` (inf where y should have
    been an infinity, or is one where it should not)."""
    dtype = np.dtype(dtype)
    p, emin = _PRECISION[dtype]
    y = np.asarray(y, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    lo = np.asarray(lo, dtype=np.float64)
    # The correctly rounded result is ±inf when the exact value is at least half an ulp
    # past the largest float: (2 − 2^−p)·2^emax. For float64 the reference's hi already
    # is inf then.
    exact_inf = np.isinf(hi)
    if dtype == np.float32:
        exact_inf |= np.abs(hi) >= (2.0 - 2.0**-p) * 2.0**127
    with np.errstate(invalid="ignore", over="ignore"):
        _, e = np.frexp(hi)
        ulp = np.ldexp(1.0, np.maximum(e - p, emin))
        err = np.abs((y - hi) - lo) / ulp
        err = np.where(hi == 0.0, np.abs(y) / 2.0**emin, err)
    expected_inf = np.copysign(np.inf, hi)
    err = np.where(exact_inf, np.where(y == expected_inf, 0.0, np.inf), err)
    return np.where(np.isnan(err), np.inf, err)


# The grid ---------------------------------------------------------------------------------
#: Zeros of the derivatives of the non-monotone activations (minima of the functions):
#: approximate, the starting points from which :func:`critical_point` finds them to full
#: precision (hard-swish's, −3/2, is exact). The grid includes the floats next to them,
#: where f′ cancels.
CRITICAL_POINTS = {
    "gelu": -0.75179104215432244,
    "gelu_tanh": -0.75197,
    "silu": -1.2784645427610737951,
    "swish": -1.2784645427610737951,
    "mish": -1.1923473723144935,
    "hard_swish": -1.5,
}

_KINKS = (-6.0, -3.0, -1.5, -1.0, 0.0, 1.0, 3.0, 6.0)


@functools.lru_cache(maxsize=None)
def critical_point(name: str) -> float | None:
    """The zero of f′ to full double precision (found with mpmath), or None."""
    if name not in CRITICAL_POINTS or name == "hard_swish":
        return CRITICAL_POINTS.get(name)
    return float(mp.findroot(_REFERENCES[name][1], mp.mpf(CRITICAL_POINTS[name])))


def _neighbours(points, dtype, k: int = 3) -> np.ndarray:
    """Each point with its k floating-point neighbours on either side."""
    out = []
    with np.errstate(over="ignore"):  # the neighbour above the largest float is inf; dropped later
        for p in np.asarray(points, dtype=dtype):
            out.append(p)
            lo = hi = p
            for _ in range(k):
                lo = np.nextafter(lo, dtype(-np.inf))
                hi = np.nextafter(hi, dtype(np.inf))
                out.extend((lo, hi))
    return np.array(out, dtype=dtype)


def grid(dtype, region: str, name: str | None = None, *, dense: int = 2001) -> np.ndarray:
    """Finite test inputs of ``dtype`` (sorted, unique).

    ``"core"``: ``dense`` evenly spaced points on [−10, 10] (float32 numbers) and, for
    float64, ``dense // 2`` random ones (seeded), ±10^k down to the smallest
    subnormal, the kinks ±1, ±1.5, ±3, ±6, 0 and, for ``name``, its critical point,
    each with its three neighbours on either side. ``"tails"``: 10 < |x| up to the
    largest finite number, logarithmically spaced, densely where eˣ or e^(−x²/2) turns
    subnormal, plus the largest numbers themselves.
    """
    dtype = np.dtype(dtype).type
    info = np.finfo(dtype)
    f32 = np.float32
    if region == "core":
        # Evenly spaced float32 points (also float64 numbers, so both dtypes share their
        # references) and, for float64, random points with full significands (seeded).
        pts = [np.linspace(-10.0, 10.0, dense).astype(f32)]
        if dtype is np.float64:
            pts.append(np.random.default_rng(2026).uniform(-10.0, 10.0, dense // 2))
        tiny = np.geomspace(float(info.smallest_subnormal), 1.0, 60)
        pts += [tiny, -tiny]
        special = list(_KINKS) + [float(info.smallest_subnormal), float(info.smallest_normal), 1e-4, -1e-4]
        crit = critical_point(name) if name else None
        if crit is not None:
            special.append(crit)
        pts.append(_neighbours(special, dtype))
        x = np.concatenate([np.asarray(p, dtype=dtype) for p in pts])
        x = x[np.abs(x) <= 10.0]
    elif region == "tails":
        top = np.log10(float(info.max)) - 1e-9  # numpy's power would round 10^log10(max) past max
        big = np.logspace(1.0, top, 150)
        edge = _neighbours([info.max], dtype, k=2)
        edge = edge[np.isfinite(edge)]
        more = np.array([11, 17, 20, 30, 40, 60, 88, 89, 100, 104, 700, 710, 745, 1e4])
        # Where eˣ or e^(−x²/2) turns subnormal, in either dtype.
        transitions = np.concatenate([np.linspace(10, 45, 351), np.linspace(80, 106, 105), np.linspace(700, 746, 93)])
        with np.errstate(over="ignore"):  # float64 points past float32's range become inf, dropped below
            shared = np.concatenate([big, more, transitions]).astype(f32).astype(dtype)
        x = np.concatenate([shared, np.asarray(big, dtype=dtype), edge])
        x = np.concatenate([x, -x])
        x = x[(np.abs(x) > 10.0) & np.isfinite(x)]
    else:
        raise ValueError(f"region must be 'core' or 'tails', got {region!r}")
    return np.unique(x)


# Measurement ----------------------------------------------------------------------------
def measure(name: str, dtype, region: str, kind: str = "value", x=None, params: dict | None = None) -> tuple[float, float]:
    """``(max error in ulp, the input where it occurs)`` for one activation at its
    defaults, or at ``params`` (see :data:`PARAMETER_CASES`). ``x`` overrides the grid
    (values of ``dtype``)."""
    from actlab.activations.registry import get

    act = get(name, **(params or {}))
    dtype = np.dtype(dtype)
    x = grid(dtype, region, name) if x is None else np.asarray(x, dtype=dtype)
    y = act(x) if kind == "value" else act.derivative(x)
    hi, lo = reference(name, x.astype(np.float64), kind, params)
    err = ulp_error(y, hi, lo, dtype)
    i = int(np.argmax(err))
    return float(err[i]), float(x[i])


def accuracy_report(names=None) -> list[dict]:
    """Every measurement, one row per (name, kind, dtype, region), with the bound that
    holds and its reason. Slow (tens of seconds: 50-digit arithmetic)."""
    rows = []
    for name in names or REFERENCE_NAMES:
        for kind in ("value", "derivative"):
            for dtype in ("float32", "float64"):
                for region in ("core", "tails"):
                    err, where = measure(name, dtype, region, kind)
                    b = bound(name, kind, region, dtype)
                    rows.append(
                        dict(name=name, kind=kind, dtype=dtype, region=region, max_ulp=err, at=where,
                             bound=b.ulps, reason=b.reason)
                    )  # fmt: skip
    return rows
