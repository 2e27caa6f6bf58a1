"""The probe lab through its real widgets: drawing, the point map, units and their edits, and
probing while a run is on."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QPointF, Qt

from desktop_app.engine.callbacks import BatchEvent
from desktop_app.gui.probe_lab.inputs import DRAW, PLANE
from desktop_app.gui.probe_lab.subject import WeightTap
from desktop_app.plugin_system import current_registry
from desktop_app.project import example_path, load_project
from desktop_app.project.predict import predict
from desktop_app.project.run import build_run
from tests.gui.runs import WAIT, example, start_long_run, stop_and_wait, train_to_end


def open_lab(qtbot, window):
    lab = window.probe_lab
    lab.open_action.trigger()
    qtbot.waitUntil(lambda: lab.on_show and lab.subject is not None, timeout=WAIT)
    return lab


def trained_window(qtbot, make_window, name="digits_mlp"):
    window = make_window(example(name, epochs=1, early_stopping=None))
    train_to_end(qtbot, window)
    return window


def draw_vertical_stroke(qtbot, board, column: float, top: float, bottom: float) -> None:
    """Press, drag and release the mouse on the board, as a user draws."""
    points = [board.cell_centre(row, column).toPoint() for row in np.linspace(top, bottom, 8)]
    qtbot.mousePress(board, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(board, pos=point)
    qtbot.mouseRelease(board, Qt.MouseButton.LeftButton, pos=points[-1])


def test_a_vertical_stroke_on_the_board_gives_the_models_prediction_for_that_array(qtbot, make_window):
    window = trained_window(qtbot, make_window)
    lab = open_lab(qtbot, window)
    lab.inputs.kind.setCurrentText(DRAW)
    draw_vertical_stroke(qtbot, lab.inputs.board, column=4.0, top=1.0, bottom=7.0)
    ink = lab.inputs.board.ink
    assert ink[1:7, 3:5].min() == 1.0  # the stroke, inked fully down the middle columns
    assert ink[:, :2].max() == 0.0 and ink[:, 6:].max() == 0.0  # and nothing far from it
    drawn = (ink * 16.0).reshape(1, 64).astype(np.float32)  # the digits' scale: 0..16
    run = window.training.controller.trained_run()
    expected = predict(run.model, run.loss, run.preprocessing, drawn, "test")
    np.testing.assert_array_equal(lab.bars.probabilities, expected.probabilities[0])
    scaled = run.preprocessing.scaler.transform(drawn)
    every_node = run.model.activations(scaled)
    shown = {row.node: row.grid for row in lab.activations.rows}
    assert list(shown) == run.model.order
    np.testing.assert_allclose(shown["relu"][np.isfinite(shown["relu"])], every_node["relu"][0])


def numpy_pca(values: np.ndarray) -> np.ndarray:
    """Independent of the app's SVD route: the covariance matrix's leading eigenvectors."""
    centred = values - values.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(centred, rowvar=False))
    return centred @ eigenvectors[:, np.argsort(eigenvalues)[::-1][:2]]


def test_the_point_map_places_the_validation_samples_by_numpys_pca(qtbot, make_window):
    window = trained_window(qtbot, make_window)
    lab = open_lab(qtbot, window)
    lab.tabs.setCurrentWidget(lab.point_map)
    assert lab.point_map.layer.currentText() == "relu"  # the layer that feeds the output
    run = window.training.controller.trained_run()
    validation = run.data.dataset.x[run.data.val_indices]
    hidden = run.model.activations(run.preprocessing.scaler.transform(validation))["relu"].astype(np.float64)
    expected = numpy_pca(hidden)
    x, y = lab.point_map.scatter.getData()
    assert len(x) == len(validation)
    for shown, axis in ((x, 0), (y, 1)):
        sign = np.sign(shown @ expected[:, axis])
        np.testing.assert_allclose(shown, sign * expected[:, axis], rtol=1e-6, atol=1e-6)
    lab.point_map.sample_hovered.emit(7)  # what hovering over the eighth point sends
    assert not lab.hover.pixmap().isNull()
    truth = run.data.dataset.y[run.data.val_indices[7]]
    assert lab.hover.toolTip() == f"validation sample 7: {truth}"
    lab.point_map.sample_clicked.emit(7)  # and a click on it
    np.testing.assert_array_equal(lab.inputs.current_input()[0], validation[7:8])
    expected = predict(run.model, run.loss, run.preprocessing, validation[7:8], "test")
    np.testing.assert_array_equal(lab.bars.probabilities, expected.probabilities[0])


def test_the_point_map_follows_a_run_epoch_by_epoch_when_asked(qtbot, make_window):
    window = make_window(example("digits_mlp", epochs=500, early_stopping=None))
    lab = open_lab(qtbot, window)
    lab.tabs.setCurrentWidget(lab.point_map)
    lab.point_map.follow.setChecked(True)
    start_long_run(qtbot, window)
    lab.open_action.trigger()  # Train brought the training plots forward
    epochs = []

    def mapped_at_a_later_epoch() -> bool:
        found = re.search(r"epoch (\d+)\)", lab.point_map.caption.text())
        if found and int(found[1]) not in epochs:
            epochs.append(int(found[1]))
        return len(epochs) >= 2

    qtbot.waitUntil(mapped_at_a_later_epoch, timeout=WAIT)
    assert epochs[1] > epochs[0]
    window.training.pause.trigger()
    qtbot.waitUntil(lambda: "paused" in lab.subject_label.text(), timeout=WAIT)
    stop_and_wait(qtbot, window)


def click_unit(qtbot, lab, node: str, unit: int) -> None:
    where = lab.activations.unit_rect(node, unit).center()
    qtbot.mouseClick(lab.activations, Qt.MouseButton.LeftButton, pos=where)


def test_clicking_a_dense_unit_shows_exactly_its_weight_column_as_a_picture(qtbot, make_window):
    window = trained_window(qtbot, make_window)
    lab = open_lab(qtbot, window)
    click_unit(qtbot, lab, "hidden", 37)
    assert lab.tabs.currentWidget() is lab.unit_view
    kernel = window.training.controller.trained_model().layers["hidden"].params["kernel"]
    np.testing.assert_array_equal(lab.unit_view.weights, kernel[:, 37])
    picture = lab.unit_view.picture.pixmap()
    assert picture.width() == picture.height()  # 8x8 pixels' weights drawn as a square picture
    assert "unit 37" in lab.unit_view.title.text()
    click_unit(qtbot, lab, "logits", 2)  # reads hidden units, not pixels
    logits = window.training.controller.trained_model().layers["logits"].params["kernel"]
    np.testing.assert_array_equal(lab.unit_view.weights, logits[:, 2])


def test_zeroing_a_unit_changes_the_outputs_as_by_hand_and_undo_restores_the_weights(qtbot, make_window):
    window = trained_window(qtbot, make_window)
    lab = open_lab(qtbot, window)
    model = window.training.controller.trained_model()
    before = {name: array.copy() for name, array in model.layers["hidden"].params.items()}
    relu_before = lab.last_probe.activations["relu"][0].copy()
    window.training.controller.unsaved_weights = False  # as if just saved
    click_unit(qtbot, lab, "hidden", 3)
    qtbot.mouseClick(lab.unit_view.zero, Qt.MouseButton.LeftButton)
    assert np.all(model.layers["hidden"].params["kernel"][:, 3] == 0)
    assert model.layers["hidden"].params["bias"][3] == 0
    relu = relu_before.copy()
    relu[3] = 0.0  # by hand: the unit outputs 0, the others are as they were
    np.testing.assert_array_equal(lab.last_probe.activations["relu"][0], relu)
    logits = model.layers["logits"].params
    by_hand = relu @ logits["kernel"] + logits["bias"]
    np.testing.assert_allclose(lab.last_probe.activations["logits"][0], by_hand, rtol=1e-5, atol=1e-6)
    assert window.training.controller.unsaved_weights
    assert window.project_weights.label.text() == "Weights: trained, not saved"
    assert window.actions.undo.text().endswith("Zero unit 3 of hidden")
    window.actions.undo.trigger()
    for name, array in before.items():
        np.testing.assert_array_equal(model.layers["hidden"].params[name], array)
    np.testing.assert_array_equal(lab.last_probe.activations["relu"][0], relu_before)


def test_scaling_a_layer_changes_the_validation_accuracy_shown(qtbot, make_window):
    window = trained_window(qtbot, make_window)
    lab = open_lab(qtbot, window)
    click_unit(qtbot, lab, "logits", 0)
    trained = lab.unit_view.accuracy.text()
    lab.unit_view.factor.setValue(0.0)
    qtbot.mouseClick(lab.unit_view.scale, Qt.MouseButton.LeftButton)
    run = window.training.controller.trained_run()
    labels = run.data.dataset.y[run.data.val_indices]
    # every logit 0: the first class wins everywhere
    assert lab.unit_view.accuracy.text() == f"Validation accuracy: {100 * np.mean(labels == 0):.1f} %"
    assert lab.unit_view.accuracy.text() != trained
    window.actions.undo.trigger()
    assert lab.unit_view.accuracy.text() == trained


def test_a_fresh_network_is_probed_but_not_edited(qtbot, make_window):
    window = make_window(example("digits_cnn", epochs=1))
    lab = open_lab(qtbot, window)
    assert lab.subject.kind == "untrained" and "seed 0" in lab.subject_label.text()
    assert [row.node for row in lab.activations.rows] == lab.subject.run.model.order
    assert lab.activations.rows[1].grid.shape == (8, 16 * 9 - 1)  # 16 channel tiles, 1-cell gaps
    click_unit(qtbot, lab, "hidden", 0)
    assert not lab.unit_view.zero.isEnabled()


def test_during_a_run_the_lab_probes_a_copy_taken_between_batches(qtbot, make_window):
    window = make_window(example("digits_mlp", epochs=500, early_stopping=None))
    lab = open_lab(qtbot, window)
    controller = start_long_run(qtbot, window)
    lab.open_action.trigger()  # Train brought the training plots forward
    qtbot.waitUntil(lambda: lab.subject is not None and lab.subject.kind == "training", timeout=WAIT)
    training_model = controller.bridge.run.model
    assert lab.subject.run.model is not training_model
    window.training.pause.trigger()
    qtbot.waitUntil(lambda: "paused" in lab.subject_label.text(), timeout=WAIT)
    for key, array in training_model.get_weights().items():  # parked: the copy is the model as it is
        np.testing.assert_array_equal(lab.subject.run.model.get_weights()[key], array)
    assert not lab.unit_view.zero.isEnabled()
    stop_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: lab.subject is not None and lab.subject.kind == "trained", timeout=WAIT)


def test_a_click_on_the_plane_probes_that_point(qtbot, make_window):
    window = make_window(example("spiral_mlp", epochs=1))
    lab = open_lab(qtbot, window)
    assert lab.inputs.kind.currentText() == PLANE  # the default input of 2-D data
    box = lab.inputs.plane.getPlotItem().vb
    # the plot has taken its place and the data's range (the spiral spans about -1..1)
    qtbot.waitUntil(lambda: box.viewRange()[0][0] < -1 < 1 < box.viewRange()[0][1], timeout=WAIT)
    target = box.mapViewToScene(QPointF(0.3, -0.2))
    qtbot.mouseClick(lab.inputs.plane.viewport(), Qt.MouseButton.LeftButton,
                     pos=lab.inputs.plane.mapFromScene(target))
    point = lab.inputs.current_input()[0]
    np.testing.assert_allclose(point[0], [0.3, -0.2], atol=0.05)
    run = lab.subject.run
    expected = predict(run.model, run.loss, run.preprocessing, point, "test")
    np.testing.assert_array_equal(lab.bars.probabilities, expected.probabilities[0])


def test_a_network_that_cannot_be_built_is_named_not_probed(qtbot, make_window):
    project = example("digits_mlp", epochs=1)
    project.nodes[0].config["shape"] = [3]  # the dataset's samples have 64 values
    window = make_window(project)
    lab = window.probe_lab
    lab.open_action.trigger()
    qtbot.waitUntil(lambda: "cannot be probed" in lab.subject_label.text(), timeout=WAIT)
    assert lab.subject is None and lab.activations.rows == []
    assert "(64,)" in lab.subject_label.text() and "(3,)" in lab.subject_label.text()


def test_the_tap_takes_no_copy_while_the_last_one_is_still_being_looked_at(qtbot):
    """A small network's epochs end faster than the lab redraws: copies must not pile up in the
    window's event queue (they once froze it for minutes)."""
    run = build_run(load_project(example_path("xor_mlp")), registry=current_registry())
    tap = WeightTap()
    copies = []
    tap.copied.connect(copies.append)  # direct here: the test calls from this thread
    batch = BatchEvent(1, 1, 4, 1, 0.5, 0.01, {}, 1.0, 8)
    tap.wanted = True
    tap(run, batch)
    tap.wanted = True
    tap(run, batch)  # the first copy has not been shown yet
    assert len(copies) == 1 and tap.wanted
    for key, array in run.model.get_weights().items():
        np.testing.assert_array_equal(copies[0].weights[key], array)
    tap.in_flight = False  # the lab is done with it
    tap(run, batch)
    assert len(copies) == 2 and not tap.wanted


