"""The training loop: its history, its determinism, its probes and its refusals."""

import sys

import numpy as np
import pytest

from actlab.nn import Dense, Dropout, History, Probes, Sequential, evaluate, train, train_seeds
from actlab.nn import progress as progress_module


def blobs(n=240, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    centres = 3 * rng.standard_normal((classes, 5))
    return (centres[y] + rng.standard_normal((n, 5))).astype(np.float32), y


def small_model(seed=0, dropout=0.0):
    return Sequential([Dense(5, 16), "relu", Dropout(dropout), Dense(16, 3)], seed=seed)


def test_history_records_every_epoch_and_learning_happens():
    X, y = blobs()
    history = train(small_model(), X, y, epochs=5, lr=0.05, validation=blobs(90, seed=0))
    assert isinstance(history, History) and history.epochs == 5
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "seconds"):
        assert len(history[key]) == 5
    assert history.loss[-1] < history.loss[0]
    assert history.val_accuracy[-1] > 0.9 and history.diverged_at is None


def test_a_seeded_run_reproduces_bit_for_bit():
    X, y = blobs()
    runs = []
    for _ in range(2):
        model = small_model(seed=4, dropout=0.3)
        history = train(model, X, y, epochs=3, seed=7, lr=0.01)
        runs.append(([p.value.copy() for p in model.parameters()], history.loss))
    (params_a, loss_a), (params_b, loss_b) = runs
    assert loss_a == loss_b
    for a, b in zip(params_a, params_b):
        np.testing.assert_array_equal(a, b)
    other = small_model(seed=4, dropout=0.3)
    train(other, X, y, epochs=3, seed=8, lr=0.01)  # another batch order
    assert not np.array_equal(other.parameters()[0].value, params_a[0])


def test_probes_do_not_change_training():
    X, y = blobs()
    plain, probed = small_model(seed=1, dropout=0.5), small_model(seed=1, dropout=0.5)
    train(plain, X, y, epochs=2, lr=0.01)
    probes = Probes(X[:50], y[:50], every=2)
    train(probed, X, y, epochs=2, lr=0.01, probes=probes)
    for a, b in zip(plain.parameters(), probed.parameters()):
        np.testing.assert_array_equal(a.value, b.value)
    assert probes.steps == [0, 2, 4]  # 2 epochs of 2 batches (240 rows, 128 a batch)
    assert probes.table("mean").shape == (3, 4)


def test_several_seeds_at_once():
    X, y = blobs()
    runs = train_seeds(small_model, X, y, seeds=[0, 1, 2], epochs=2, lr=0.01, validation=blobs(60, seed=0))
    assert runs.stack("val_accuracy").shape == (3, 2)
    assert runs.final("loss").shape == (3,)
    assert not np.array_equal(runs.models[0].parameters()[0].value, runs.models[1].parameters()[0].value)
    again = train_seeds(small_model, X, y, seeds=[1], epochs=2, lr=0.01)
    assert again.histories[0].loss == runs.histories[1].loss


def test_float32_stays_float32_through_training():
    X, y = blobs()
    model = small_model()
    train(model, X.astype(np.float64), y, epochs=1, optimizer="momentum", lr=0.01, clip_norm=1.0)
    assert all(p.value.dtype == np.float32 for p in model.parameters())


def test_regression_and_binary_targets():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 5)).astype(np.float32)
    target = X @ rng.standard_normal(5)
    reg = Sequential([Dense(5, 1)], seed=0)
    history = train(reg, X, target, loss="mse", epochs=30, lr=0.05)
    assert history.accuracy == [] and history.loss[-1] < 0.01 * history.loss[0]
    binary = Sequential([Dense(5, 1)], seed=0)
    history = train(binary, X, (target > 0).astype(int), loss="binary_cross_entropy", epochs=20, lr=0.05)
    assert history.accuracy[-1] > 0.9
    loss, accuracy = evaluate(binary, X, target > 0, loss="binary_cross_entropy")
    assert accuracy > 0.9 and loss < 0.5


def test_divergence_stops_training_quietly():
    X, y = blobs()
    model = Sequential([Dense(5, 64), "relu", Dense(64, 64), "relu", Dense(64, 3)], seed=0)
    history = train(model, X * 1e6, y, epochs=5, optimizer="sgd", lr=1e6)
    assert history.diverged_at is not None and history.epochs < 5


def test_no_progress_bar_outside_a_live_notebook(monkeypatch):
    monkeypatch.delenv("ACTLAB_STATIC", raising=False)
    assert not progress_module.wants_progress()  # pytest is no IPython kernel
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: True)
    assert progress_module.wants_progress()
    monkeypatch.setenv("ACTLAB_STATIC", "1")
    assert not progress_module.wants_progress()
    assert progress_module.progress_bar(3).widget is None


def test_a_bar_follows_the_epochs_in_a_live_notebook(monkeypatch):
    monkeypatch.delenv("ACTLAB_STATIC", raising=False)
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: True)
    bars = []

    def recording_bar(*args):
        bars.append(progress_module.progress_bar(*args))
        return bars[-1]

    monkeypatch.setattr(sys.modules["actlab.nn.train"], "progress_bar", recording_bar)
    train(small_model(), *blobs(), epochs=2)
    assert bars[0].bar.value == 2 and bars[0].label.value.startswith("epoch 2 · loss")
    train(small_model(), *blobs(), epochs=2, progress=False)
    assert bars[1].widget is None


def test_bad_input_fails_at_the_call_with_the_reason():
    X, y = blobs()
    model = small_model()
    with pytest.raises(ValueError, match="one row per row of X"):
        train(model, X, y[:-1])
    bad = X.copy()
    bad[17, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite values.*row 17"):
        train(model, bad, y)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        train(model, X, y + 1)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 5\), got \(128, 4\)"):
        train(model, X[:, :4], y)
    with pytest.raises(ValueError, match="X_val"):
        train(model, X, y, validation=(X[:, :2].ravel(), y))
    with pytest.raises(ValueError, match="unknown activation 'relu6x'"):
        Sequential([Dense(5, 3), "relu6x"])
    with pytest.raises(TypeError, match="optimizer by name"):
        from actlab.nn import Adam

        train_seeds(small_model, X, y, optimizer=Adam(model.parameters()))


def test_train_visits_the_batches_of_actlab_data_batches():
    # train() applies the epoch's shuffle once and slices; the batches must be those of `batches`.
    from actlab.data.batches import batches

    X, y = blobs(50)
    seen = []

    class Recorder(Dense):
        def forward(self, x):
            seen.append(x.copy())
            return super().forward(x)

    model = Sequential([Recorder(5, 3)], seed=0)
    train(model, X, y, epochs=2, batch_size=16, seed=7, lr=0.0, optimizer="sgd", progress=False)
    rng = np.random.default_rng(7)
    expected = [xb for _ in range(2) for xb, _ in batches(X, y, 16, rng=rng)]
    assert len(seen) == len(expected)
    for got, want in zip(seen, expected):
        np.testing.assert_array_equal(got, want)
