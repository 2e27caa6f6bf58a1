"""Reference measurements the engine is compared with, in the same process.

- the machine's float32 matrix-multiply peak (GFLOP/s of a large square GEMM),
- the GEMM bound of an MLP epoch: only the matrix multiplies that any implementation must do,
- a minimal hand-written NumPy training loop for a tiny network (the per-step floor).
"""

from __future__ import annotations

import time

import numpy as np


def matmul_peak_gflops(n: int = 1024, repeats: int = 5) -> float:
    """Best-of float32 GFLOP/s of an n x n matrix product."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def mlp_gemm_bound_seconds(sizes: tuple[int, ...], samples: int, batch: int) -> float:
    """Time of one epoch's matrix multiplies alone for a Dense stack of ``sizes``.

    Per batch: forward x @ W for every layer; backward dW = x.T @ g for every layer and
    dX = g @ W.T for every layer but the first (the data needs no gradient).
    """
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(sizes, sizes[1:], strict=False)]
    acts = [rng.standard_normal((batch, s), dtype=np.float32) for s in sizes]
    grads = [np.empty((a, b), dtype=np.float32) for a, b in zip(sizes, sizes[1:], strict=False)]
    dxs = [np.empty((batch, s), dtype=np.float32) for s in sizes]
    steps = samples // batch
    start = time.perf_counter()
    for _ in range(steps):
        for i, w in enumerate(weights):
            np.matmul(acts[i], w, out=acts[i + 1])
        for i in reversed(range(len(weights))):
            g = acts[i + 1]
            np.matmul(acts[i].T, g, out=grads[i])
            if i > 0:
                np.matmul(g, weights[i].T, out=dxs[i])
    return time.perf_counter() - start


def minimal_loop_steps_per_second(steps: int = 4000, batch: int = 32, seed: int = 0) -> float:
    """A minimal hand-written NumPy loop: 2-16-16-2 ReLU MLP, softmax cross-entropy, plain SGD."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps * batch, 2), dtype=np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    w1 = rng.standard_normal((2, 16), dtype=np.float32) * np.float32(0.5)
    b1 = np.zeros(16, np.float32)
    w2 = rng.standard_normal((16, 16), dtype=np.float32) * np.float32(0.3)
    b2 = np.zeros(16, np.float32)
    w3 = rng.standard_normal((16, 2), dtype=np.float32) * np.float32(0.3)
    b3 = np.zeros(2, np.float32)
    lr = np.float32(0.05)
    rows = np.arange(batch)
    start = time.perf_counter()
    for step in range(steps):
        xb = x[step * batch:(step + 1) * batch]
        yb = y[step * batch:(step + 1) * batch]
        h1 = np.maximum(xb @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        z = h2 @ w3 + b3
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = p
        g[rows, yb] -= 1
        g /= batch
        gw3 = h2.T @ g
        gb3 = g.sum(0)
        g = (g @ w3.T) * (h2 > 0)
        gw2 = h1.T @ g
        gb2 = g.sum(0)
        g = (g @ w2.T) * (h1 > 0)
        gw1 = xb.T @ g
        gb1 = g.sum(0)
        for param, grad in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2), (w3, gw3), (b3, gb3)):
            param -= lr * grad
    return steps / (time.perf_counter() - start)


def mlp_numpy_loop_seconds(x: np.ndarray, y: np.ndarray, sizes: tuple[int, ...], batch: int) -> float:
    """One epoch of a careful hand-written NumPy loop for a ReLU MLP (softmax cross-entropy, SGD).

    Seeded shuffle gathered per batch, float32 throughout, no dX for the first layer: what the
    engine would be without its generality (graph walk, callbacks, per-parameter gradient norms).
    """
    rng = np.random.default_rng(0)
    weights = [
        (rng.standard_normal((a, b), dtype=np.float32) * np.float32(np.sqrt(2 / a)), np.zeros(b, np.float32))
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    lr = np.float32(0.01)
    order = rng.permutation(len(x))
    buffer = np.empty((batch, x.shape[1]), np.float32)
    start = time.perf_counter()
    for first in range(0, len(x), batch):
        index = order[first:first + batch]
        xb = np.take(x, index, axis=0, out=buffer[: len(index)], mode="clip")
        acts = [xb]
        for layer, (w, b) in enumerate(weights):
            z = acts[-1] @ w
            z += b
            acts.append(np.maximum(z, 0) if layer < len(weights) - 1 else z)
        logits = acts[-1]
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(len(index)), y[index]] -= 1
        grad = probs / np.float32(len(index))
        for layer in reversed(range(len(weights))):
            w, b = weights[layer]
            grad_w = acts[layer].T @ grad
            grad_b = grad.sum(axis=0)
            if layer:
                grad = grad @ w.T
                grad *= acts[layer] > 0
            w -= lr * grad_w
            b -= lr * grad_b
    return time.perf_counter() - start