def test_a_run_that_trains_the_probed_model_takes_it_out_of_the_labs_hands(qtbot, make_window):
    """Train again resumes the kept run: its model is trained on the training thread, where a probe
    from the window would race the optimizer and overwrite the layers' caches for backward."""
    window = make_window(example("digits_mlp", epochs=300, early_stopping=None))
    lab = open_lab(qtbot, window)
    controller = window.training.controller
    controller.start()
    stop_and_wait(qtbot, window)
    kept = controller.trained_model()
    lab.open_action.trigger()
    assert lab.subject.run.model is kept
    controller.start()  # the same run, resumed: it trains ``kept`` itself
    assert lab.subject is None
    lab.open_action.trigger()
    assert lab.subject is None or lab.subject.kind == "training"
    qtbot.waitUntil(lambda: lab.subject is not None and lab.subject.kind == "training", timeout=WAIT)
    assert controller.bridge.run.model is kept and lab.subject.run.model is not kept
    stop_and_wait(qtbot, window)


def test_the_lab_behind_the_training_plots_looks_at_nothing(qtbot, make_window):
    window = make_window(example("spiral_mlp", epochs=2))
    lab = window.probe_lab
    train_to_end(qtbot, window)
    assert not lab.on_show and lab.subject is None and lab.activations.rows == []
    lab.open_action.trigger()
    assert lab.on_show and lab.subject.kind == "trained"
    window.docks["training"].raise_()  # tabbed away again
    assert not lab.on_show


