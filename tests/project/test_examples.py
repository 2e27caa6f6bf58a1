"""Every shipped example loads, builds, and trains: a short run lowers its loss."""

from __future__ import annotations

import pytest

from desktop_app.paths import EXAMPLES_DIR
from desktop_app.plugin_system import current_registry
from desktop_app.project import (
    DEFAULT_EXAMPLE,
    EXAMPLES,
    ProjectError,
    RunOverrides,
    build_run,
    default_example_path,
    example_path,
    load_project,
)

SHORT_RUN = {"spiral_mlp": 15, "xor_mlp": 10, "sine_regression": 15, "digits_mlp": 2, "digits_cnn": 1,
             "residual_mlp": 8}


def test_every_example_file_is_listed():
    shipped = sorted(p.name for p in EXAMPLES_DIR.glob("*.bps.json"))
    assert shipped == sorted(f"{n}.bps.json" for n in EXAMPLES)
    assert set(SHORT_RUN) == set(EXAMPLES)


def test_default_example():
    assert DEFAULT_EXAMPLE == "digits_mlp"
    assert default_example_path() == EXAMPLES_DIR / "digits_mlp.bps.json"
    with pytest.raises(ProjectError, match="no example project named 'mnist'"):
        example_path("mnist")


def test_residual_example_uses_add():
    project = load_project(example_path("residual_mlp"))
    add = [node for node in project.nodes if node.type == "Add"]
    assert len(add) == 1 and len(add[0].inputs) == 2


def test_examples_have_distinct_canvas_positions():
    for name in EXAMPLES:
        positions = [(n.position.x, n.position.y) for n in load_project(example_path(name)).nodes]
        assert len(set(positions)) == len(positions), name


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_trains_and_its_loss_falls(name):
    project = load_project(example_path(name))
    run = build_run(project, RunOverrides(epochs=SHORT_RUN[name]), registry=current_registry())
    before = run.trainer.evaluate(run.data.x_val, run.data.y_val)["loss"]
    history = run.fit()
    after = run.trainer.evaluate(run.data.x_val, run.data.y_val)["loss"]
    assert len(history.epochs) == SHORT_RUN[name]
    assert after < 0.7 * before
