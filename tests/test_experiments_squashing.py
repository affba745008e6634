"""Chapter 2's experiments: hidden units a·f(b·x) − c, the zig-zag problem, naive formulas,
the softmax scored with binary cross-entropy, and the small facts the chapter computes."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mpmath as mp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from actlab import activations  # noqa: E402
from actlab.experiments import squashing as sq  # noqa: E402
from actlab.nn import gradcheck, gradcheck_loss, softmax_cross_entropy  # noqa: E402


# -- Hidden units --------------------------------------------------------------------------

@pytest.mark.parametrize("label", list(sq.HIDDEN_UNITS))
def test_every_hidden_unit_passes_a_gradient_check(label):
    layer = sq.hidden_unit(label)
    x = np.random.default_rng(0).standard_normal((4, 5)) * 2
    gradcheck(layer, x)


def test_hidden_units_are_the_functions_their_labels_name():
    x = np.linspace(-4, 4, 81)
    sigma = activations.sigmoid(x)
    expected = {
        "σ(x)": sigma,
        "σ(x) − ½": sigma - 0.5,
        "2σ(x)": 2 * sigma,
        "2σ(x) − 1 = tanh(x/2)": np.tanh(x / 2),
        "tanh(x)": np.tanh(x),
    }
    for label, values in expected.items():
        np.testing.assert_allclose(sq.hidden_unit(label).forward(x), values, atol=1e-15)


def test_affine_squash_keeps_float32_and_rejects_bad_scales():
    layer = sq.AffineSquash("tanh", out_scale=sq.LECUN_AMPLITUDE, in_scale=sq.LECUN_SLOPE, shift=0.0)
    x = np.ones((2, 3), dtype=np.float32)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones_like(x)).dtype == np.float32
    with pytest.raises(ValueError, match="in_scale"):
        sq.AffineSquash("sigmoid", in_scale=float("nan"))
    with pytest.raises(ValueError, match="unknown hidden unit"):
        sq.hidden_unit("relu")


def test_make_mlp_gives_every_unit_the_same_weights():
    a = sq.make_mlp("σ(x)", 8, 3, width=6, depth=2, seed=4)
    b = sq.make_mlp("tanh(x)", 8, 3, width=6, depth=2, seed=4)
    for (name_a, p), (name_b, q) in zip(a.named_parameters(), b.named_parameters()):
        assert name_a == name_b
        np.testing.assert_array_equal(p.value, q.value)
    with pytest.raises(ValueError, match="depth"):
        sq.make_mlp("σ(x)", 8, 3, depth=0)


def test_compare_hidden_units_is_deterministic_and_tanh_beats_sigmoid():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    kwargs = dict(seeds=(0, 1), width=8, depth=2, epochs=3, lr=0.2, batch_size=16)
    first = sq.compare_hidden_units(X, y, ["σ(x)", "tanh(x)"], **kwargs)
    again = sq.compare_hidden_units(X, y, ["σ(x)", "tanh(x)"], **kwargs)
    assert set(first) == {"σ(x)", "tanh(x)"}
    for unit in first:
        assert first[unit].stack("loss").shape == (2, 3)
        np.testing.assert_array_equal(first[unit].stack("loss"), again[unit].stack("loss"))
    assert first["tanh(x)"].stack("loss")[:, -1].mean() < first["σ(x)"].stack("loss")[:, -1].mean()


def test_plot_seed_bands_draws_one_mean_line_per_entry():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((60, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    runs = sq.compare_hidden_units(X, y, ["σ(x)", "tanh(x)"], seeds=(0, 1), width=4, depth=1, epochs=2)
    ax = sq.plot_seed_bands(runs, "loss", logy=True)
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2
    plt.close("all")


# -- The zig-zag problem --------------------------------------------------------------------

def test_sigmoid_inputs_give_same_sign_gradients_and_centred_ones_do_not():
    X, y, w_star = sq.zigzag_problem(200, seed=0)
    Xc, yc, _ = sq.zigzag_problem(200, seed=0, centred=True)
    assert (X > 0).all()
    np.testing.assert_allclose(Xc, X - 0.5)
    np.testing.assert_allclose(X @ w_star, y)
    assert sq.same_sign_fraction(X, y, np.zeros(2)) == 1.0
    assert sq.same_sign_fraction(X, y, np.array([5.0, -7.0])) == 1.0  # whatever the weights
    assert 0.3 < sq.same_sign_fraction(Xc, yc, np.zeros(2)) < 0.7
    assert math.isnan(sq.same_sign_fraction(X, y, w_star))  # no error, no gradient


def test_sgd_path_converges_and_steps_to_reach_reads_it():
    X, y, w_star = sq.zigzag_problem(100, seed=1, centred=True)
    path = sq.sgd_path(X, y, lr=4.0, steps=300, seed=0)
    assert path.shape == (301, 2) and np.array_equal(path[0], [0.0, 0.0])
    reached = sq.steps_to_reach(path, w_star, 0.1)
    assert reached is not None and 0 < reached < 300
    assert np.linalg.norm(path[reached:] - w_star, axis=1).max() < 0.1
    assert np.linalg.norm(path[reached - 1] - w_star) >= 0.1


def test_divergence_is_reported_as_none_without_warnings():
    X, y, w_star = sq.zigzag_problem(100, seed=0)
    path = sq.sgd_path(X, y, lr=50.0, steps=400)  # pytest turns any warning into an error
    assert sq.steps_to_reach(path, w_star, 0.1) is None
    sweep = sq.learning_rate_sweep(X, y, w_star, [1.0, 50.0], steps=400, seeds=(0, 1))
    assert sweep[50.0] is None and isinstance(sweep[1.0], int)


def test_centring_allows_a_larger_learning_rate():
    X, y, w_star = sq.zigzag_problem(200, seed=0)
    Xc, yc, _ = sq.zigzag_problem(200, seed=0, centred=True)
    rates = [1.0, 2.0, 4.0, 8.0]
    positive = sq.learning_rate_sweep(X, y, w_star, rates, seeds=(0, 1, 2))
    centred = sq.learning_rate_sweep(Xc, yc, w_star, rates, seeds=(0, 1, 2))
    assert positive[8.0] is None and centred[8.0] is not None
    assert min(v for v in centred.values() if v) < min(v for v in positive.values() if v)


def test_plot_zigzag_draws_path_start_and_minimum():
    X, y, w_star = sq.zigzag_problem(50, seed=0)
    ax = sq.plot_zigzag(X, y, w_star, sq.sgd_path(X, y, lr=1.0, steps=10), title="t")
    assert len(ax.get_lines()) == 3 and ax.get_title() == "t"
    plt.close("all")


# -- Naive formulas -------------------------------------------------------------------------

def test_with_warnings_records_instead_of_printing():
    value, messages = sq.with_warnings(sq.NAIVE["softmax"], np.array([1000.0, 1001.0]))
    assert np.isnan(value).all()
    assert "overflow encountered in exp" in messages
    value, messages = sq.with_warnings(sq.NAIVE["sigmoid"], np.array([0.0, 2.0]))
    assert messages == [] and value[0] == 0.5


@pytest.mark.parametrize("name", list(sq.CAREFUL))
def test_careful_forms_are_accurate_and_silent(name):
    x = np.concatenate([np.linspace(-30, 30, 241), [-800.0, -1e300, 1e-300, 800.0, 1e300]])
    errors, messages = sq.ulp_errors(name, x, "careful")
    assert messages == []
    assert errors.max() <= 4


def test_naive_forms_fail_where_the_chapter_says():
    x = np.array([-800.0, -40.0, -1e-20, 1e-20, 40.0, 800.0])
    sig, sig_msgs = sq.ulp_errors("sigmoid", np.array([-1000.0, -20.0, 0.5, 30.0]), "naive")
    assert sig.max() <= 2 and any("overflow" in m for m in sig_msgs)  # warns, yet right
    for name in ("tanh", "softplus", "log_sigmoid"):
        errors, _ = sq.ulp_errors(name, x, "naive")
        assert errors.max() > 1e3, name
    with pytest.raises(ValueError, match="form"):
        sq.ulp_errors("sigmoid", x, "clever")
    with pytest.raises(ValueError, match="no elementwise reference"):
        sq.ulp_errors("softmax", x)


def test_logsumexp_matches_mpmath_and_handles_extremes():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 7)) * 300
    exact = [float(mp.log(mp.fsum(mp.exp(mp.mpf(v)) for v in row))) for row in z]
    np.testing.assert_allclose(sq.logsumexp(z, axis=1), exact, rtol=1e-15)
    np.testing.assert_allclose(sq.logsumexp(z.T, axis=0), exact, rtol=1e-15)
    assert sq.logsumexp([1000.0, 1000.0]) == pytest.approx(1000 + math.log(2))
    assert sq.logsumexp([-np.inf, -np.inf]) == -np.inf
    assert sq.logsumexp([1.0, np.inf]) == np.inf
    assert np.isnan(sq.logsumexp([1.0, np.nan]))
    assert sq.logsumexp(np.float32([1, 2])).dtype == np.float32
    assert sq.logsumexp([1, 2]) == pytest.approx(math.log(math.e + math.e**2))


# -- The wrong loss for a softmax -------------------------------------------------------------

def test_softmax_binary_cross_entropy_value_and_gradient():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    gradcheck_loss(sq.softmax_binary_cross_entropy, logits, labels)
    p = activations.softmax(logits)
    Y = np.eye(4)[labels]
    expected = -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))
    assert sq.softmax_binary_cross_entropy(logits, labels)[0] == pytest.approx(expected, rel=1e-12)
    # Uniform outputs over 10 classes: the binary cross-entropy of 0.1 against one-hot targets.
    loss, _ = sq.softmax_binary_cross_entropy(np.zeros((3, 10)), [0, 4, 9])
    assert loss == pytest.approx(-0.1 * math.log(0.1) - 0.9 * math.log(0.9))


def test_softmax_binary_cross_entropy_is_finite_for_extreme_logits():
    loss, grad = sq.softmax_binary_cross_entropy(np.array([[1000.0, 0.0], [0.0, -1000.0]]), [1, 1])
    assert math.isfinite(loss) and np.isfinite(grad).all()
    assert sq.softmax_binary_cross_entropy(np.float32([[1, 2, 3]]), [0])[1].dtype == np.float32
    with pytest.raises(ValueError, match="classes"):
        sq.softmax_binary_cross_entropy(np.zeros((2, 1)), [0, 0])


def test_binary_loss_gradient_is_about_k_times_smaller():
    logits = np.random.default_rng(2).standard_normal((64, 10)) * 0.1
    labels = np.arange(64) % 10
    ratio = np.linalg.norm(softmax_cross_entropy(logits, labels)[1]) / np.linalg.norm(
        sq.softmax_binary_cross_entropy(logits, labels)[1])
    assert 8 < ratio < 11


def test_accuracy_both_ways_binary_accuracy_is_inflated():
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((5, 6)) * 3
    y = np.arange(200) % 5
    X = (centres[y] + rng.standard_normal((200, 6))).astype(np.float32)
    scores = sq.accuracy_both_ways(X[:150], y[:150], X[150:], y[150:], epochs=3, width=8, lr=1e-2)
    assert len(scores["categorical"]) == len(scores["binary"]) == 3
    for cat, binary in zip(scores["categorical"], scores["binary"]):
        assert 0.8 - 1e-12 <= binary <= 1.0  # a softmax row scores 0.8, 0.9 or 1 = 1 − 2/K, 1 − 1/K or 1
        assert binary >= cat


# -- Small facts --------------------------------------------------------------------------------

def test_derivative_crossover_solves_tanh_prime_equals_sigma_prime():
    x = sq.derivative_crossover()
    exact = mp.findroot(lambda t: mp.sech(t) ** 2 - mp.exp(-t) / (1 + mp.exp(-t)) ** 2, 1.6)
    assert x == pytest.approx(float(exact), abs=1e-10)
    with pytest.raises(ValueError, match="change sign"):
        sq.derivative_crossover(2.0, 3.0)


def test_lecun_tanh_maps_plus_minus_one_to_about_plus_minus_one():
    np.testing.assert_allclose(sq.lecun_tanh([-1.0, 1.0]), [-1.0, 1.0], atol=1e-5)
    assert sq.lecun_tanh_derivative(0.0) == pytest.approx(1.7159 * 2 / 3)
    h = 1e-6
    numeric = (sq.lecun_tanh(0.3 + h) - sq.lecun_tanh(0.3 - h)) / (2 * h)
    assert sq.lecun_tanh_derivative(0.3) == pytest.approx(numeric, rel=1e-8)


def test_gaussian_expectation():
    assert sq.gaussian_expectation(lambda z: z**2) == pytest.approx(1.0, abs=1e-12)
    assert sq.gaussian_expectation(lambda z: z, mean=0.5, std=2.0) == pytest.approx(0.5, abs=1e-12)
    exact = mp.quad(lambda t: mp.tanh(t) ** 2 * mp.npdf(t), [-mp.inf, mp.inf])
    assert sq.gaussian_expectation(lambda z: np.tanh(z) ** 2) == pytest.approx(float(exact), abs=1e-10)
