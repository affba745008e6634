"""Layer statistics: exactly what their names say, on networks where the answer is known."""

import numpy as np
import pytest

from actlab.nn import STATISTICS, Dense, Probes, Sequential, layer_statistics, train


def relu_net(seed=0):
    return Sequential([Dense(4, 6), "relu", Dense(6, 3)], seed=seed, dtype=np.float64)


def test_activity_statistics_of_a_rectifier_layer():
    model = relu_net()
    X = np.random.default_rng(0).standard_normal((50, 4))
    model[0].b.value[:2] = -100.0  # units 0 and 1 can never fire on this data
    stats = layer_statistics(model, X)
    h = np.maximum(X @ model[0].W.value + model[0].b.value, 0)
    assert stats["mean"][1] == pytest.approx(h.mean())
    assert stats["var"][1] == pytest.approx(h.var())
    assert stats["sparsity"][1] == pytest.approx((h == 0).mean())
    assert stats["dead"][1] == pytest.approx((h == 0).all(axis=0).mean()) and stats["dead"][1] >= 2 / 6
    assert stats["dead"][0] == 0 and stats["sparsity"][0] == 0  # pre-activations are never exactly 0
    assert np.isnan(stats["grad_norm"]).all()  # no targets, no gradients


def test_gradient_norms_match_a_manual_backward_pass():
    model = relu_net()
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    stats = layer_statistics(model, X, y)
    from actlab.nn import softmax_cross_entropy

    _, g = softmax_cross_entropy(model.forward(X), y)
    assert stats["grad_norm"][2] == pytest.approx(np.linalg.norm(g))
    g = model[2].backward(g)
    expected = np.sqrt((model[2].W.grad**2).sum() + (model[2].b.grad**2).sum())
    assert stats["param_grad_norm"][2] == pytest.approx(expected)
    assert stats["grad_norm"][1] == pytest.approx(np.linalg.norm(g))
    assert np.isnan(stats["param_grad_norm"][1])  # ReLU has no parameters


def test_statistics_leave_the_model_as_it_was():
    model = Sequential([Dense(4, 6), "relu", Dense(6, 3)], seed=0)
    grads = [p.grad for p in model.parameters()]
    layer_statistics(model, np.ones((5, 4)), np.zeros(5, int))
    assert all(p.grad is g for p, g in zip(model.parameters(), grads))
    assert model.training


def test_probes_each_epoch_by_default():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 4)), rng.integers(0, 3, 64)
    probes = Probes(X, y)
    train(relu_net(), X, y, epochs=3, batch_size=32, probes=probes)
    assert probes.epochs == [0.0, 1.0, 2.0, 3.0] and probes.steps == [0, 2, 4, 6]
    assert len(probes.layer_names) == 3 and "relu" in probes.layer_names[1]
    for name in STATISTICS:
        assert probes.table(name).shape == (4, 3)
    with pytest.raises(ValueError, match="unknown statistic"):
        probes.table("sparse")
    with pytest.raises(ValueError, match="every"):
        Probes(X, every=0)
