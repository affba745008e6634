"""The registry, the activation objects' contract with the engine, metadata and errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import actlab.activations as A

ALL = A.names()
ELEMENTWISE = [n for n in ALL if A.get(n).elementwise]
BIB = (Path(__file__).resolve().parents[1] / "references.bib").read_text(encoding="utf-8")


def test_names_in_book_order_and_complete():
    expected = {
        "step", "identity", "sigmoid", "hard_sigmoid", "tanh", "hard_tanh", "softsign", "relu", "relu6",
        "softplus", "noisy_relu", "leaky_relu", "prelu", "rrelu", "elu", "celu", "selu", "gelu",
        "gelu_tanh", "silu", "swish", "hard_swish", "mish", "softmax", "log_softmax", "maxout",
    }  # fmt: skip
    assert set(ALL) == expected and len(ALL) == len(expected)
    assert ALL[0] == "step" and ALL[-1] == "mish"


@pytest.mark.parametrize("name", ALL)
def test_every_activation_honours_the_object_contract(name):
    act = A.get(name)
    assert act.name == name and isinstance(act.params, dict) and act.training is False
    x = np.linspace(-3, 3, 24).reshape(2, 12)
    y, cache = act.forward(x)
    assert isinstance(y, np.ndarray) and y.dtype == np.float64
    g = np.ones_like(y)
    grad = act.backward(cache, g)
    assert grad.shape == x.shape and grad.dtype == np.float64
    np.testing.assert_array_equal(act(x), y)
    if act.elementwise:
        np.testing.assert_array_equal(grad, act.derivative(x))
    # Metadata
    info = act.info
    assert isinstance(info, A.Properties)
    assert act.formula == info.formula and act.derivative_formula == info.derivative
    assert act.smoothness in ("discontinuous", "C0", "C1", "Cinf")
    assert act.saturates in ("none", "left", "right", "both")
    assert act.cost in ("low", "medium", "high")
    lo, hi = act.output_range
    assert lo <= hi
    assert act.cite_key is None or f"{{{act.cite_key}," in BIB
    assert "|" not in info.formula + info.derivative + info.range_latex
    assert repr(act).startswith(f"<activation {name}(")


def test_aliases_case_and_dashes():
    assert A.get("Logistic").name == "sigmoid"
    assert A.get("heaviside").name == "step"
    assert A.get("leaky-relu").name == "leaky_relu"
    assert A.get(" GELU ").name == "gelu"


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'swishy'") as exc:
        A.get("swishy")
    for name in ALL:
        assert name in str(exc.value)
    with pytest.raises(TypeError, match="must be a string"):
        A.get(3)


def test_unknown_parameter_names_the_parameters():
    with pytest.raises(TypeError, match=r"elu: unknown parameter\(s\) slope; its parameters: alpha"):
        A.get("elu", slope=0.1)
    with pytest.raises(TypeError, match="its parameters: none"):
        A.get("relu", alpha=1.0)


@pytest.mark.parametrize(
    "name, params, pattern",
    [
        ("rrelu", {"lower": 0.5, "upper": 0.2}, "'lower' .* must not exceed 'upper'"),
        ("rrelu", {"lower": -0.1}, "'lower' must be ≥ 0"),
        ("softplus", {"beta": 0.0}, "'beta' must be positive"),
        ("softplus", {"beta": -2}, "'beta' must be positive"),
        ("swish", {"beta": float("nan")}, "'beta' must be finite"),
        ("elu", {"alpha": 0}, "'alpha' must be positive"),
        ("celu", {"alpha": float("inf")}, "'alpha' must be finite"),
        ("leaky_relu", {"slope": float("nan")}, "'slope' must be finite"),
        ("noisy_relu", {"std": -1.0}, "'std' must be positive"),
        ("maxout", {"k": 0}, "'k' must be a positive integer"),
        ("prelu", {"slope": [[0.1]]}, "'slope' must be a number or a 1-D array"),
        ("prelu", {"slope": float("inf")}, "'slope' must be finite"),
        ("prelu", {"slope": [0.1, 0.2], "channels": 3}, "2 slopes given for 3 channels"),
        ("step", {"at_zero": float("nan")}, "'at_zero' must be finite"),
    ],
)
def test_invalid_parameters_say_which_and_why(name, params, pattern):
    with pytest.raises(ValueError, match=pattern):
        A.get(name, **params)


@pytest.mark.parametrize("name, params", [("elu", {"alpha": "1"}), ("maxout", {"k": 2.0}), ("softplus", {"beta": True}),
                                          ("softmax", {"axis": 1.0}), ("rrelu", {"seed": "x"})])  # fmt: skip
def test_parameters_of_the_wrong_type(name, params):
    with pytest.raises(TypeError, match=name):
        A.get(name, **params)


def test_plain_functions_validate_their_parameters_too():
    with pytest.raises(ValueError, match="softplus: parameter 'beta' must be positive"):
        A.softplus([1.0], beta=0)
    with pytest.raises(ValueError, match="rrelu: parameter 'lower'"):
        A.rrelu([1.0], lower=0.5, upper=0.1)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(
    "bad, what",
    [("1.0", "str"), (b"1", "bytes"), (object(), "object"), (1 + 2j, "complex"), (np.array([1j]), "complex"),
     (["a", "b"], "<U1"), ([[1.0], [1.0, 2.0]], "list"), (None, "NoneType")],
)  # fmt: skip
def test_bad_input_is_a_type_error_naming_the_activation(name, bad, what):
    act = A.get(name)
    with pytest.raises(TypeError, match=rf"^{name}.*{re.escape(what)}"):
        act(bad)
    with pytest.raises(TypeError, match=rf"^{name}"):
        act.forward(bad)
    if act.elementwise:
        with pytest.raises(TypeError, match=rf"^{name}"):
            act.derivative(bad)


def test_non_elementwise_have_no_elementwise_derivative():
    for name in ("softmax", "log_softmax", "maxout"):
        with pytest.raises(TypeError, match="not elementwise"):
            A.get(name).derivative(np.ones(4))


@pytest.mark.parametrize("name", ALL)
def test_dtypes_float32_stays_float32_and_the_rest_becomes_float(name):
    act = A.get(name)
    x32 = np.linspace(-4, 4, 12, dtype=np.float32)
    y, cache = act.forward(x32)
    assert y.dtype == np.float32 and act(x32).dtype == np.float32
    assert act.backward(cache, np.ones_like(y)).dtype == np.float32
    if act.elementwise:
        assert act.derivative(x32).dtype == np.float32
    ints = list(range(-6, 6))
    for x in (ints, np.array(ints), np.array(ints, dtype=np.int8), np.array([True, False] * 6)):
        out = act(x)
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out, act(np.asarray(x, dtype=np.float64)))
    assert act(np.ones(12, np.float16)).dtype == np.float32


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_scalars_in_scalars_out(name):
    act = A.get(name)
    for v in (2, 2.0, np.float64(2.0)):
        assert np.ndim(act(v)) == 0 and isinstance(act(v), np.float64)
        assert np.ndim(act.derivative(v)) == 0
    assert isinstance(act(np.float32(2.0)), np.float32)
    assert act(np.ones((0, 3))).shape == (0, 3)


def test_plain_functions_match_the_objects():
    x = np.linspace(-5, 5, 101)
    for name in ELEMENTWISE:
        if name in ("noisy_relu", "rrelu", "prelu"):
            continue
        f = getattr(A, name)
        np.testing.assert_array_equal(f(x), A.get(name)(x))
        np.testing.assert_array_equal(getattr(A, f"{name}_derivative")(x), A.get(name).derivative(x))
    np.testing.assert_array_equal(A.prelu(x), A.get("prelu")(x))
    np.testing.assert_array_equal(A.rrelu(x), A.get("rrelu")(x))
    np.testing.assert_array_equal(A.elu(x, alpha=0.5), A.get("elu", alpha=0.5)(x))


def test_defaults_are_the_papers():
    assert A.get("elu").params == {"alpha": 1.0}
    assert A.get("celu").params == {"alpha": 1.0}
    assert A.get("leaky_relu").params == {"slope": 0.01}
    assert A.get("prelu").params == {"slope": 0.25}
    assert A.get("rrelu").params == {"lower": 1 / 8, "upper": 1 / 3}
    assert A.get("rrelu").eval_slope == pytest.approx(11 / 48, rel=1e-15)
    assert A.get("softplus").params == {"beta": 1.0} and A.get("swish").params == {"beta": 1.0}
    assert A.get("step").params == {"at_zero": 1.0}
    assert A.SELU_ALPHA == 1.6732632423543772 and A.SELU_LAMBDA == 1.0507009873554805
    lambda_alpha = 1.7580993408473768  # λα rounded once, not the product of the rounded λ and α
    assert A.selu(-np.inf) == -lambda_alpha == pytest.approx(-1.7581, abs=5e-5)
    assert A.selu(0.0) == 0.0
    assert A.defaults("rrelu") == {"lower": 1 / 8, "upper": 1 / 3, "seed": None, "rng": None}


def test_conventions_at_kinks():
    assert A.relu_derivative(0.0) == 0.0
    assert A.leaky_relu_derivative(0.0) == 0.01
    assert A.step(0.0) == 1.0 and A.step(0.0, at_zero=0.5) == 0.5 and A.step(0.0, at_zero=0.0) == 0.0
    assert A.step_derivative(0.0) == 0.0
    assert A.hard_swish_derivative(-3.0) == -0.5 and A.hard_swish_derivative(3.0) == 1.5
    assert A.hard_sigmoid_derivative(3.0) == 0.0 and A.hard_tanh_derivative(1.0) == 0.0
    assert A.relu6_derivative(6.0) == 0.0 and A.relu6_derivative(5e-324) == 1.0
    assert A.elu_derivative(0.0, alpha=0.5) == 0.5
    assert A.selu_derivative(0.0) == 1.7580993408473768


# Stochastic activations ---------------------------------------------------------------
def test_noisy_relu_is_relu_in_evaluation_and_reproducible_in_training():
    x = np.linspace(-3, 3, 1000)
    act = A.get("noisy_relu", seed=5)
    np.testing.assert_array_equal(act(x), A.relu(x))
    act.training = True
    y1 = act(x)
    assert not np.array_equal(y1, A.relu(x)) and (y1 >= 0).all()
    again = A.get("noisy_relu", seed=5)
    again.training = True
    np.testing.assert_array_equal(again(x), y1)
    other = A.get("noisy_relu", seed=6)
    other.training = True
    assert not np.array_equal(other(x), y1)
    shared = np.random.default_rng(5)
    by_rng = A.get("noisy_relu", rng=shared)
    by_rng.training = True
    np.testing.assert_array_equal(by_rng(x), y1)
    with pytest.raises(ValueError, match="either seed or rng"):
        A.NoisyReLU(seed=1, rng=np.random.default_rng(1))


def test_noisy_relu_noise_has_variance_sigmoid_of_x():
    """Nair & Hinton's noise: N(0, σ(x)), a variance, so std √σ(x)."""
    act = A.get("noisy_relu", seed=0)
    act.training = True
    for v in (-2.0, 0.0, 3.0):
        x = np.full(200_000, v)
        _, (_, (n, z)) = act.forward(x)
        assert np.var(z - x) == pytest.approx(A.sigmoid(v), rel=0.02)
    fixed = A.get("noisy_relu", std=0.5)
    fixed.training = True
    _, (x, (n, z)) = fixed.forward(np.zeros(200_000))
    assert np.std(z) == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize("std", [None, 0.3])
