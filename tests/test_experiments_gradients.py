"""Chapter 3's experiments: initializers, deep networks, gradient profiles, clipping runs."""

import numpy as np
import pytest

from actlab.experiments import gradients as gx
from actlab.nn import BatchNorm, Dense, global_norm, layer_statistics
from actlab.nn.activation import Activation
from actlab.nn.losses import softmax_cross_entropy


def batch(n=64, features=8, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)), rng.integers(0, classes, n)


# -- initializers ---------------------------------------------------------------------

@pytest.mark.parametrize("gain", [0.5, 1.0, 3.0])
def test_scaled_normal_has_variance_gain_squared_over_fan_in(gain):
    w = gx.scaled_normal(gain)((400, 300), np.random.default_rng(0), np.float64)
    assert w.shape == (400, 300) and w.dtype == np.float64
    assert w.var() == pytest.approx(gain**2 / 400, rel=0.02)
    assert abs(w.mean()) < 0.01 * gain


def test_scaled_normal_keeps_float32_and_rejects_bad_gains():
    assert gx.scaled_normal(1.0)((4, 3), np.random.default_rng(0), np.float32).dtype == np.float32
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            gx.scaled_normal(bad)


def test_standard_uniform_is_the_heuristic_of_glorot_and_bengio():
    n_in = 250
    w = gx.standard_uniform((n_in, 200), np.random.default_rng(1), np.float64)
    assert np.abs(w).max() <= 1 / np.sqrt(n_in)
    assert w.var() == pytest.approx(1 / (3 * n_in), rel=0.02)


# -- networks -------------------------------------------------------------------------

@pytest.mark.parametrize("batchnorm, block", [
    (None, [Dense, Activation]),
    ("before", [Dense, BatchNorm, Activation]),
    ("after", [Dense, Activation, BatchNorm]),
])
def test_deep_mlp_builds_the_requested_blocks(batchnorm, block):
    model = gx.deep_mlp(8, 3, depth=4, width=16, activation="tanh", batchnorm=batchnorm, seed=0)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == block * 4 + [Dense]
    assert model.layers[0].n_in == 8 and model.layers[-1].n_out == 3
    dense, acts = gx.hidden_layers(model)
    assert len(dense) == len(acts) == 4
    assert all(isinstance(model.layers[i], Dense) for i in dense)
    assert all(model.layers[i].name == "tanh" for i in acts)


def test_deep_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError):
        gx.deep_mlp(8, 3, depth=0, width=4)
    with pytest.raises(ValueError):
        gx.deep_mlp(8, 3, depth=2, width=4, batchnorm="between")


def test_deep_mlp_uses_the_initializers_and_the_seed():
    a = gx.deep_mlp(8, 3, depth=3, width=16, init=gx.scaled_normal(2.0), output_init="zeros", seed=5)
    b = gx.deep_mlp(8, 3, depth=3, width=16, init=gx.scaled_normal(2.0), output_init="zeros", seed=5)
    assert all(np.array_equal(p.value, q.value) for p, q in zip(a.parameters(), b.parameters()))
    assert not a.layers[-1].W.value.any()
    assert a.layers[2].W.value.std() == pytest.approx(2.0 / 4.0, rel=0.2)


# -- measuring ------------------------------------------------------------------------

def reference_deltas(model, X, y):
    """‖∂L/∂z_l‖ for every hidden Dense layer, by a plain numpy forward and backward pass."""
    dense, acts = gx.hidden_layers(model)
    Ws = [model.layers[i].W.value for i in dense] + [model.layers[-1].W.value]
    bs = [model.layers[i].b.value for i in dense] + [model.layers[-1].b.value]
    h, zs = X, []
    for W, b in zip(Ws[:-1], bs[:-1]):
        z = h @ W + b
        zs.append(z)
        h = 1 / (1 + np.exp(-z))
    _, g = softmax_cross_entropy(h @ Ws[-1] + bs[-1], y)
    norms = []
    for layer in reversed(range(len(zs))):
        g = g @ Ws[layer + 1].T
        s = 1 / (1 + np.exp(-zs[layer]))
        g = g * s * (1 - s)
        norms.append(np.linalg.norm(g))
    return np.array(norms[::-1])


