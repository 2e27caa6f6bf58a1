"""Engine speed, as ratios against references measured in the same process (never a test).

Reports, with 1 and 2 BLAS threads (threadpoolctl), medians of several runs:
- MLP 784-256-128-10, batch 128, 60,000 samples, softmax cross-entropy, SGD: seconds per epoch,
  samples/s, and the ratio to the epoch's GEMM bound (its matrix multiplies alone), beside the
  same ratio for a careful hand-written NumPy loop;
- the GEMM bound's share of the machine's float32 matrix-multiply peak;
- small CNN (Reshape, Conv2D 3x3 x8, ReLU, MaxPool2D 2, Flatten, Dense 10) on 28x28 and 8x8;
- a 2-16-16-2 ReLU network, batch 32: the engine's steps/s against a minimal hand-written loop;
- the health monitor's cost (engine.health): training CPU time with it over without it, on the
  digits CNN example and on the 2-16-16-2 network (targets: at most 5 % and 10 % more).

Run: ``.venv/bin/python benchmarks/engine.py [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from reference import (
    matmul_peak_gflops,
    minimal_loop_steps_per_second,
    mlp_gemm_bound_seconds,
    mlp_numpy_loop_seconds,
)
from threadpoolctl import threadpool_limits

from desktop_app.engine import (
    BUILTIN_LAYERS,
    SGD,
    CategoricalCrossentropy,
    Model,
    Trainer,
    stack,
)
from desktop_app.engine.health import HealthMonitor
from desktop_app.plugin_system import current_registry
from desktop_app.project import build_run, example_path, load_project

LAYER_TYPES = {cls.type_name: cls for cls in BUILTIN_LAYERS}


def mlp(sizes: tuple[int, ...]) -> Model:
    layers: list[tuple[str, dict]] = []
    for units in sizes[1:-1]:
        layers += [("Dense", {"units": units}), ("ReLU", {})]
    layers.append(("Dense", {"units": sizes[-1]}))
    return Model(stack((sizes[0],), *layers), LAYER_TYPES)


def small_cnn(side: int) -> Model:
    return Model(
        stack(
            (side * side,),
            ("Reshape", {"target_shape": [1, side, side]}),
            ("Conv2D", {"filters": 8, "kernel_size": [3, 3], "padding": "same"}),
            ("ReLU", {}),
            ("MaxPool2D", {"pool_size": [2, 2]}),
            ("Flatten", {}),
            ("Dense", {"units": 10}),
        ),
        LAYER_TYPES,
    )


class EpochTimes:
    """Collects each epoch's wall time as the trainer reports it."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def on_epoch_end(self, event) -> None:
        self.seconds.append(event.seconds)


def epoch_seconds(model: Model, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    """Steady-state epoch time: the second epoch of a run (the first pays buffer first-touch)."""
    times = EpochTimes()
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.01), callbacks=[times])
    trainer.fit(x, y, epochs=2, batch_size=batch, seed=0)
    return times.seconds[-1]


def tiny_engine_steps_per_second(steps: int, batch: int = 32) -> float:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps * batch, 2), dtype=np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    model = mlp((2, 16, 16, 2))
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.05))
    times = EpochTimes()
    trainer.callbacks.append(times)
    trainer.fit(x, y, epochs=2, batch_size=batch, seed=0)
    return steps / times.seconds[-1]


def health_cpu_seconds(trainer: Trainer, x: np.ndarray, y: np.ndarray, batch: int, health: bool) -> float:
    """The CPU time of two epochs on this thread (BLAS has one), with or without a HealthMonitor:
    on a shared machine other processes stretch wall time, not this."""
    trainer.callbacks = []
    if health:
        HealthMonitor.attach(trainer)
    trainer.model.initialize(0)
    trainer.optimizer.reset()
    started = time.thread_time()
    trainer.fit(x, y, epochs=2, batch_size=batch, seed=0)
    return time.thread_time() - started


def health_overhead(trainer: Trainer, x: np.ndarray, y: np.ndarray, batch: int, runs: int) -> float:
    """The median over ``runs`` of (CPU time with the monitor) / (without), measured in pairs, each
    pair in the other order than the one before."""
    ratios = []
    for run in range(runs):
        order = (False, True) if run % 2 == 0 else (True, False)
        seconds = {health: health_cpu_seconds(trainer, x, y, batch, health) for health in order}
        ratios.append(seconds[True] / seconds[False])
    return statistics.median(ratios)


