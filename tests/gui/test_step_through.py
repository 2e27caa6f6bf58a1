"""Training > Step Through…: walked with the dialog's own buttons, every array it shows checked
against the engine's values for the same batch, computed here on a copy of the same model."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop_app.engine.layer import Layer
from desktop_app.engine.step_trace import FROM_LOSS, GENERIC_RULE
from desktop_app.gui import settings_edits
from desktop_app.gui.step_through.array_view import MAX_TILES
from desktop_app.gui.step_through.source import SourceError, parse_rows
from desktop_app.hookspecs import hookimpl
from desktop_app.project.document import NodeEntry
from desktop_app.project.run import build_model
from tests.gui.runs import WAIT, example, start_long_run, stop_and_wait, train_to_end


class NodeGradients:
    """A ModelObserver kept as simple as can be: what each node received and sent in backward."""

    def __init__(self):
        self.received, self.sent = {}, {}

    def forward_node(self, node, inputs, output):
        pass

    def backward_node(self, node, grad, input_grads):
        self.received[node] = grad.copy()

    def gradient_sent(self, source, consumer, grad):
        self.sent[(consumer, source)] = grad.copy()


class Reference:
    """The engine's values for the dialog's batch, from a copy of the model it started from."""

    def __init__(self, dialog):
        run, trace = dialog.source.run, dialog.trace
        model, loss, optimizer = (copy.deepcopy(run.model), copy.deepcopy(run.loss),
                                  copy.deepcopy(run.optimizer))
        self.x, self.y = trace.x, trace.y
        self.values = copy.deepcopy(model).activations(self.x, training=True)
        self.gradients = NodeGradients()
        model.observer = self.gradients
        output = model.forward(self.x, training=True)
        self.loss = loss.forward(output, self.y)
        self.loss_grad = loss.backward()
        model.backward(self.loss_grad)
        self.param_grads = {key: grad.copy() for key, grad in model.gradients().items()}
        before = {key: value.copy() for key, value in model.parameters().items()}
        optimizer.step(model.parameters(), model.gradients(), dialog.source.learning_rate())
        self.deltas = {key: value - before[key] for key, value in model.parameters().items()}
        self.output_node = model.output_names[0]

    def expected(self, step, label):
        """The engine's array for the view ``label`` of ``step``."""
        node = step.nodes[0] if step.nodes else None
        if label.startswith("input x from "):
            return self.values[label.removeprefix("input x from ")]
        if label.startswith("output y of ") or label == f"{node}: x":
            return self.values[node]
        if label == "prediction ŷ":
            return self.values[self.output_node]
        if label == "target t":
            return self.y
        if label.startswith("dL/dŷ"):
            return self.loss_grad
        if label.startswith("dL/dy from "):
            sender = label.removeprefix("dL/dy from ")
            return self.loss_grad if sender == FROM_LOSS else self.gradients.sent[(sender, node)]
        if label.startswith("dL/dy = the sum"):
            return self.gradients.received[node]
        if label.startswith("dL/dx to "):
            return self.gradients.sent[(node, label.removeprefix("dL/dx to "))]
        if label.startswith("dL/d"):
            param = label.removeprefix("dL/d").split(" of ")[0]
            return self.param_grads[f"{node}/{param}"]
        if label.startswith("Δw of "):
            return self.deltas[label.removeprefix("Δw of ").split(" ")[0]]
        raise AssertionError(f"no reference for the view '{label}'")


def open_dialog(window, qtbot):
    action = window.step_through.action
    assert action in window.menus["training"].actions()
    action.trigger()
    dialog = window.step_through.dialog
    qtbot.waitExposed(dialog)
    assert dialog.steps, dialog.status.text()
    return dialog


def label_of(view) -> str:
    return view.title.text().removeprefix("<b>").removesuffix("</b>")


def assert_drawn(view):
    """The picture is made of the array's own numbers."""
    array = view.array
    if view.kind == "heatmap":
        np.testing.assert_array_equal(view.drawn[0], array)
    elif view.kind == "bars":
        np.testing.assert_array_equal(view.drawn[0], np.atleast_1d(array))
    elif view.kind == "tiles":
        channels = array if array.ndim == 3 else array[:, 0] if array.shape[1] == 1 else array[0]
        for tile, channel in zip(view.drawn, channels[:MAX_TILES], strict=True):
            np.testing.assert_array_equal(tile, channel)
    else:
        counts, _ = np.histogram(array.ravel(), bins=len(view.drawn[0]))
        np.testing.assert_array_equal(view.drawn[0], counts)


