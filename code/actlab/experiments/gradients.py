"""Vanishing and exploding gradients, measured: the experiments of chapter 3.

Backpropagation through a stack of layers ``z_l = h_{l−1} W_l + b_l``, ``h_l = f(z_l)``
computes, from the last layer down,

    δ_l = ∂L/∂z_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f′(z_l),

so the gradient reaching layer 1 is the one leaving layer L multiplied by L − 1 weight
matrices and L − 1 diagonal matrices of slopes. With weights ``W ~ N(0, g²/n)`` and
``n`` units per layer each factor multiplies the mean square of δ by about
``χ_l = g² · E[f′(z_l)²]`` (a mean-field estimate: it treats ``W`` as independent of
δ). This module builds such networks (:func:`deep_mlp`), measures them layer by layer
(:func:`gradient_profile`, :func:`scale_sweep`), records the gradient norm at every
optimizer step (:class:`NormRecorder`, :func:`clipping_run`) and provides the small
regression task of the clipping experiment (:func:`ring_regression`).

Every function is deterministic for its seed and raises no floating-point warning: a
diverging run is reported (``History.diverged_at``, ``inf`` or ``NaN`` in a record),
never printed. A diverging run is also chaotic: it amplifies rounding differences, so
the step at which it overflows can move when the floating-point code of the activations
or the engine changes, even though it repeats exactly from run to run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from actlab.nn import Activation, BatchNorm, Dense, Sequential, evaluate, global_norm, train
from actlab.nn.losses import get_loss
from actlab.nn.optim import Momentum
from actlab.nn.train import History

__all__ = [
    "GradientProfile",
    "NormRecorder",
    "ClipRun",
    "scaled_normal",
    "standard_uniform",
    "deep_mlp",
    "hidden_layers",
    "weight_snapshot",
    "relative_change",
    "gradient_profile",
    "scale_sweep",
    "clipping_run",
    "ring_regression",
]


# -- Initializers --------------------------------------------------------------------

def scaled_normal(gain: float) -> Callable[..., np.ndarray]:
    """An initializer drawing ``W ~ N(0, gain² / n_in)``.

    ``gain = 1`` is LeCun's normal initialization (and, for a square layer, Glorot's);
    the *weight scale* ``gain`` is what chapter 3 turns up and down. The returned
    callable has the signature ``(shape, rng, dtype)`` that :class:`~actlab.nn.Dense`
    accepts as ``init``.
    """
    gain = float(gain)
    if not (math.isfinite(gain) and gain > 0):
        raise ValueError(f"gain must be a finite number > 0, got {gain!r}")

    def init(shape, rng, dtype=np.float32):
        n_in = shape[-2]
        return (gain / math.sqrt(n_in) * rng.standard_normal(shape)).astype(dtype)

    init.__name__ = f"scaled_normal({gain:g})"
    return init


def standard_uniform(shape, rng, dtype=np.float32) -> np.ndarray:
    """``W ~ U(−1/√n_in, 1/√n_in)``: the "commonly used heuristic" of Glorot & Bengio (2010).

    Its variance is ``1/(3 n_in)``, a third of what keeps the signal's variance
    constant through a layer that is linear near 0 (tanh): the naive initialization
    they compared their normalized one against.
    """
    limit = 1.0 / math.sqrt(shape[-2])
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


# -- Networks ------------------------------------------------------------------------

def deep_mlp(n_in: int, n_out: int, *, depth: int, width: int, activation: str = "tanh",
             init="glorot_normal", output_init="glorot_normal", batchnorm: str | None = None,
             seed: int = 0, dtype=np.float32) -> Sequential:
    """A multilayer perceptron with ``depth`` hidden layers of ``width`` units.

    Each hidden block is ``Dense → activation``, or with ``batchnorm="before"``
    ``Dense → BatchNorm → activation`` (Ioffe & Szegedy's placement) and with
    ``batchnorm="after"`` ``Dense → activation → BatchNorm``. A final ``Dense`` maps to
    ``n_out`` raw outputs. ``init`` (a name or a callable such as
    :func:`scaled_normal`) is used by the hidden layers, ``output_init`` by the last.
    """
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    if batchnorm not in (None, "before", "after"):
        raise ValueError(f'batchnorm must be None, "before" or "after", got {batchnorm!r}')
    layers, previous = [], n_in
    for _ in range(int(depth)):
        layers.append(Dense(previous, width, init=init))
        if batchnorm == "before":
            layers.append(BatchNorm(width))
        layers.append(Activation(activation))
        if batchnorm == "after":
            layers.append(BatchNorm(width))
        previous = width
    layers.append(Dense(previous, n_out, init=output_init))
    return Sequential(layers, seed=seed, dtype=dtype)


def hidden_layers(model: Sequential) -> tuple[list[int], list[int]]:
    """Indices in ``model.layers`` of the hidden :class:`Dense` layers and of the activations.

    The last ``Dense`` (the output layer) is not a hidden layer. Use them to pick the
    columns of a :class:`~actlab.nn.Probes` table that belong to layers 1 … L.
    """
    dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, Dense)]
    activations = [i for i, layer in enumerate(model.layers) if isinstance(layer, Activation)]
    return dense[:-1], activations


def weight_snapshot(model: Sequential) -> list[np.ndarray]:
    """Copies of the weight matrices of the hidden layers 1 … L, to compare with later."""
    dense, _ = hidden_layers(model)
    return [model.layers[i].W.value.copy() for i in dense]


def relative_change(model: Sequential, snapshot: Sequence[np.ndarray]) -> np.ndarray:
    """``‖W_l − W_l⁰‖ / ‖W_l⁰‖`` for each hidden layer: how far training has moved its weights."""
    dense, _ = hidden_layers(model)
    if len(dense) != len(snapshot):
        raise ValueError(f"the snapshot has {len(snapshot)} layers, the model {len(dense)} hidden layers")
    with np.errstate(all="ignore"):
        return np.array([
            np.linalg.norm((model.layers[i].W.value - w0).astype(np.float64)) / np.linalg.norm(w0.astype(np.float64))
            for i, w0 in zip(dense, snapshot)
        ])


# -- Measuring a network ----------------------------------------------------------------

@dataclass
class GradientProfile:
    """One forward and backward pass of a network, summarised per hidden layer ``l = 1 … L``.

    ``delta_norm[l]`` is ``‖δ_l‖ = ‖∂L/∂z_l‖`` over the batch, the back-propagated gradient
    at the output of hidden ``Dense`` layer ``l``; ``delta_var`` the mean square of its
    entries; ``weight_grad_norm`` is ``‖∂L/∂W_l‖`` (weights only, not the bias);
    ``preact_var`` and ``activation_var`` are the variances of ``z_l`` and of the
    activation's output ``h_l``; ``mean_slope`` and ``mean_sq_slope`` are the means of
    ``f′`` and ``f′²`` at the activation's input; ``saturated`` is the fraction of those
    inputs where ``f′`` is below 1% of its value at 0. ``loss`` is the loss of the batch.
    """

    delta_norm: np.ndarray
    delta_var: np.ndarray
    weight_grad_norm: np.ndarray
    preact_var: np.ndarray
    activation_var: np.ndarray
    mean_slope: np.ndarray
    mean_sq_slope: np.ndarray
    saturated: np.ndarray
    loss: float

    @property
    def depth(self) -> int:
        return len(self.delta_norm)

    @property
    def ratio(self) -> float:
        """``‖δ_1‖ / ‖δ_L‖``: below 1 the gradient vanishes towards the input, above 1 it explodes."""
        with np.errstate(all="ignore"):
            return float(self.delta_norm[0] / self.delta_norm[-1])


def gradient_profile(model: Sequential, X, y, *, loss="cross_entropy", training: bool = True) -> GradientProfile:
    """Measure ``model`` on the batch ``(X, y)`` with one forward and one backward pass.

    The pass runs in training mode by default, so batch normalization uses the batch's
    own statistics — the gradients that a training step would see. (The engine's
    :func:`~actlab.nn.layer_statistics` measures in evaluation mode, where a fresh
    BatchNorm layer is the identity; for networks without BatchNorm, dropout or random
    activations the two agree.) Nothing about the model changes: parameter gradients
    and BatchNorm running statistics are put back afterwards.
    """
    X = np.asarray(X, dtype=model.dtype)
    layers = model.layers
    params = model.parameters()
    saved_grads = [p.grad for p in params]
    norms = [(layer, layer.running_mean.copy(), layer.running_var.copy())
             for layer in layers if isinstance(layer, BatchNorm)]
    was_training = model.training
    model.training = training
    dense, acts = hidden_layers(model)
    try:
        with np.errstate(all="ignore"):
            outputs, h = [], X
            for layer in layers:
                h = layer.forward(h)
                outputs.append(h)
            value, grad = get_loss(loss)(h, y)
            upstream: list[np.ndarray | None] = [None] * len(layers)
            weight_grads = {}
            for i in reversed(range(len(layers))):
                upstream[i] = grad
                grad = layers[i].backward(grad)
                if i in dense:
                    weight_grads[i] = float(np.linalg.norm(layers[i].W.grad.astype(np.float64)))
            slopes, sq_slopes, saturated = [], [], []
            for i in acts:
                fn = layers[i].fn
                inputs = outputs[i - 1] if i > 0 else X
                d = np.asarray(fn.derivative(inputs), dtype=np.float64)
                peak = float(fn.derivative(np.zeros(1, dtype=np.float64))[0])
                slopes.append(float(d.mean()))
                sq_slopes.append(float(np.mean(d * d)))
                saturated.append(float(np.mean(d < 0.01 * peak)))

            def f64(a):
                return np.asarray(a, dtype=np.float64)

            profile = GradientProfile(
                delta_norm=np.array([np.linalg.norm(f64(upstream[i])) for i in dense]),
                delta_var=np.array([np.mean(np.square(f64(upstream[i]))) for i in dense]),
                weight_grad_norm=np.array([weight_grads[i] for i in dense]),
                preact_var=np.array([f64(outputs[i]).var() for i in dense]),
                activation_var=np.array([f64(outputs[i]).var() for i in acts]),
                mean_slope=np.array(slopes),
                mean_sq_slope=np.array(sq_slopes),
                saturated=np.array(saturated),
                loss=float(value),
            )
    finally:
        model.training = was_training
        for p, g in zip(params, saved_grads):
            p.grad = g
        for layer, mean, var in norms:
            layer.running_mean, layer.running_var = mean, var
    return profile


def scale_sweep(X, y, *, activation: str, scales: Sequence[float], depth: int, width: int,
                seeds: Iterable[int] = (0, 1, 2), loss="cross_entropy", dtype=np.float64) -> np.ndarray:
    """``‖δ_1‖ / ‖δ_L‖`` at initialization for each weight scale and seed: shape ``(seeds, scales)``.

    Each network is :func:`deep_mlp` with hidden weights ``N(0, g²/n_in)`` for ``g`` in
    ``scales`` (:func:`scaled_normal`), measured by :func:`gradient_profile` on
    ``(X, y)``. float64 by default, so that gradients as small as 1e−300 are measured
    rather than rounded to zero.
    """
    seeds = list(seeds)
    n_out = int(np.max(y)) + 1 if np.ndim(y) == 1 else np.shape(y)[1]
    ratios = np.empty((len(seeds), len(scales)))
    for s, seed in enumerate(seeds):
        for k, gain in enumerate(scales):
            model = deep_mlp(X.shape[1], n_out, depth=depth, width=width, activation=activation,
                             init=scaled_normal(gain), seed=seed, dtype=dtype)
            ratios[s, k] = gradient_profile(model, X, y, loss=loss).ratio
    return ratios


# -- Clipping ------------------------------------------------------------------------

class NormRecorder(Momentum):
    """SGD with momentum that records the global gradient norm of every step before clipping.

    ``norms[k]`` is ``‖g‖`` over all parameters at step ``k + 1``, as computed by
    backpropagation; with ``clip_norm`` set, the step then uses ``g · min(1, c/‖g‖)``.
    ``momentum=0`` gives plain SGD.
    """

    def __init__(self, params, lr: float = 0.01, *, momentum: float = 0.9, **options):
        super().__init__(params, lr, momentum=momentum, **options)
        self.norms: list[float] = []

    def step(self) -> None:
        with np.errstate(all="ignore"):
            self.norms.append(global_norm([np.asarray(p.grad, dtype=np.float64) for p in self.params]))
            super().step()


@dataclass
class ClipRun:
    """One training run of :func:`clipping_run`.

    ``grad_norms`` holds the global gradient norm of every step (before clipping);
    ``final_loss`` is the loss on the training data after training, in evaluation
    mode (NaN for a run that diverged).
    """

    history: History
    grad_norms: np.ndarray
    clip_norm: float | None
    seed: int
    final_loss: float
    model: Sequential = field(repr=False)

    @property
    def diverged(self) -> bool:
        """True if the loss stopped being finite (``History.diverged_at``) or ended above 1e10."""
        return self.history.diverged_at is not None or not (self.final_loss < 1e10)


def clipping_run(make_model: Callable[[int], Sequential], X, y, *, clip_norm: float | None, lr: float,
                 momentum: float = 0.9, epochs: int = 30, batch_size: int = 64, loss="mse",
                 seed: int = 0) -> ClipRun:
    """Train ``make_model(seed)`` with momentum SGD, clipping the global norm at ``clip_norm`` (or not).

    The loop is :func:`actlab.nn.train`, which stops at the first non-finite loss and
    reports the step in ``history.diverged_at``; every floating-point warning of a
    diverging run is silenced here, not printed.
    """
    model = make_model(seed)
    optimizer = NormRecorder(model.parameters(), lr, momentum=momentum, clip_norm=clip_norm)
    with np.errstate(all="ignore"):
        history = train(model, X, y, epochs=epochs, batch_size=batch_size, loss=loss, optimizer=optimizer,
                        seed=seed, progress=False)
        final = float("nan") if history.diverged_at is not None else float(evaluate(model, X, y, loss=loss)[0])
    return ClipRun(history, np.array(optimizer.norms), clip_norm, seed, final, model)


# -- Data ----------------------------------------------------------------------------

def ring_regression(n: int = 512, *, seed: int = 0, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """A smooth 2-D regression task: ``y = tanh(‖x‖² − 2)`` for ``x`` uniform in ``[−2, 2]²``.

    Returns ``(X, y)`` with ``X`` of shape ``(n, 2)`` and ``y`` of shape ``(n, 1)``.
    The target is low on a disc of radius √2 and rises to 1 away from it: easy for a
    small network, so a run that fails on it fails because of its optimisation.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(int(n), 2))
    y = np.tanh(np.sum(X * X, axis=1) - 2.0)[:, None]
    return X.astype(dtype), y.astype(dtype)