def test_noisy_relu_backward_differentiates_the_sample_it_drew(std):
    act = A.get("noisy_relu", std=std, seed=2)
    act.training = True
    x = np.linspace(-2, 2, 41) + 0.013
    y, cache = act.forward(x)
    grad = act.backward(cache, np.ones_like(x))
    n = cache[1][0]
    s = (lambda v: np.sqrt(A.sigmoid(v))) if std is None else (lambda v: std)
    h = 1e-6
    fd = (np.maximum(x + h + s(x + h) * n, 0) - np.maximum(x - h + s(x - h) * n, 0)) / (2 * h)
    far = np.abs(x + s(x) * n) > 1e-3  # away from the kink of the sample
    np.testing.assert_allclose(grad[far], fd[far], rtol=1e-6, atol=1e-8)


def test_rrelu_training_slopes_in_range_and_used_by_backward():
    act = A.get("rrelu", seed=3)
    x = -np.linspace(0.5, 5, 10_000)
    np.testing.assert_allclose(act(x), x * 11 / 48, rtol=1e-15)
    act.training = True
    y, cache = act.forward(x)
    slopes = y / x
    assert slopes.min() >= 1 / 8 and slopes.max() <= 1 / 3
    assert slopes.std() > 0.05  # one slope per element
    np.testing.assert_allclose(act.backward(cache, np.ones_like(x)), slopes, rtol=1e-14)
    pos = np.linspace(0.1, 2, 5)
    np.testing.assert_array_equal(act(pos), pos)
    a2 = A.get("rrelu", seed=3)
    a2.training = True
    np.testing.assert_array_equal(a2(x), y)
    assert a2(np.ones(4, np.float32)).dtype == np.float32