def walk_and_check(dialog, reference):
    """Press Next through every step; every view shows the engine's array; the canvas follows."""
    seen_phases = []
    while True:
        step = dialog.steps[dialog.current]
        seen_phases.append(step.phase)
        assert [label_of(view) for view in dialog.views] == [panel.label for panel in step.panels]
        for view in dialog.views:
            np.testing.assert_array_equal(view.array, reference.expected(step, label_of(view)),
                                          err_msg=f"{step.title}: {label_of(view)}")
            assert_drawn(view)
        assert dialog.formula.text() == step.text
        assert dialog.marks.nodes == step.nodes
        assert dialog.marks.edges == step.edges
        if not dialog.next_button.isEnabled():
            break
        dialog.next_button.click()
    return seen_phases


@pytest.mark.parametrize("name", ["digits_mlp", "residual_mlp", "digits_cnn"])
def test_stepping_through_a_batch_shows_the_engines_values(make_window, qtbot, name):
    window = make_window(example(name, epochs=1))
    dialog = open_dialog(window, qtbot)
    reference = Reference(dialog)
    assert dialog.trace.loss.value == reference.loss
    phases = walk_and_check(dialog, reference)
    model = dialog.source.run.model
    forward_nodes = len(model.order)
    assert phases[:forward_nodes] == ["forward"] * forward_nodes
    assert phases[forward_nodes] == "loss"
    assert set(phases[forward_nodes + 1:-1]) == {"backward"} and phases[-1] == "update"
    backward = dialog.steps[forward_nodes + 1]
    assert backward.text.startswith("Chain rule") and backward.nodes == (model.output_names[0],)


def test_at_the_fan_out_node_the_arriving_gradients_are_summed(make_window, qtbot):
    window = make_window(example("residual_mlp", epochs=1))
    dialog = open_dialog(window, qtbot)
    row = next(i for i, step in enumerate(dialog.steps)
               if step.phase == "backward" and step.nodes == ("stem_relu",))
    dialog.step_list.setCurrentRow(row)
    labels = [label_of(view) for view in dialog.views]
    # in the order backward reaches them: the Add comes later in the graph
    assert labels[:3] == ["dL/dy from skip_add", "dL/dy from block_dense_1",
                          "dL/dy = the sum of the 2 arriving"]
    first, second, total = (view.array for view in dialog.views[:3])
    np.testing.assert_array_equal(total, first + second)
    np.testing.assert_array_equal(total, Reference(dialog).gradients.received["stem_relu"])
    # the canvas marks both edges the gradient comes back along, in the backward colour
    assert set(dialog.marks.edges) == {("stem_relu", "block_dense_1"), ("stem_relu", "skip_add")}
    assert dialog.marks.color.name() == "#e8590c"
    # going forward, the Add's two incoming edges are marked, in the forward colour
    dialog.step_list.setCurrentRow(next(i for i, step in enumerate(dialog.steps)
                                        if step.phase == "forward" and step.nodes == ("skip_add",)))
    assert dialog.marks.edges == (("stem_relu", "skip_add"), ("block_dense_2", "skip_add"))
    assert dialog.marks.nodes == ("skip_add",) and dialog.marks.color.name() == "#1f6feb"


def test_a_clicked_weight_is_checked_by_finite_differences(make_window, qtbot):
    project = example("digits_mlp", epochs=1)
    project.dtype = "float64"
    window = make_window(project)
    dialog = open_dialog(window, qtbot)
    dialog.resize(900, 900)
    row = next(i for i, step in enumerate(dialog.steps)
               if step.phase == "backward" and any(p.weight_key for p in step.panels))
    dialog.step_list.setCurrentRow(row)
    view = next(v for v in dialog.views if v.kind == "heatmap" and "kernel" in label_of(v))
    qtbot.waitUntil(view.canvas.isVisible)
    dialog.panels.parentWidget().parentWidget().ensureWidgetVisible(view)
    # the plot has taken the heatmap's range (columns across)
    qtbot.waitUntil(lambda: view.plot.vb.viewRange()[0][1] >= view.array.shape[1])
    index = (3, 5)
    with qtbot.waitSignal(dialog.checked, timeout=WAIT) as signal:
        where = view.canvas.mapFromScene(view.plot.vb.mapViewToScene(view.point_of(index)))
        qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=where)
    result = signal.args[0]
    assert result.index == index
    shown = float(view.array[index])
    assert result.backprop == shown
    assert abs(result.numeric - shown) < 1e-6
    text = dialog.derivative.text()
    assert f"backprop {shown:.10g}" in text and f"{result.numeric:.10g}" in text


