"""How close is the engine to the speed of its own matrix multiplications?

Trains the MLP of the book's timing claims — MNIST-1D, 40 → 256 → 256 → 256 → 10 with
ReLU, batch 128, Adam, float32 — one epoch at a time, and after each epoch times the
same epoch's matrix multiplications alone, on arrays of the same shapes: per batch, the
4 forward products ``x W``, the 4 weight gradients ``xᵀ g`` and the 4 input gradients
``g Wᵀ`` the engine computes. That is a lower bound no numpy engine can beat; the rest
is activations, the loss, the optimizer, batching and Python. Alternating the two keeps
a change in the machine's load from favouring either.

Both are measured with the BLAS threads numpy starts with and with one BLAS thread (how
the book's experiments run: for matrices this small a second thread gains little, and
on a busy machine it waits for a free core far longer than it computes). Elementwise
work is single-threaded either way, so the ratio is larger when the products get the
second core.

If PyTorch is importable (it is not a dependency of the book), the same network,
loss, optimizer and batches are also timed with PyTorch's CPU build, for comparison.

Run with ``.venv/bin/python benchmarks/training.py`` (or ``make bench``). Timings
depend on the machine and on what else runs on it; nothing here is asserted.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import threadpoolctl

from actlab.data import load_mnist1d
from actlab.nn import Adam, Dense, Sequential, train

WIDTHS = (40, 256, 256, 256, 10)
BATCH = 128
PAIRS = 8


def mlp(seed: int = 0) -> Sequential:
    layers = []
    for n_in, n_out in zip(WIDTHS[:-2], WIDTHS[1:-1]):
        layers += [Dense(n_in, n_out, init="he_normal"), "relu"]
    return Sequential([*layers, Dense(WIDTHS[-2], WIDTHS[-1])], seed=seed)


def matmul_epoch(n_rows: int, rng: np.random.Generator) -> float:
    """Seconds for one epoch's matrix products alone, on random float32 arrays of the right shapes."""
    weights = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(WIDTHS[:-1], WIDTHS[1:])]
    sizes = [min(BATCH, n_rows - start) for start in range(0, n_rows, BATCH)]
    inputs = {n: [rng.standard_normal((n, a), dtype=np.float32) for a in WIDTHS[:-1]] for n in set(sizes)}
    upstream = {n: [rng.standard_normal((n, b), dtype=np.float32) for b in WIDTHS[1:]] for n in set(sizes)}
    start = time.perf_counter()
    for n in sizes:
        for x, W in zip(inputs[n], weights):
            x @ W  # forward
        for x, g, W in zip(inputs[n], upstream[n], weights):
            x.T @ g  # weight gradient
            g @ W.T  # input gradient
    return time.perf_counter() - start


def measure(X: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """Seconds per epoch of the engine and of the bound, measured in alternation."""
    model = mlp()
    optimizer = Adam(model.parameters(), lr=1e-3)  # one optimizer across the one-epoch calls
    train(model, X, y, epochs=1, optimizer=optimizer, progress=False)  # warm caches and allocators
    rng = np.random.default_rng(0)
    engine, bound = [], []
    for seed in range(PAIRS):
        engine.append(train(model, X, y, epochs=1, optimizer=optimizer, seed=seed, progress=False).seconds[0])
        bound.append(matmul_epoch(len(X), rng))
    return engine, bound


def torch_epochs(X: np.ndarray, y: np.ndarray, threads: int) -> list[float] | None:
    """Seconds per epoch of the same MLP in PyTorch (None if PyTorch is not installed)."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    sizes = list(zip(WIDTHS[:-1], WIDTHS[1:]))
    layers = []
    for n_in, n_out in sizes[:-1]:
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(*sizes[-1]))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    seconds = []
    for seed in range(PAIRS + 1):  # the first epoch warms up
        start = time.perf_counter()
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
        X_epoch, y_epoch = Xt[order], yt[order]
        for first in range(0, len(X), BATCH):
            outputs = model(X_epoch[first : first + BATCH])
            loss = loss_fn(outputs, y_epoch[first : first + BATCH])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            (outputs.argmax(1) == y_epoch[first : first + BATCH]).sum().item()  # the accuracy, as train() keeps it
        seconds.append(time.perf_counter() - start)
    return seconds[1:]


def main() -> None:
    X, y, _, _ = load_mnist1d()
    print(f"MLP {' → '.join(map(str, WIDTHS))}, ReLU, batch {BATCH}, Adam, float32, {len(X)} MNIST-1D examples, "
          f"{PAIRS} epochs each")
    blas = threadpoolctl.threadpool_info()
    default_threads = max((lib["num_threads"] for lib in blas if lib["user_api"] == "blas"), default=1)
    for threads in sorted({default_threads, 1}, reverse=True):
        with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
            engine, bound = measure(X, y)
        ratios = [e / b for e, b in zip(engine, bound)]
        print(f"{threads} BLAS thread{'s' if threads > 1 else ''}:")
        print(f"  engine  {1e3 * min(engine):6.1f} ms/epoch at best, {1e3 * statistics.median(engine):6.1f} median")
        print(f"  bound   {1e3 * min(bound):6.1f} ms/epoch at best, {1e3 * statistics.median(bound):6.1f} median "
              "(the matrix products alone)")
        print(f"  ratio   {min(engine) / min(bound):6.2f} × best to best, {statistics.median(ratios):6.2f} × median "
              "of the epoch-by-epoch ratios (goal ≤ 1.5 ×)")
        torch_seconds = torch_epochs(X, y, threads)
        if torch_seconds is not None:
            print(f"  PyTorch {1e3 * min(torch_seconds):6.1f} ms/epoch at best, {1e3 * statistics.median(torch_seconds):6.1f} "
                  f"median (its CPU build, {threads} thread{'s' if threads > 1 else ''}, same network and batches)")


if __name__ == "__main__":
    main()