# PReLU --------------------------------------------------------------------------------
def test_prelu_slope_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))
    g = rng.normal(size=(5, 3))
    for slope in (0.25, np.array([0.1, 0.2, 0.3]), np.array([0.4])):
        act = A.get("prelu", slope=slope)
        y, cache = act.forward(x)
        grad = act.param_grads(cache, g)["slope"]
        assert np.shape(grad) == np.shape(slope)
        h = 1e-6
        base = np.atleast_1d(np.asarray(slope, dtype=float))
        fd = []
        for i in range(base.size):
            up, down = base.copy(), base.copy()
            up[i] += h
            down[i] -= h
            up_s = float(up[0]) if np.ndim(slope) == 0 else up
            down_s = float(down[0]) if np.ndim(slope) == 0 else down
            fd.append((np.sum(g * A.prelu(x, up_s)) - np.sum(g * A.prelu(x, down_s))) / (2 * h))
        np.testing.assert_allclose(np.atleast_1d(grad), fd, rtol=1e-6)
        np.testing.assert_allclose(act.backward(cache, g), g * np.where(x > 0, 1, base), rtol=1e-15)


def test_prelu_slope_updates_in_place_or_by_assignment():
    act = A.get("prelu", channels=3)
    np.testing.assert_array_equal(act.params["slope"], [0.25] * 3)
    x = -np.ones((2, 3))
    act.params["slope"] -= np.array([0.05, 0.0, -0.05])  # an optimiser step, in place
    np.testing.assert_allclose(act(x), -np.array([[0.2, 0.25, 0.3]] * 2))
    act.params["slope"] = 0.5  # by assignment
    np.testing.assert_array_equal(act(x), -0.5 * np.ones((2, 3)))
    x32 = -np.ones((2, 3), np.float32)
    act.params["slope"] = np.array([0.1, 0.2, 0.3])
    assert act(x32).dtype == np.float32
    with pytest.raises(ValueError, match="does not broadcast"):
        act(np.ones((2, 4)))


