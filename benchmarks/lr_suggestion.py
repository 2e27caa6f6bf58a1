"""The trial behind the range test's suggestion rule (docs/checks.md), rerun on demand (never a test).

For each digits example and seed: run the learning-rate range test, read three suggestions off
its smoothed curve (torch-lr-finder's steepest descent, a tenth of the rate at the minimum, and
fastai's valley, the rule the app uses), then train the project at each suggestion and at every
rate of a grid from 1e-4 to 1 (same epochs, same seed) and print each suggestion's final
validation loss as a multiple of the grid's best.

Run: ``.venv/bin/python benchmarks/lr_suggestion.py [--epochs N] [--seeds K]``.
"""

from __future__ import annotations

import argparse

import numpy as np

from desktop_app.engine.errors import NonFiniteLossError
from desktop_app.engine.lr_range import RangeTest, lr_range_test
from desktop_app.plugin_system import current_registry
from desktop_app.project import Project, RunOverrides, build_run, example_path, load_project

GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)
# torch-lr-finder's plot (and its suggestion) drops this many points at each end of the curve.
SKIP_START, SKIP_END = 10, 5


def steepest_descent(test: RangeTest) -> float:
    """torch-lr-finder's suggestion: the rate where the trimmed smoothed loss falls fastest."""
    trimmed = slice(SKIP_START, len(test.smoothed) - SKIP_END)
    return float(test.rates[trimmed][int(np.argmin(np.gradient(test.smoothed[trimmed])))])


def tenth_of_minimum(test: RangeTest) -> float:
    """fastai's older "lr_min": a tenth of the rate at the smoothed curve's minimum."""
    return test.minimum_rate / 10


RULES = {"steepest descent": steepest_descent, "minimum / 10": tenth_of_minimum,
         "valley (used)": lambda test: test.suggestion}


def final_val_loss(project: Project, rate: float, epochs: int | None, seed: int) -> float:
    run = build_run(project, RunOverrides(learning_rate=rate, epochs=epochs, seed=seed),
                    registry=current_registry())
    try:
        run.fit()
    except NonFiniteLossError:
        return float("inf")
    return run.trainer.evaluate(run.data.x_val, run.data.y_val)["loss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, help="epochs per training run (default: the project's)")
    parser.add_argument("--seeds", type=int, default=4, help="seeds 0..K-1 (default 4)")
    args = parser.parse_args()
    print("example     seed  grid's best        " + "".join(f"{name:>26}" for name in RULES))
    for example in ("digits_mlp", "digits_cnn"):
        project = load_project(example_path(example))
        for seed in range(args.seeds):
            run = build_run(project, RunOverrides(seed=seed), registry=current_registry())
            test = lr_range_test(run.model, run.loss, run.optimizer, run.data.x_train, run.data.y_train,
                                 batch_size=run.fit_kwargs["batch_size"], seed=seed)
            grid = {rate: final_val_loss(project, rate, args.epochs, seed) for rate in GRID}
            best_rate = min(grid, key=grid.get)
            cells = []
            for rule in RULES.values():
                rate = rule(test)
                ratio = final_val_loss(project, rate, args.epochs, seed) / grid[best_rate]
                cells.append(f"{rate:9.3g}: {ratio:6.2f}x best")
            print(f"{example:<11} {seed:>4}  {grid[best_rate]:.4f} at {best_rate:<6g}"
                  + "".join(f"{cell:>26}" for cell in cells), flush=True)


if __name__ == "__main__":
    main()