class NextForward:
    """A ModelObserver set on a paused run's model: the batch of its next forward pass, and its
    weights at the forward after that (once the optimizer stepped)."""

    def __init__(self, model):
        self.model, self.x, self.weights_after = model, None, None

    def forward_node(self, node, inputs, output):
        if node != self.model.input_names[0]:
            return
        if self.x is None:
            self.x = output.copy()
        elif self.weights_after is None:
            self.weights_after = {key: value.copy() for key, value in self.model.parameters().items()}

    def backward_node(self, node, grad, input_grads):
        pass

    def gradient_sent(self, source, consumer, grad):
        pass


def test_a_paused_run_is_not_changed_and_its_next_step_is_the_one_shown(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=100_000))
    controller = start_long_run(qtbot, window)
    pause = window.training.pause
    pause.trigger()
    assert controller.control.wait_until_paused(WAIT / 1000)
    run = controller.bridge.run
    weights = run.model.get_weights()
    slots = copy.deepcopy(run.optimizer.slots)
    iterations = run.optimizer.iterations
    dialog = open_dialog(window, qtbot)
    assert "paused run" in dialog.status.text()
    walk_and_check(dialog, Reference(dialog))
    for key, value in run.model.get_weights().items():
        np.testing.assert_array_equal(value, weights[key])
    assert run.optimizer.iterations == iterations
    for key, named in slots.items():
        for slot, value in named.items():
            np.testing.assert_array_equal(run.optimizer.slots[key][slot], value)
    # resumed, the run trains on the batch shown and takes the update shown
    watch = NextForward(run.model)
    run.model.observer = watch
    pause.trigger()
    qtbot.waitUntil(lambda: watch.weights_after is not None, timeout=WAIT)
    pause.trigger()
    assert controller.control.wait_until_paused(WAIT / 1000)
    run.model.observer = None
    stop_and_wait(qtbot, window)
    np.testing.assert_array_equal(watch.x, dialog.trace.x)
    for update in dialog.trace.update.params:
        np.testing.assert_allclose(update.weight + update.delta, watch.weights_after[update.key],
                                   rtol=1e-5, atol=1e-7, err_msg=update.key)


def test_a_running_run_must_be_paused_first_and_bad_sample_numbers_are_named(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=100_000))
    start_long_run(qtbot, window)
    window.step_through.action.trigger()
    dialog = window.step_through.dialog
    assert not dialog.steps
    assert dialog.status.text() == ("Cannot step through: a run is training: pause it (or stop it) to step "
                                    "through a batch")
    stop_and_wait(qtbot, window)
    dialog.rows_edit.setText("2, 7-9")
    dialog.chosen.setChecked(True)
    dialog.record_button.click()
    assert len(dialog.trace.x) == 4
    np.testing.assert_array_equal(dialog.trace.x, dialog.source.run.data.x_train[[2, 7, 8, 9]])
    dialog.rows_edit.setText("3, 99999")
    dialog.record_button.click()
    assert dialog.status.text().startswith("Cannot step through: sample '99999' is out of range")
    assert len(dialog.trace.x) == 4  # the previous step stays on show


def test_play_walks_to_the_last_step_and_stops(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=1))
    dialog = open_dialog(window, qtbot)
    dialog.timer.setInterval(5)
    dialog.play_button.click()
    assert dialog.play_button.isChecked()
    qtbot.waitUntil(lambda: not dialog.play_button.isChecked(), timeout=WAIT)
    assert dialog.current == len(dialog.steps) - 1
    assert dialog.steps[dialog.current].phase == "update"
    assert not dialog.next_button.isEnabled() and dialog.previous_button.isEnabled()


def test_closing_clears_the_canvas_and_reset_weights_drops_the_step(make_window, qtbot, dialogs):
    window = make_window(example("digits_mlp", epochs=1))
    dialog = open_dialog(window, qtbot)
    scene = window.designer.scene
    assert dialog.marks.items and all(item.scene() is scene for item in dialog.marks.items)
    dialog.close()
    assert not dialog.marks.items
    window.step_through.action.trigger()  # opened again: the canvas follows again
    assert dialog.marks.nodes == dialog.steps[dialog.current].nodes
    window.training.controller.forget()
    assert not dialog.steps and not dialog.views and not dialog.marks.items
    assert dialog.status.text() == "The weights on hand changed: record a step again."