# Maxout, softmax -------------------------------------------------------------------------
def test_maxout_groups_and_routes_gradients():
    act = A.get("maxout", k=3)
    x = np.array([[1.0, 5.0, 2.0, -1.0, -2.0, -1.0]])
    y, cache = act.forward(x)
    np.testing.assert_array_equal(y, [[5.0, -1.0]])
    grad = act.backward(cache, np.array([[10.0, 20.0]]))
    np.testing.assert_array_equal(grad, [[0, 10, 0, 20, 0, 0]])  # ties: the first maximum
    np.testing.assert_array_equal(A.maxout(x, k=3), y)
    with pytest.raises(ValueError, match="not a multiple of k = 4"):
        act2 = A.get("maxout", k=4)
        act2(x)
    with pytest.raises(ValueError, match="scalar"):
        act(3.0)
    assert np.isnan(act(np.array([1.0, np.nan, 0.0]))[0])


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_maxout_routes_like_argmax_with_ties_and_nan(k):
    rng = np.random.default_rng(k)
    x = rng.integers(-2, 3, size=(7, 4 * k)).astype(np.float64)  # many ties
    x[0, 1], x[3, -1], x[5, : 2 * k] = np.nan, np.nan, np.nan
    act = A.get("maxout", k=k)
    y, cache = act.forward(x)
    g = rng.standard_normal(y.shape)
    groups = x.reshape(7, 4, k)
    winner = np.argmax(groups, axis=-1)  # numpy: the first maximum, or the first NaN
    expected = np.zeros_like(groups)
    np.put_along_axis(expected, winner[..., None], g[..., None], axis=-1)
    np.testing.assert_array_equal(act.backward(cache, g), expected.reshape(x.shape))
    np.testing.assert_array_equal(y, np.take_along_axis(groups, winner[..., None], axis=-1)[..., 0])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_backward_is_the_vector_jacobian_product(name):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 5))
    g = rng.normal(size=(3, 5))
    for axis in (-1, 0):
        act = A.get(name, axis=axis)
        y, cache = act.forward(x)
        grad = act.backward(cache, g)
        h = 1e-6
        fd = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[idx] = h
            fd[idx] = (np.sum(g * act(x + e)) - np.sum(g * act(x - e))) / (2 * h)
        np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="out of range"):
        A.get(name, axis=2)(x)
    with pytest.raises(ValueError, match="upstream gradient has shape"):
        act.backward(cache, g[:, :2])