def test_gradient_profile_matches_a_plain_numpy_backward_pass():
    X, y = batch()
    model = gx.deep_mlp(8, 4, depth=6, width=12, activation="sigmoid", seed=3, dtype=np.float64)
    profile = gx.gradient_profile(model, X, y)
    np.testing.assert_allclose(profile.delta_norm, reference_deltas(model, X, y), rtol=1e-10)
    assert profile.depth == 6
    assert profile.ratio == pytest.approx(profile.delta_norm[0] / profile.delta_norm[-1])


def test_gradient_profile_agrees_with_the_engines_probes_without_batchnorm():
    X, y = batch(seed=1)
    model = gx.deep_mlp(8, 4, depth=5, width=10, activation="tanh", seed=0, dtype=np.float64)
    profile = gx.gradient_profile(model, X, y)
    stats = layer_statistics(model, X, y)
    dense, acts = gx.hidden_layers(model)
    np.testing.assert_allclose(profile.delta_norm, stats["grad_norm"][dense], rtol=1e-12)
    np.testing.assert_allclose(profile.preact_var, stats["var"][dense], rtol=1e-12)
    np.testing.assert_allclose(profile.activation_var, stats["var"][acts], rtol=1e-12)


def test_gradient_profile_reports_weight_gradients_and_slopes():
    X, y = batch(seed=2)
    model = gx.deep_mlp(8, 4, depth=3, width=10, activation="tanh", init=gx.scaled_normal(6.0), seed=0,
                        dtype=np.float64)
    profile = gx.gradient_profile(model, X, y)
    # ∂L/∂W_l = h_{l−1}ᵀ δ_l, recomputed from a forward pass of the same model
    h = X
    outputs = []
    for layer in model.layers:
        h = layer.forward(h)
        outputs.append(h)
    model.backward(softmax_cross_entropy(h, y)[1])
    dense, acts = gx.hidden_layers(model)
    np.testing.assert_allclose(profile.weight_grad_norm, [np.linalg.norm(model.layers[i].W.grad) for i in dense],
                               rtol=1e-12)
    slopes = [1 - np.tanh(outputs[i - 1]) ** 2 for i in acts]
    np.testing.assert_allclose(profile.mean_slope, [s.mean() for s in slopes], rtol=1e-10)
    np.testing.assert_allclose(profile.mean_sq_slope, [(s * s).mean() for s in slopes], rtol=1e-10)
    np.testing.assert_allclose(profile.saturated, [(s < 0.01).mean() for s in slopes])
    assert profile.saturated.mean() > 0.3  # a large scale saturates tanh


def test_gradient_profile_leaves_the_model_as_it_was():
    X, y = batch(seed=4)
    model = gx.deep_mlp(8, 4, depth=3, width=10, activation="sigmoid", batchnorm="before", seed=0)
    model.training = False
    grads = [p.grad.copy() for p in model.parameters()]
    norms = [layer for layer in model.layers if isinstance(layer, BatchNorm)]
    running = [(n.running_mean.copy(), n.running_var.copy()) for n in norms]
    gx.gradient_profile(model, X, y)
    assert model.training is False
    assert all(np.array_equal(g, p.grad) for g, p in zip(grads, model.parameters()))
    for n, (mean, var) in zip(norms, running):
        assert np.array_equal(n.running_mean, mean) and np.array_equal(n.running_var, var)


def test_batchnorm_is_measured_with_batch_statistics():
    # In evaluation mode a fresh BatchNorm is the identity; in training mode it standardizes.
    X, y = batch(seed=5)
    model = gx.deep_mlp(8, 4, depth=2, width=10, activation="sigmoid", batchnorm="before",
                        init=gx.scaled_normal(5.0), seed=0, dtype=np.float64)
    trained = gx.gradient_profile(model, X, y)
    evaluated = gx.gradient_profile(model, X, y, training=False)
    # the sigmoid's input has variance 1 after normalization, far less than without it
    assert trained.mean_slope.min() > evaluated.mean_slope.max()


