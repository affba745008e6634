"""Experiments and figure recipes for chapter 2, *Smooth squashing: sigmoid, tanh, softmax*.

Five groups, each used by the chapter and tested in ``tests/test_experiments_squashing.py``:

- **Zero-centring, one unit.** A linear unit fed by sigmoid outputs (all positive) or by
  the same outputs minus ½ (centred), trained by per-example gradient descent: the
  same-sign updates and the zig-zag they cause (:func:`zigzag_problem`, :func:`sgd_path`,
  :func:`learning_rate_sweep`, :func:`plot_zigzag`).
- **Zero-centring, a network.** Hidden units ``a·f(b·x) − c`` built from the package's
  sigmoid and tanh (:class:`AffineSquash`, :data:`HIDDEN_UNITS`), trained from several
  seeds with the same weights for every unit (:func:`compare_hidden_units`,
  :func:`plot_seed_bands`).
- **The wrong loss.** A softmax scored with binary cross-entropy
  (:func:`softmax_binary_cross_entropy`), the mistake behind an inflated "accuracy", and
  both accuracies of a run (:func:`accuracy_both_ways`).
- **Naive formulas.** The textbook forms of σ, tanh, softplus, log σ and softmax, the
  floating-point warnings they raise (:data:`NAIVE`, :func:`with_warnings`) and their
  error in ulp against 50-digit references, next to the careful forms (:func:`ulp_errors`).
- **Small facts.** Where tanh′ falls below σ′ (:func:`derivative_crossover`), LeCun's
  scaled tanh (:func:`lecun_tanh`) and Gaussian moments by quadrature
  (:func:`gaussian_expectation`).

Training runs use one BLAS thread (:func:`single_threaded_blas`): the matrices here are
small, and on a busy two-core machine a multi-threaded OpenBLAS spends far longer
waiting for its threads than multiplying.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from actlab import plotting
from actlab.nn.dense import Dense
from actlab.nn.layer import Layer
from actlab.nn.sequential import Sequential
from actlab.nn.train import SeedRuns, train_seeds

__all__ = [
    "AffineSquash",
    "CAREFUL",
    "HIDDEN_UNITS",
    "LECUN_AMPLITUDE",
    "LECUN_SLOPE",
    "NAIVE",
    "accuracy_both_ways",
    "compare_hidden_units",
    "derivative_crossover",
    "gaussian_expectation",
    "hidden_unit",
    "learning_rate_sweep",
    "lecun_tanh",
    "lecun_tanh_derivative",
    "logsumexp",
    "make_mlp",
    "plot_seed_bands",
    "plot_zigzag",
    "same_sign_fraction",
    "sgd_path",
    "single_threaded_blas",
    "softmax_binary_cross_entropy",
    "steps_to_reach",
    "ulp_errors",
    "with_warnings",
    "zigzag_problem",
]


def _activations():
    from actlab import activations  # deferred, as in actlab.nn.activation

    return activations


# -- Running small networks fast ----------------------------------------------------------

@contextlib.contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread inside the block (a no-op without ``threadpoolctl``).

    For the small matrices of the book's experiments one thread is faster; on a loaded
    machine a multi-threaded OpenBLAS can be slower by a factor of a hundred.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# -- Hidden units a·f(b·x) − c ------------------------------------------------------------

class AffineSquash(Layer):
    """The hidden unit ``y = out_scale · f(in_scale · x) − shift`` for an activation ``f``.

    ``f`` is any elementwise activation of :mod:`actlab.activations` (``"sigmoid"`` or
    ``"tanh"`` here). The chain rule gives the backward pass
    ``∂L/∂x = ∂L/∂y · out_scale · in_scale · f′(in_scale · x)``. Examples::

        AffineSquash("sigmoid", shift=0.5)               # σ(x) − ½: centred, same slope
        AffineSquash("sigmoid", out_scale=2, shift=1)    # 2σ(x) − 1 = tanh(x/2)
        AffineSquash("tanh", out_scale=1.7159, in_scale=2/3)   # LeCun's scaled tanh

    The scales are Python floats, so a float32 network stays float32.
    """

    def __init__(self, name: str, *, out_scale: float = 1.0, in_scale: float = 1.0, shift: float = 0.0):
        for label, value in (("out_scale", out_scale), ("in_scale", in_scale), ("shift", shift)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"AffineSquash: {label} must be a finite number, got {value!r}")
        self.fn = _activations().get(name)
        self.name = self.fn.name
        self.out_scale, self.in_scale, self.shift = float(out_scale), float(in_scale), float(shift)
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        u = x * self.in_scale if self.in_scale != 1.0 else x
        self._x = u
        y = np.asarray(self.fn(u))
        if self.out_scale != 1.0:
            y = y * self.out_scale
        if self.shift:
            y = y - self.shift
        return y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._x)
        gain = self.out_scale * self.in_scale
        d = np.asarray(self.fn.derivative(self._x))
        return grad * d * gain if gain != 1.0 else grad * d

    def __repr__(self) -> str:
        return (f"AffineSquash({self.name!r}, out_scale={self.out_scale:g}, "
                f"in_scale={self.in_scale:g}, shift={self.shift:g})")


#: The hidden units of the chapter's comparison, by label: (activation, out_scale, in_scale, shift).
#: Read down the list, tanh(x) = 2σ(2x) − 1 is reached from σ one change at a time.
HIDDEN_UNITS: dict[str, tuple[str, float, float, float]] = {
    "σ(x)": ("sigmoid", 1.0, 1.0, 0.0),
    "σ(x) − ½": ("sigmoid", 1.0, 1.0, 0.5),
    "2σ(x)": ("sigmoid", 2.0, 1.0, 0.0),
    "2σ(x) − 1 = tanh(x/2)": ("sigmoid", 2.0, 1.0, 1.0),
    "tanh(x)": ("tanh", 1.0, 1.0, 0.0),
}


def hidden_unit(label: str) -> AffineSquash:
    """A new :class:`AffineSquash` layer for a label of :data:`HIDDEN_UNITS`."""
    if label not in HIDDEN_UNITS:
        raise ValueError(f"unknown hidden unit {label!r}; known: {', '.join(HIDDEN_UNITS)}")
    name, out_scale, in_scale, shift = HIDDEN_UNITS[label]
    return AffineSquash(name, out_scale=out_scale, in_scale=in_scale, shift=shift)


def make_mlp(unit: str, n_in: int, n_out: int, *, width: int = 64, depth: int = 2, seed: int = 0) -> Sequential:
    """``depth`` hidden layers of ``width`` units of type ``unit`` (a :data:`HIDDEN_UNITS` label),
    then a linear output layer of ``n_out`` logits.

    The weights depend on ``seed`` only, not on ``unit``: every unit starts from the same
    weight matrices (Glorot-uniform, the engine's default), so differences in training
    come from the unit alone.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    layers: list[Layer] = []
    fan_in = n_in
    for _ in range(depth):
        layers += [Dense(fan_in, width), hidden_unit(unit)]
        fan_in = width
    layers.append(Dense(fan_in, n_out))
    return Sequential(layers, seed=seed)


def compare_hidden_units(X, y, units: Iterable[str], *, seeds: Iterable[int] = (0, 1, 2), width: int = 64,
                         depth: int = 2, epochs: int = 10, lr: float = 0.1, batch_size: int = 32,
                         optimizer: str = "sgd", validation=None, **train_options) -> dict[str, SeedRuns]:
    """Train the same network with each hidden unit from each seed; ``{unit: SeedRuns}``.

    ``y`` holds class indices; the output layer has ``max(y) + 1`` logits and the loss
    is softmax cross-entropy. Plain SGD by default, the setting of the zig-zag argument.
    """
    X = np.asarray(X)
    n_classes = int(np.max(y)) + 1
    seeds = list(seeds)
    results = {}
    with single_threaded_blas():
        for unit in units:
            results[unit] = train_seeds(
                lambda seed, unit=unit: make_mlp(unit, X.shape[1], n_classes, width=width, depth=depth, seed=seed),
                X, y, seeds=seeds, epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer,
                validation=validation, progress=False, **train_options,
            )
    return results


def plot_seed_bands(runs: Mapping[str, SeedRuns], key: str = "loss", *, ax=None, logy: bool = False,
                    ylabel: str | None = None, title: str | None = None):
    """The mean of ``key`` over seeds against the epoch, with a band from the lowest to the
    highest seed, for each entry of ``runs``. Returns the axes."""
    means = {name: r.stack(key).mean(axis=0) for name, r in runs.items()}
    ax = plotting.plot_curves(means, ax=ax, logy=logy, ylabel=ylabel if ylabel is not None else key, title=title)
    for line, r in zip(ax.get_lines(), runs.values()):
        values = r.stack(key)
        epochs = np.arange(1, values.shape[1] + 1)
        ax.fill_between(epochs, values.min(axis=0), values.max(axis=0), color=line.get_color(), alpha=0.2,
                        linewidth=0)
    return ax


# -- The zig-zag of same-sign updates -------------------------------------------------------

def zigzag_problem(n: int = 200, *, centred: bool = False, w_star=(2.0, -2.0), seed: int = 0):
    """A linear unit's regression problem on two sigmoid outputs: ``(X, y, w_star)``.

    ``X = σ(A)`` for ``A`` of shape ``(n, 2)`` standard normal — what a layer of sigmoid
    units passes on — or ``σ(A) − ½`` with ``centred=True`` (the same points, moved to
    mean ≈ 0). Targets ``y = X @ w_star`` have no noise, so ``w_star`` is the exact
    minimiser of the squared error. The default ``w_star`` needs one weight to grow and
    the other to shrink.
    """
    rng = np.random.default_rng(seed)
    X = np.asarray(_activations().sigmoid(rng.standard_normal((int(n), 2))), dtype=np.float64)
    if centred:
        X = X - 0.5
    w_star = np.asarray(w_star, dtype=np.float64)
    return X, X @ w_star, w_star


def _per_example_gradients(X, y, w) -> np.ndarray:
    """Row ``i``: the gradient of ``½(x_i·w − y_i)²`` with respect to ``w``, ``(x_i·w − y_i) x_i``."""
    return (X @ w - y)[:, None] * X


def same_sign_fraction(X, y, w) -> float:
    """Share of the examples whose gradient with respect to ``w`` has all entries of one sign.

    That gradient is ``(x·w − y)·x``: when every entry of ``x`` is positive (inputs from a
    sigmoid layer), all its entries share the sign of the error, whatever ``w`` is.
    Examples with zero error are not counted.
    """
    G = _per_example_gradients(np.asarray(X, float), np.asarray(y, float), np.asarray(w, float))
    moving = np.any(G != 0, axis=1)
    same = np.all(G > 0, axis=1) | np.all(G < 0, axis=1)
    return float(same[moving].mean()) if moving.any() else float("nan")


def sgd_path(X, y, *, lr: float, steps: int, w0=(0.0, 0.0), seed: int = 0) -> np.ndarray:
    """Weights after each of ``steps`` per-example gradient steps on ``½(x·w − y)²``.

    One example is drawn at random (seeded) per step: ``w ← w − lr (x·w − y) x``.
    Returns an array of shape ``(steps + 1, d)`` starting at ``w0``. A diverging run
    stops growing at ±inf without floating-point warnings (see :func:`steps_to_reach`).
    """
    X, y = np.asarray(X, float), np.asarray(y, float)
    rng = np.random.default_rng(seed)
    order = rng.integers(len(X), size=int(steps))
    path = np.empty((int(steps) + 1, X.shape[1]))
    w = np.array(w0, dtype=float)
    path[0] = w
    with np.errstate(over="ignore", invalid="ignore"):
        for t, i in enumerate(order, start=1):
            w = w - lr * (X[i] @ w - y[i]) * X[i]
            path[t] = w
    return path


def steps_to_reach(path, w_star, tol: float) -> int | None:
    """The first step at which the weights are within ``tol`` of ``w_star`` and stay
    there to the end of ``path``; ``None`` if that never happens (or the run diverged)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged path holds inf and NaN
        d = np.linalg.norm(np.asarray(path) - np.asarray(w_star), axis=1)
    outside = ~(d < tol)  # NaN counts as outside
    if outside[-1]:
        return None
    last_outside = np.flatnonzero(outside)
    return int(last_outside[-1] + 1) if last_outside.size else 0


def learning_rate_sweep(X, y, w_star, learning_rates: Iterable[float], *, steps: int = 400, tol: float = 0.1,
                        seeds: Iterable[int] = (0, 1, 2, 3, 4)) -> dict[float, int | None]:
    """``{lr: median over seeds of steps_to_reach(...)}`` for per-example SGD from 0.

    Each seed draws a different order of examples. The entry is ``None`` when any seed
    fails to settle within ``tol`` of ``w_star`` in ``steps`` steps (too small a rate) or
    diverges (too large).
    """
    seeds = list(seeds)
    sweep = {}
    for lr in learning_rates:
        counts = [steps_to_reach(sgd_path(X, y, lr=lr, steps=steps, seed=s), w_star, tol) for s in seeds]
        sweep[float(lr)] = None if any(c is None for c in counts) else int(np.median(counts))
    return sweep


def plot_zigzag(X, y, w_star, path, *, ax=None, title: str | None = None, limits=((-1.5, 3.5), (-4.0, 1.0))):
    """Contours of the mean squared error ``½ mean((X w − y)²)`` over the weights, the
    path of gradient descent on it and the minimiser ``w_star``. Returns the axes."""
    if ax is None:
        _, ax = plotting.new_axes(width=4.2, height=4.0)
    X, y = np.asarray(X, float), np.asarray(y, float)
    (x0, x1), (y0, y1) = limits
    g1, g2 = np.meshgrid(np.linspace(x0, x1, 201), np.linspace(y0, y1, 201))
    W = np.stack([g1.ravel(), g2.ravel()])
    loss = 0.5 * np.mean((X @ W - y[:, None]) ** 2, axis=0).reshape(g1.shape)
    levels = np.quantile(loss, np.linspace(0.0, 0.9, 12) ** 2)[1:]
    ax.contour(g1, g2, loss, levels=np.unique(levels), colors="0.6", linewidths=0.8)
    path = np.asarray(path)
    ax.plot(path[:, 0], path[:, 1], "-", color=plotting.PALETTE[0], linewidth=1.2, marker="o", markersize=2.5,
            label="gradient descent")
    ax.plot(*path[0], "s", color=plotting.PALETTE[7], markersize=6, label="start")
    ax.plot(*w_star, "*", color=plotting.PALETTE[3], markersize=13, label="minimum")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small", frameon=True, framealpha=0.9)
    return ax


# -- Naive formulas, their warnings and their errors ----------------------------------------

def _naive_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _naive_tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def _naive_softplus(x):
    return np.log(1.0 + np.exp(x))


def _naive_log_sigmoid(x):
    return np.log(1.0 / (1.0 + np.exp(-x)))


def _naive_softmax(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _naive_logsumexp(z, axis=-1):
    return np.log(np.exp(z).sum(axis=axis))


#: The textbook formulas, written as they are usually first written.
NAIVE: dict[str, Callable] = {
    "sigmoid": _naive_sigmoid,          # 1 / (1 + e^(−x))
    "tanh": _naive_tanh,                # (eˣ − e^(−x)) / (eˣ + e^(−x))
    "softplus": _naive_softplus,        # log(1 + eˣ)
    "log_sigmoid": _naive_log_sigmoid,  # log(1 / (1 + e^(−x)))
    "softmax": _naive_softmax,          # eᶻ / Σ eᶻ
    "logsumexp": _naive_logsumexp,      # log Σ eᶻ
}


def with_warnings(fn: Callable, *args, **kwargs) -> tuple[object, list[str]]:
    """``(fn(*args, **kwargs), messages)``: the result and every warning raised meanwhile.

    Warnings are recorded, never printed (numpy's floating-point errors are turned into
    warnings for the duration: overflow, division by zero, invalid operations; underflow
    to zero is not an error).
    """
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn",
                                                                     invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, [str(w.message) for w in caught]


#: The careful forms, from :mod:`actlab.activations` (log σ(x) = −softplus(−x)).
CAREFUL: dict[str, Callable] = {
    "sigmoid": lambda x: _activations().sigmoid(x),
    "tanh": lambda x: _activations().tanh(x),
    "softplus": lambda x: _activations().softplus(x),
    "log_sigmoid": lambda x: -np.asarray(_activations().softplus(-np.asarray(x))),
}


def ulp_errors(name: str, x, form: str = "naive") -> tuple[np.ndarray, list[str]]:
    """Error in ulp at each float64 ``x`` of the ``"naive"`` (:data:`NAIVE`) or
    ``"careful"`` (:data:`CAREFUL`) form of ``name`` — ``sigmoid``, ``tanh``,
    ``softplus`` or ``log_sigmoid`` — and the warnings it raised.

    Measured against 50-digit references with :func:`actlab.activations.accuracy.reference`
    and ``ulp_error``: ``|computed − exact| / ulp(exact)``, where ulp is the spacing of
    float64 numbers at the exact value (the smallest subnormal, about 4.9e−324, below the
    normal range), and ``inf`` for a NaN or a wrong infinity.
    """
    from actlab.activations import accuracy

    forms = {"naive": NAIVE, "careful": CAREFUL}
    if form not in forms:
        raise ValueError(f"form must be 'naive' or 'careful', got {form!r}")
    if name not in CAREFUL:
        raise ValueError(f"ulp_errors: no elementwise reference for {name!r}; known: {', '.join(CAREFUL)}")
    x = np.asarray(x, dtype=np.float64)
    if name == "log_sigmoid":
        hi, lo = accuracy.reference("softplus", -x)
        hi, lo = -hi, -lo
    else:
        hi, lo = accuracy.reference(name, x)
    y, messages = with_warnings(forms[form][name], x)
    return accuracy.ulp_error(y, hi, lo, np.float64), messages


def logsumexp(z, axis: int = -1) -> np.ndarray:
    """``log Σ_j exp(z_j)`` along ``axis``, computed as ``m + log Σ_j exp(z_j − m)`` with ``m = max_j z_j``.

    Every exponent is ≤ 0 (no overflow) and the largest term is exactly 1 (the sum is
    ≥ 1, so its log is never −inf). A slice whose maximum is infinite returns that
    infinity; NaN gives NaN. No floating-point warnings.
    """
    z = np.asarray(z)
    if z.dtype not in (np.float32, np.float64):
        z = z.astype(np.float64)
    m = np.max(z, axis=axis, keepdims=True)
    finite_m = np.where(np.isfinite(m), m, 0)
    with np.errstate(invalid="ignore"):  # inf − inf only in slices with an infinite max, replaced below
        total = np.sum(np.exp(z - finite_m), axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        out = finite_m + np.log(total)
    out = np.where(np.isfinite(m), out, m)
    return np.squeeze(out, axis=axis)


# -- The wrong loss for a softmax -----------------------------------------------------------

def softmax_binary_cross_entropy(logits: np.ndarray, labels) -> tuple[float, np.ndarray]:
    """A softmax output scored with *binary* cross-entropy against one-hot targets.

    This is the mistake the chapter examines, written as a loss for
    :func:`actlab.nn.train`: ``p = softmax(z)``, ``y = onehot(labels)`` and

        loss = −mean over all n·K entries of [y log p + (1 − y) log(1 − p)].

    With ``a_k = −y_k + (1 − y_k) p_k / (1 − p_k)`` (``n·K`` times ``p_k ∂loss/∂p_k``) the
    chain rule through the softmax gives ``∂loss/∂z_j = (a_j − p_j Σ_k a_k) / (n·K)``.
    ``log p`` comes from the log-softmax and ``log(1 − p_k) = log Σ_{j≠k} p_j`` from a
    log-sum-exp, so nothing cancels or overflows for ordinary logits (the odds
    ``p/(1 − p)`` are capped at e^700). ``labels`` are class indices, so the engine's
    metric stays categorical accuracy.
    """
    from actlab.nn.losses import class_labels

    if logits.ndim != 2 or logits.shape[1] < 2:
        raise ValueError(f"softmax_binary_cross_entropy needs logits of shape (batch, classes ≥ 2), got {logits.shape}")
    n, k = logits.shape
    labels = class_labels(labels, n, k)
    Y = np.zeros_like(logits)
    Y[np.arange(n), labels] = 1
    log_p = np.asarray(_activations().log_softmax(logits, axis=1))
    others = np.where(np.eye(k, dtype=bool), -np.inf, 0.0).astype(logits.dtype)  # drop entry k from slice k
    log_q = logsumexp(log_p[:, None, :] + others, axis=2)  # log(1 − p_k)
    loss = -np.mean(Y * log_p + (1 - Y) * log_q)
    p = np.exp(log_p)
    a = (1 - Y) * np.exp(np.minimum(log_p - log_q, 700.0)) - Y
    grad = (a - p * a.sum(axis=1, keepdims=True)) / (n * k)
    return float(loss), grad.astype(logits.dtype, copy=False)


def accuracy_both_ways(X, y, X_val, y_val, *, loss="cross_entropy", width: int = 64, epochs: int = 10,
                       lr: float = 1e-3, batch_size: int = 32, seed: int = 0) -> dict[str, list[float]]:
    """Train a one-hidden-layer tanh network with K softmax outputs and score it, after
    every epoch, in the two ways an "accuracy" can be computed.

    ``loss`` is ``"cross_entropy"`` or :func:`softmax_binary_cross_entropy` (or any loss
    taking class indices). Returns per-epoch lists on the validation data:
    ``"categorical"`` — share of rows whose largest probability is the true class — and
    ``"binary"`` — share of the ``n·K`` entries where ``p > ½`` agrees with the one-hot
    target, which is what binary accuracy computes. Adam with one optimizer state for
    the whole run; batches in a new seeded order each epoch.
    """
    from actlab.nn.optim import Adam
    from actlab.nn.train import train

    y_val = np.asarray(y_val)
    n_classes = int(max(np.max(y), np.max(y_val))) + 1
    onehot = np.eye(n_classes, dtype=bool)[y_val]
    model = Sequential([Dense(X.shape[1], width), "tanh", Dense(width, n_classes)], seed=seed)
    optimizer = Adam(model.parameters(), lr)
    scores: dict[str, list[float]] = {"categorical": [], "binary": []}
    with single_threaded_blas():
        for epoch in range(int(epochs)):
            train(model, X, y, epochs=1, batch_size=batch_size, loss=loss, optimizer=optimizer,
                  seed=seed * 1000 + epoch, progress=False)
            p = np.asarray(_activations().softmax(model.predict(X_val), axis=1))
            scores["categorical"].append(float(np.mean(p.argmax(axis=1) == y_val)))
            scores["binary"].append(float(np.mean((p > 0.5) == onehot)))
    return scores


# -- Small facts ----------------------------------------------------------------------------

#: LeCun's scaled tanh f(x) = A·tanh(S·x) (LeCun et al. 1998): A = 1.7159, S = 2/3.
LECUN_AMPLITUDE = 1.7159
LECUN_SLOPE = 2.0 / 3.0


def lecun_tanh(x):
    """``1.7159 · tanh(2x/3)``, the squashing function of LeNet-5 and "Efficient BackProp"."""
    return LECUN_AMPLITUDE * np.asarray(_activations().tanh(np.asarray(x, dtype=np.float64) * LECUN_SLOPE))


def lecun_tanh_derivative(x):
    """``1.7159 · (2/3) · tanh′(2x/3)``."""
    u = np.asarray(x, dtype=np.float64) * LECUN_SLOPE
    return LECUN_AMPLITUDE * LECUN_SLOPE * np.asarray(_activations().tanh_derivative(u))


def derivative_crossover(lo: float = 0.5, hi: float = 4.0, *, tol: float = 1e-12) -> float:
    """The ``x > 0`` where tanh′(x) = σ′(x), by bisection: beyond it tanh′ is the smaller.

    tanh′(x) = 4σ′(2x) starts 4 times larger (at 0) but decays like 4e^(−2x) against
    σ′'s e^(−x), so the two cross once on each side of 0 (the functions are even).
    """
    act = _activations()

    def gap(x):
        return float(act.tanh_derivative(x) - act.sigmoid_derivative(x))

    a, b = float(lo), float(hi)
    if not gap(a) > 0 > gap(b):
        raise ValueError(f"tanh′ − σ′ must change sign on [{lo}, {hi}]")
    while b - a > tol:
        m = 0.5 * (a + b)
        a, b = (m, b) if gap(m) > 0 else (a, m)
    return 0.5 * (a + b)


def gaussian_expectation(f: Callable, *, mean: float = 0.0, std: float = 1.0, points: int = 101) -> float:
    """``E[f(z)]`` for ``z ~ N(mean, std²)`` by Gauss–Hermite quadrature (exact for
    polynomials of degree below ``2·points``; accurate to ~1e−12 for the smooth bounded
    functions here)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(int(points))
    values = np.asarray(f(mean + std * nodes), dtype=np.float64)
    return float(weights @ values / math.sqrt(2 * math.pi))
