"""The Activation layer: every activation of actlab.activations, checked against finite differences."""

import numpy as np
import pytest

from actlab import activations
from actlab.nn import Activation, Dense, Sequential, gradcheck, train

F64 = np.float64


def inputs(shape=(4, 6), seed=0):
    # Scaled so that no entry sits within 10⁻⁶ of a kink (0, ±1, ±3, 6) for this seed.
    return 2.5 * np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("name", activations.names())
@pytest.mark.parametrize("training", [True, False])
def test_every_activation_backward_matches_finite_differences(name, training):
    layer = Activation(name).build(0, F64)
    layer.training = training
    errors = gradcheck(layer, inputs())
    assert errors["input"] <= 1e-6


def test_the_registry_is_what_the_layer_covers():
    assert len(activations.names()) == 26
    assert Activation("ReLU").name == "relu"  # the registry's spelling rules


def test_prelu_slope_is_a_parameter_with_a_correct_gradient():
    layer = Activation("prelu", channels=6).build(0, F64)
    (slope,) = layer.parameters()
    assert slope.name == "slope" and slope.shape == (6,) and not slope.decay
    np.testing.assert_array_equal(slope.value, 0.25)
    errors = gradcheck(layer, inputs())
    assert errors["slope"] <= 1e-6
    scalar = Activation("prelu").build(0, F64)
    assert gradcheck(scalar, inputs())["slope"] <= 1e-6


def test_prelu_slope_learns_and_stays_float32():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 3)).astype(np.float32)
    y = (np.abs(X[:, 0]) > 0.7).astype(int)  # needs the negative side
    model = Sequential([Dense(3, 8), "prelu", Dense(8, 2)], seed=0)
    train(model, X, y, epochs=5, lr=0.05)
    slope = model[1].parameters()[0]
    assert slope.value.dtype == np.float32 and slope.value != np.float32(0.25)
    assert model[1].fn.params["slope"] is slope.value  # the activation sees the trained value
    rebuilt = Sequential([Dense(3, 8), "prelu", Dense(8, 2)], seed=0)
    assert rebuilt[1].parameters()[0].value == np.float32(0.25)


def test_rrelu_is_random_in_training_and_its_mean_slope_in_evaluation():
    x = -np.ones((3, 1000), np.float32)
    model = Sequential([Activation("rrelu")], seed=0)
    slopes = -model.forward(x)
    assert 1 / 8 <= slopes.min() and slopes.max() <= 1 / 3 and slopes.std() > 0.05
    np.testing.assert_array_equal(slopes, -Sequential([Activation("rrelu")], seed=0).forward(x))
    assert not np.array_equal(slopes, -Sequential([Activation("rrelu")], seed=1).forward(x))
    model.training = False
    np.testing.assert_allclose(model.forward(x), -11 / 48, rtol=1e-6)


def test_maxout_takes_units_times_k_inputs():
    model = Sequential([Dense(4, 6), Activation("maxout", k=3), Dense(2, 1)], seed=0, dtype=F64)
    assert model.forward(inputs((5, 4))).shape == (5, 1)
    gradcheck(model, inputs((5, 4)))


def test_mistakes_are_reported_where_they_are_made():
    with pytest.raises(ValueError, match="unknown activation 'rectifier'"):
        Activation("rectifier")
    with pytest.raises(TypeError, match="unknown parameter"):
        Activation("relu", alpha=0.1)
    with pytest.raises(ValueError, match="multiple of k"):
        Sequential([Dense(3, 5), Activation("maxout", k=2)], seed=0).forward(np.ones((2, 3)))


def test_relu_layer_gives_what_the_activation_object_gives():
    # The layer keeps ReLU's derivative as a boolean mask (a fast path): same values, same gradients.
    x = inputs((5, 7), seed=3)
    x[0, :3] = 0.0  # the kink: the derivative there is 0 by convention
    g = np.random.default_rng(4).standard_normal(x.shape)
    layer, fn = Activation("relu").build(0, F64), activations.get("relu")
    y, cache = fn.forward(x)
    np.testing.assert_array_equal(layer.forward(x), y)
    np.testing.assert_array_equal(layer.backward(g), fn.backward(cache, g))
    with pytest.raises(ValueError, match="shape"):
        layer.backward(g[:, :3])