@pytest.mark.parametrize(("text", "message"), [
    ("", "type the numbers of the samples to step through, e.g. 0, 5, 10-15"),
    ("3, x", "'x' is not a sample number or a range like 40-45"),
    ("5-2", "sample '5-2' is out of range: the training set has samples 0 to 9"),
    ("-1", "'-1' is not a sample number or a range like 40-45"),
])
def test_bad_sample_numbers_are_named(text, message):
    with pytest.raises(SourceError) as info:
        parse_rows(text, 10)
    assert str(info.value) == message


def test_sample_numbers_and_ranges():
    assert parse_rows("0, 3-5; 9", 10) == [0, 3, 4, 5, 9]


def test_the_step_starts_as_train_would_from_the_seed_the_last_run_or_its_weights(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=1))
    dialog = open_dialog(window, qtbot)
    assert "fresh weights from the project's seed" in dialog.status.text()
    seeded = build_model(window.document.project(), window.registry).get_weights()
    for key, value in dialog.trace.start.get_weights().items():
        np.testing.assert_array_equal(value, seeded[key])
    train_to_end(qtbot, window)
    assert dialog.record()
    assert "the last run's weights" in dialog.status.text()
    controller = window.training.controller
    trained = controller.trained_model().get_weights()
    assert any(not np.array_equal(trained[key], seeded[key]) for key in trained)
    for key, value in dialog.trace.start.get_weights().items():
        np.testing.assert_array_equal(value, trained[key])
    # the same run would resume: its optimizer state counts
    assert dialog.source.run is controller.trained_run() and dialog.source.run.optimizer.iterations > 0
    window.document.edit("Set learning rate", lambda data: settings_edits.set_component_param(
        data, "optimizer", "learning_rate", 0.5))
    assert dialog.record()
    assert "settings changed: a fresh optimizer" in dialog.status.text()
    optimizer = dialog.source.run.optimizer
    assert optimizer.iterations == 0 and optimizer.config["learning_rate"] == 0.5
    # the schedule's rate for the run's first step (the example warms up)
    per_epoch = -(-len(dialog.source.run.data.x_train) // 32)  # one epoch planned
    assert dialog.trace.update.learning_rate == dialog.source.run.schedule.rate(0.5, 0, per_epoch, per_epoch)
    assert dialog.trace.update.learning_rate < 0.5
    for key, value in dialog.trace.start.get_weights().items():
        np.testing.assert_array_equal(value, trained[key])


class Float32Only(Layer):
    """A plugin layer that states no rule and works in float32 only (the float64 check fails)."""

    type_name = "Float32Only"

    def output_shape(self, *shapes):
        return shapes[0]

    def forward(self, x, training=False):
        if x.dtype != np.float32:
            raise TypeError(f"float32 only, got {x.dtype}")
        return x * np.float32(0.5)

    def backward(self, grad):
        return (grad * np.float32(0.5),)


class Float32OnlyPlugin:
    @hookimpl
    def register_layers(self, register):
        register(Float32Only)


def test_a_plugin_layer_steps_through_and_a_failed_check_names_it(make_window, qtbot, register_plugin):
    register_plugin(Float32OnlyPlugin(), "float32_layers")
    project = example("spiral_mlp", epochs=1)
    project.nodes.insert(3, NodeEntry("half", "Float32Only", {}, ["relu_1"]))
    project.node("hidden_2").inputs = ["half"]
    window = make_window(project)
    dialog = open_dialog(window, qtbot)
    walk_and_check(dialog, Reference(dialog))
    half = next(step for step in dialog.steps if step.phase == "backward" and step.nodes == ("half",))
    assert half.text == GENERIC_RULE
    row = next(i for i, step in enumerate(dialog.steps)
               if step.phase == "backward" and step.nodes == ("hidden_1",))
    dialog.step_list.setCurrentRow(row)
    kernel = next(view for view in dialog.views if label_of(view) == "dL/dkernel of hidden_1")
    with qtbot.assertNotEmitted(dialog.checked):
        kernel.cell_clicked.emit((0, 0))
    text = dialog.derivative.text()
    assert text.startswith("Cannot check dL/dw of hidden_1/kernel[0, 0]: layer 'half' (Float32Only, from "
                           "plugin 'float32_layers'")
    assert "TypeError: float32 only, got float64" in text