def test_the_mean_field_estimate_predicts_the_measured_ratio():
    X, _ = batch(n=256, features=64, seed=6)
    y = np.random.default_rng(7).integers(0, 10, 256)
    for activation in ("sigmoid", "tanh"):
        model = gx.deep_mlp(64, 10, depth=12, width=128, activation=activation, init=gx.scaled_normal(1.0),
                            seed=0, dtype=np.float64)
        profile = gx.gradient_profile(model, X, y)
        predicted = np.sqrt(np.prod(profile.mean_sq_slope[:-1]))
        assert profile.ratio == pytest.approx(predicted, rel=0.5)


def test_scale_sweep_vanishes_for_small_scales_and_explodes_for_large_ones():
    X, y = batch(n=32, features=8, seed=8)
    ratios = gx.scale_sweep(X, y, activation="tanh", scales=[0.5, 1.0, 4.0], depth=10, width=16, seeds=(0, 1))
    assert ratios.shape == (2, 3)
    assert (ratios[:, 0] < 1e-2).all() and (ratios[:, 2] > 10).all()
    assert (np.diff(np.log(ratios), axis=1) > 0).all()


def test_weight_snapshot_and_relative_change():
    model = gx.deep_mlp(8, 4, depth=3, width=10, seed=0)
    snapshot = gx.weight_snapshot(model)
    assert len(snapshot) == 3
    np.testing.assert_array_equal(gx.relative_change(model, snapshot), np.zeros(3))
    model.layers[2].W.value *= 1.5
    np.testing.assert_allclose(gx.relative_change(model, snapshot), [0.0, 0.5, 0.0], rtol=1e-6)
    with pytest.raises(ValueError):
        gx.relative_change(model, snapshot[:2])


# -- clipping ----------------------------------------------------------------------------

def test_norm_recorder_records_the_norm_before_clipping():
    model = gx.deep_mlp(3, 2, depth=1, width=4, seed=0, dtype=np.float64)
    params = model.parameters()
    for p in params:
        p.grad = np.full_like(p.value, 2.0)
    before = [p.value.copy() for p in params]
    expected = global_norm([p.grad for p in params])
    opt = gx.NormRecorder(params, lr=0.1, momentum=0.0, clip_norm=1.0)
    opt.step()
    assert opt.norms == [pytest.approx(expected)]
    step = global_norm([b - p.value for b, p in zip(before, params)])
    assert step == pytest.approx(0.1 * 1.0)  # the step was clipped to lr · clip_norm


def make_net(scale):
    return lambda seed: gx.deep_mlp(2, 1, depth=10, width=32, activation="tanh", init=gx.scaled_normal(scale),
                                    seed=seed)


def test_clipping_rescues_a_run_that_diverges_without_it():
    X, y = gx.ring_regression(512, seed=0)
    wild = gx.clipping_run(make_net(2.5), X, y, clip_norm=None, lr=0.1, epochs=10, seed=0)
    assert wild.diverged and wild.history.diverged_at is not None
    assert np.isnan(wild.final_loss)
    assert len(wild.grad_norms) == wild.history.diverged_at
    tame = gx.clipping_run(make_net(2.5), X, y, clip_norm=1.0, lr=0.1, epochs=10, seed=0)
    assert not tame.diverged
    assert tame.final_loss < y.var()
    assert len(tame.grad_norms) == 10 * 8  # 512 points in batches of 64


def test_ring_regression():
    X, y = gx.ring_regression(100, seed=3)
    assert X.shape == (100, 2) and y.shape == (100, 1) and X.dtype == y.dtype == np.float32
    assert np.abs(X).max() <= 2 and np.abs(y).max() < 1
    np.testing.assert_allclose(y[:, 0], np.tanh((X.astype(np.float64) ** 2).sum(axis=1) - 2), rtol=1e-5, atol=1e-6)
    X2, y2 = gx.ring_regression(100, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    with pytest.raises(ValueError):
        gx.ring_regression(0)