def report_health(runs: int) -> None:
    cnn = build_run(load_project(example_path("digits_cnn")), registry=current_registry())
    x, y = cnn.data.x_train, cnn.data.y_train
    cnn_ratio = health_overhead(cnn.trainer, np.concatenate([x] * 4), np.concatenate([y] * 4),
                                cnn.fit_kwargs["batch_size"], runs)
    rng = np.random.default_rng(0)
    tiny_x = rng.standard_normal((3000 * 32, 2), dtype=np.float32)
    tiny_y = (tiny_x[:, 0] * tiny_x[:, 1] > 0).astype(np.int64)
    tiny = Trainer(mlp((2, 16, 16, 2)), CategoricalCrossentropy(), SGD(learning_rate=0.05))
    tiny_ratio = health_overhead(tiny, tiny_x, tiny_y, 32, runs)
    print(f"\n== health monitor, medians of {runs} paired runs ==")
    print(f"digits CNN example: CPU time with / without = {cnn_ratio:.3f} (target <= 1.05)")
    print(f"2-16-16-2, batch 32: CPU time with / without = {tiny_ratio:.3f} (target <= 1.10)")


def median_of(runs: int, measure) -> float:
    return statistics.median(measure() for _ in range(runs))


def report(threads: int, samples: int, runs: int) -> None:
    rng = np.random.default_rng(0)
    sizes = (784, 256, 128, 10)
    x = rng.random((samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, samples)
    with threadpool_limits(threads):
        peak = median_of(runs, matmul_peak_gflops)
        model = mlp(sizes)
        triples = [
            (
                epoch_seconds(model, x, y, 128),
                mlp_gemm_bound_seconds(sizes, samples, 128),
                mlp_numpy_loop_seconds(x, y, sizes, 128),
            )
            for _ in range(runs)
        ]
        engine = statistics.median(t[0] for t in triples)
        gemm = statistics.median(t[1] for t in triples)
        ratio = statistics.median(t[0] / t[1] for t in triples)
        loop_ratio = statistics.median(t[2] / t[1] for t in triples)
        weights = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
        # forward x@W, backward dW and dX for every layer, less the first layer's dX
        flops = 2 * samples * (3 * weights - sizes[0] * sizes[1])
        print(f"\n== {threads} thread(s), medians of {runs} runs ==")
        print(f"float32 matmul peak: {peak:.1f} GFLOP/s")
        print(
            f"MLP 784-256-128-10 epoch ({samples} samples, batch 128): {engine:.3f} s, "
            f"{samples / engine:,.0f} samples/s"
        )
        print(
            f"  GEMM bound {gemm:.3f} s ({flops / gemm / 1e9:.1f} GFLOP/s = "
            f"{flops / gemm / 1e9 / peak:.0%} of peak); engine / GEMM bound = {ratio:.2f}x "
            f"(target <= 1.25x); careful hand-written NumPy loop / GEMM bound = {loop_ratio:.2f}x"
        )
        for side in (28, 8):
            xs = rng.random((samples // 6, side * side), dtype=np.float32)
            ys = rng.integers(0, 10, len(xs))
            cnn = small_cnn(side)
            seconds = median_of(runs, lambda cnn=cnn, xs=xs, ys=ys: epoch_seconds(cnn, xs, ys, 128))
            print(
                f"CNN on {side}x{side}: {len(xs) / seconds:,.0f} samples/s "
                f"({seconds:.3f} s per epoch of {len(xs)})"
            )
        steps = 3000
        tiny_pairs = [
            (tiny_engine_steps_per_second(steps), minimal_loop_steps_per_second(steps)) for _ in range(runs)
        ]
        eng = statistics.median(p[0] for p in tiny_pairs)
        ref = statistics.median(p[1] for p in tiny_pairs)
        tiny_ratio = statistics.median(p[0] / p[1] for p in tiny_pairs)
        print(
            f"2-16-16-2, batch 32: engine {eng:,.0f} steps/s, minimal NumPy loop {ref:,.0f} steps/s, "
            f"engine / loop = {tiny_ratio:.2f} (target >= 0.25)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 samples and 3 runs")
    parser.add_argument("--health", action="store_true", help="only the health monitor's cost")
    args = parser.parse_args()
    if args.health:
        with threadpool_limits(1):
            report_health(9)
        return
    samples, runs = (10_000, 3) if args.quick else (60_000, 5)
    for threads in (1, 2):
        report(threads, samples, runs)
    with threadpool_limits(1):
        report_health(max(runs, 5))


if __name__ == "__main__":
    main()
