"""Speed of every activation against a plain copy of the same array, and against its
naive textbook formula.

For 10⁶ and 10⁷ float32 elements (a seeded N(0, 3²) sample, like pre-activations), it
times the forward pass and the derivative (for softmax, log-softmax and maxout, the
backward pass) of every activation in ``actlab.activations``, and prints each as a
multiple of the time of ``np.copyto`` of the same array into a preallocated one, the
bound measured in the same run. It also times the textbook formula a reader would
write in numpy, and prints naive/ours (> 1 means ours is faster).

Timings are the best of a few repetitions (more for the smaller size); the machine's
load moves them by 10–20 %.
This is a report, never a test.

Run: ``.venv/bin/python benchmarks/activations.py`` (or ``make bench``);
``--sizes 1e6`` to time one size, ``--repeat N`` to change the repetitions.
"""

from __future__ import annotations

import argparse
import math
import os
import time

# As `make bench` sets it: OpenBLAS's idle threads would otherwise compete for the
# machine's two cores with the single thread timed here.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import actlab.activations as A  # noqa: E402
from actlab.activations.naive import NAIVE  # noqa: E402

def best_time(fn, repeat: int) -> float:
    fn()  # warm up: allocations, caches, lazy imports
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench(n: int, repeat: int) -> dict:
    """The bound, the ratios of every activation, and np.exp, np.tanh and a fresh copy for scale.

    Below 10⁷ elements the repetitions grow in proportion (30 at 10⁶): a single timing of
    a millisecond is easily caught by an interruption, and the best of a few is not enough.
    """
    repeat *= max(1, round(1e7 / n))
    x = (3.0 * np.random.default_rng(0).standard_normal(n)).astype(np.float32)
    out = np.empty_like(x)
    copy = best_time(lambda: np.copyto(out, x), repeat + 2)
    scale = {
        "fresh": best_time(lambda: x.copy(), repeat) / copy,
        "exp": best_time(lambda: np.exp(x, out=out), repeat) / copy,
        "tanh": best_time(lambda: np.tanh(x, out=out), repeat) / copy,
    }
    rows = []
    for name in A.names():
        act = A.get(name)
        if act.elementwise:
            xin = x
            fwd = lambda: act(xin)  # noqa: E731
            der = lambda: act.derivative(xin)  # noqa: E731
        else:
            xin = x.reshape(-1, 10)  # ten classes or five units of two pieces per row
            y, cache = act.forward(xin)
            g = np.ones_like(y)
            fwd = lambda: act.forward(xin)  # noqa: E731
            der = lambda: act.backward(cache, g)  # noqa: E731
        naive_f, naive_d = NAIVE[name]
        with np.errstate(all="ignore"):  # the textbook formulas overflow; that is their problem
            t_f = best_time(fwd, repeat)
            t_d = best_time(der, repeat)
            t_nf = best_time(lambda: naive_f(xin), repeat)
            t_nd = best_time(lambda: naive_d(xin), repeat) if naive_d else math.nan
        rows.append(dict(name=name, fwd=t_f / copy, der=t_d / copy, naive_fwd=t_nf / t_f, naive_der=t_nd / t_d))
    return dict(copy_ms=copy * 1e3, rows=rows, **scale)


def report(n: int, result: dict) -> None:
    rows = result["rows"]
    print(f"\n{n:.0e} float32 elements — bound: np.copyto {result['copy_ms']:.3f} ms")
    print(f"{'activation':<13}{'forward/copy':>13}{'deriv/copy':>12}{'naive/ours fwd':>16}{'naive/ours der':>16}")
    for r in rows:
        nd = "—" if math.isnan(r["naive_der"]) else f"{r['naive_der']:.2f}"
        slow = "  (slower than naive)" if r["naive_fwd"] < 1 else ""
        print(f"{r['name']:<13}{r['fwd']:>13.2f}{r['der']:>12.2f}{r['naive_fwd']:>16.2f}{nd:>16}{slow}")
    fwd = np.array([r["fwd"] for r in rows])
    worst = rows[int(np.argmax(fwd))]
    slower = [r["name"] for r in rows if r["naive_fwd"] < 1]
    print(
        f"geometric mean forward/copy {np.exp(np.mean(np.log(fwd))):.2f} (goal ≤ 3); "
        f"worst {worst['name']} {worst['fwd']:.2f} (goal ≤ 8); "
        f"forward slower than naive: {', '.join(slower) if slower else 'none'}"
    )
    print(f"for scale: np.exp {result['exp']:.2f}, np.tanh {result['tanh']:.2f} × copy on the same array; "
          f"x.copy() {result['fresh']:.2f} × (every activation returns a fresh array, and the "
          "operating system zeroes its pages on first use)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    for size in args.sizes:
        report(int(size), bench(int(size), args.repeat))
    print(f"\n(benchmark took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