def test_the_board_tools_erase_blur_clear_and_copy_a_sample(qtbot, make_window):
    window = make_window(example("digits_mlp", epochs=1))
    lab = open_lab(qtbot, window)
    board, inputs = lab.inputs.board, lab.inputs
    draw_vertical_stroke(qtbot, board, column=4.0, top=1.0, bottom=7.0)
    qtbot.mouseClick(inputs.eraser, Qt.MouseButton.LeftButton)
    draw_vertical_stroke(qtbot, board, column=4.0, top=0.0, bottom=3.5)
    assert board.ink[:3, 3:5].max() == 0.0 and board.ink[5:7, 3:5].min() == 1.0
    inked = board.ink.sum()
    qtbot.mouseClick(inputs.blur, Qt.MouseButton.LeftButton)
    assert board.ink[5:7, 2].min() > 0.0  # spread to the next column...
    assert board.ink.sum() <= inked  # ...taking ink from the stroke (none comes from beyond the edges)
    qtbot.mouseClick(inputs.clear, Qt.MouseButton.LeftButton)
    assert board.ink.max() == 0.0
    inputs.kind.setCurrentText("Validation sample")
    inputs.sample.setValue(5)
    qtbot.mouseClick(inputs.from_sample, Qt.MouseButton.LeftButton)
    assert inputs.kind.currentText() == DRAW
    run = lab.subject.run
    sample = run.data.dataset.x[run.data.val_indices[5]]
    np.testing.assert_allclose(board.ink.ravel() * 16.0, sample)  # 0..16 on the board's 0..1
    np.testing.assert_allclose(inputs.current_input()[0][0], sample, rtol=1e-6)


def test_a_regression_model_is_probed_by_its_samples(qtbot, make_window):
    window = make_window(example("sine_regression", epochs=1))
    lab = open_lab(qtbot, window)
    assert [lab.inputs.kind.itemText(i) for i in range(lab.inputs.kind.count())] == [
        "Validation sample", "Training sample"]
    lab.inputs.sample.setValue(3)
    run = lab.subject.run
    x = run.data.dataset.x[run.data.val_indices[3:4]]
    expected = predict(run.model, run.loss, run.preprocessing, x, "test")
    np.testing.assert_array_equal(lab.bars.values, expected.values[0])
    assert lab.bars.probabilities is None
    lab.tabs.setCurrentWidget(lab.point_map)
    assert len(lab.point_map.scatter.getData()[0]) == len(run.data.val_indices)
