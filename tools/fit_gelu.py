"""Fits the polynomials of the float32 GELU kernel (``code/actlab/activations/_f32gelu.h``,
``gelu_f``) and prints them as C float literals.

- H(u) = (z + 4)·Φ(−z)·e^(z²/2) with z = 4u/(1 − u), for u = z/(z + 4) in [1/9, 13.2/17.2]
  (z from ½ to 13.2), as a polynomial of degree 9 in y = u − ½, its constant as hi + lo;
- E(w) = φ(0)·Σ_k (−w/2)^k/(k!(2k + 1)), x·Φ(x) = x/2 + x²·E(x²), for w = x² in [0, ¼],
  as φ(0) (hi + lo) plus a polynomial of degree 4 in w without constant term.

Each fit is a least-squares fit on Chebyshev nodes, reweighted (Lawson) toward the minimax
of the relative error; the coefficients are then rounded to float32 one at a time, lowest
degree first, the others refitted after each. Run: ``.venv/bin/python tools/fit_gelu.py``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx

U_RANGE = (1 / 9, 13.2 / 17.2)
W_RANGE = (0.0, 0.25)
PHI0 = 1 / math.sqrt(2 * math.pi)


def h_target(u):
    z = 4 * u / (1 - u)
    return (z + 4) * 0.5 * erfcx(z / math.sqrt(2))  # erfcx(t) = e^(t²)·erfc(t)


def e_target(w):
    return PHI0 * sum((-w / 2) ** k / (math.factorial(k) * (2 * k + 1)) for k in range(14))


def chebyshev_nodes(lo, hi, n=4000):
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    return np.concatenate([lo + (t + 1) / 2 * (hi - lo), [lo, hi]])


def fit(f, lo, hi, powers, fixed, shift=0.0, iterations=60):
    """The coefficients of ``powers`` (of x − shift) not in ``fixed``, for the least maximal
    relative error of Σ c_k (x − shift)^k against f on [lo, hi]."""
    x = chebyshev_nodes(lo, hi)
    fx, y = f(x), x - shift
    free = [k for k in powers if k not in fixed]
    rhs = fx - sum(c * y**k for k, c in fixed.items())
    basis = np.stack([y**k for k in free], 1)
    weight = np.ones_like(x)
    for _ in range(iterations):
        scale = weight / np.abs(fx)
        c, *_ = np.linalg.lstsq(basis * scale[:, None], rhs * scale, rcond=None)
        error = np.abs(basis @ c - rhs) / np.abs(fx)
        weight = weight * np.sqrt(error / error.max()) + 1e-12
        weight /= weight.sum()
    return dict(fixed) | dict(zip(free, c))


def round_in_turn(f, lo, hi, powers, fixed, shift=0.0, unrounded=()):
    """The coefficients of ``powers``, each but ``unrounded`` rounded to float32 in turn
    (lowest degree first) and the others refitted; then the ``unrounded`` ones refitted."""
    fixed = dict(fixed)
    for k in powers:
        if k not in fixed and k not in unrounded:
            fixed[k] = float(np.float32(fit(f, lo, hi, powers, fixed, shift)[k]))
    return fit(f, lo, hi, powers, fixed, shift) if len(fixed) < len(powers) else fixed


def split(value):
    hi = float(np.float32(value))
    return hi, float(np.float32(value - hi))


def max_relative_error(f, lo, hi, coefficients, shift=0.0):
    x = np.linspace(lo, hi, 400_001)
    p = sum(c * (x - shift) ** k for k, c in coefficients.items())
    return float(np.max(np.abs(p - f(x)) / np.abs(f(x))))


def c_literal(value):
    return float(np.float32(value)).hex().replace("0000000p", "p") + "f"


def fits():
    """(H's coefficients, E's coefficients): dicts degree → value, each constant the sum
    of its two float32 parts (split), the others float32 numbers."""
    # H: a1..a9 rounded in turn, a0 refitted last and kept as hi + lo.
    h = round_in_turn(h_target, *U_RANGE, range(10), {}, shift=0.5, unrounded=(0,))
    h[0] = sum(split(h[0]))
    # E: E(0) = φ(0) exactly (as hi + lo), c1..c4 rounded in turn.
    e = round_in_turn(e_target, *W_RANGE, range(5), {0: PHI0})
    return h, e


def literals(coefficients):
    """The C literals of the coefficients, lowest degree first, the constant as two."""
    return [c_literal(p) for p in split(coefficients[0])] + [c_literal(coefficients[k]) for k in sorted(coefficients)[1:]]


def main():
    h, e = fits()
    print(f"H: degree 9 in y = u - 1/2 on u in [1/9, 13.2/17.2]: max relative error "
          f"{max_relative_error(h_target, *U_RANGE, h, 0.5):.3g}")
    print("  a0 (hi, lo), a1 ... a9:", ", ".join(literals(h)))
    print(f"E: phi(0) + degree 4 in w on [0, 1/4]: max relative error "
          f"{max_relative_error(e_target, *W_RANGE, e):.3g}")
    print("  c0 (hi, lo), c1 ... c4:", ", ".join(literals(e)))


if __name__ == "__main__":
    main()