# Reference table --------------------------------------------------------------------------
def test_reference_table_rows_follow_the_metadata():
    rows = A.reference_table()
    assert [r["name"] for r in rows] == ALL
    for row in rows:
        act = A.get(row["name"])
        assert row["formula"] == act.formula and row["cost"] == act.cost
        assert row["cite_key"] == act.cite_key
    by_name = {r["name"]: r for r in rows}
    assert by_name["elu"]["defaults"] == {"alpha": 1.0}
    assert by_name["selu"]["self_normalizing"] and sum(r["self_normalizing"] for r in rows) == 1


def test_reference_table_markdown():
    md = A.reference_table_markdown()
    lines = md.strip().splitlines()
    assert len(lines) == 2 + len(ALL)
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines)
    n_cols = lines[0].count(" | ") + 1
    for line in lines:
        assert len(re.split(r"(?<!\\)\|", line)) - 2 == n_cols
    assert "{cite}`klambauer2017self`" in md and "alpha = 1.0" in md and "lower = 1/8" in md
    plain = A.reference_table_markdown(["name", "range", "cite_key"], cite="plain")
    assert plain.splitlines()[0] == "| Activation | Range | Paper |" and "{cite}" not in plain
    with pytest.raises(ValueError, match="unknown column"):
        A.reference_table_markdown(["nope"])


@pytest.mark.parametrize("size", [0, 1, 1000, (1 << 16) + 3])
@pytest.mark.parametrize("bounds", [(0.0, np.inf), (-np.inf, 0.0), (-3.0, 3.0), (-np.inf, np.inf)])
def test_clamp_is_np_clip_on_blocks_and_whole_arrays(size, bounds):
    from actlab.activations import _kernels as K

    for dtype in (np.float32, np.float64):
        x = np.random.default_rng(size).normal(scale=5.0, size=size).astype(dtype)
        x[::7] = np.nan
        expected = np.clip(x, *bounds)
        np.testing.assert_array_equal(K.clamp(x, *bounds), expected)
        out = np.empty_like(x)
        assert K.clamp(x, *bounds, out=out) is out
        np.testing.assert_array_equal(out, expected)
        assert K.clamp(x, *bounds).dtype == dtype
