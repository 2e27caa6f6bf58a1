"""The dataset panel: built-in datasets with option forms, file import, previews, errors shown."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from desktop_app.gui.dataset_panel import importer_for
from tests.gui.window_input import choose_dataset


def input_shape(window) -> list[int]:
    return window.document.data["model"]["nodes"][0]["config"]["shape"]


def test_example_dataset_is_previewed_as_images_with_shapes_and_classes(make_window):
    window = make_window()
    panel = window.designer.dataset
    assert panel.preview.kind == "images"
    assert not panel.preview.images.pixmap().isNull()
    assert "1,797 samples of shape (64,)" in panel.info.text()
    assert "10 classes" in panel.info.text() and "0 (178)" in panel.info.text()
    assert not panel.error.isVisible()


def test_choosing_a_dataset_reshapes_the_input_in_the_same_undo_step(qtbot, make_window):
    window = make_window()
    choose_dataset(qtbot, window, "spiral")
    panel = window.designer.dataset
    assert panel.preview.kind == "scatter"
    items = panel.preview.plot.getPlotItem().items
    scatter = [item for item in items if isinstance(item, pg.ScatterPlotItem)]
    assert len(scatter) == 1 and len(scatter[0].data) == 300
    assert input_shape(window) == [2]
    assert window.designer.scene.nodes["input"].view.shape_text == "(2,)"
    assert window.document.undo_stack.count() == 1
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        window.actions.undo.trigger()
    assert window.document.data["dataset"]["type"] == "optdigits"
    assert input_shape(window) == [64]
    assert panel.preview.kind == "images"
    assert not window.document.undo_stack.canUndo()


def test_dataset_options_come_from_the_source_schema(qtbot, make_window):
    window = make_window()
    choose_dataset(qtbot, window, "spiral")
    panel = window.designer.dataset
    samples = panel.source.form.editors["n_samples"]
    assert samples.minimum() == 4
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        samples.setValue(120)
    assert window.document.data["dataset"]["options"] == {"n_samples": 120}
    assert "120 samples" in panel.info.text()


def test_tabular_data_is_previewed_as_a_table(qtbot, make_window):
    window = make_window()
    choose_dataset(qtbot, window, "iris")
    table = window.designer.dataset.preview.table
    assert window.designer.dataset.preview.kind == "table"
    assert table.rowCount() == 100 and table.columnCount() == 5
    assert table.horizontalHeaderItem(4).text() == "target"
    assert input_shape(window) == [4]
    # the Input follows the data; digits' 10 outputs do not fit iris' 3 classes, and the node says so
    assert set(window.designer.validation.errors) == {"logits"}
    assert "3 classes" in window.designer.validation.errors["logits"]


def test_preprocessing_is_an_undoable_setting(qtbot, make_window):
    window = make_window()
    scaling = window.designer.dataset.preprocessing.editors["scaling"]
    scaling.setFocus()
    qtbot.keyClicks(scaling, "minmax")
    assert window.document.data["dataset"]["scaling"] == "minmax"
    window.actions.undo.trigger()
    assert window.document.data["dataset"]["scaling"] == "standardize"
    assert scaling.currentText() == "standardize"


def test_imported_csv_is_loaded_and_the_input_follows(qtbot, make_window, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("a,b,c,label\n" + "".join(f"{i},{i * 2},{i % 3},{'xy'[i % 2]}\n" for i in range(20)))
    window = make_window()
    panel = window.designer.dataset
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.import_file(str(path))
    assert window.document.data["dataset"] == {
        "type": "csv", "options": {"path": str(path)}, "scaling": "standardize", "one_hot": False}
    assert window.document.undo_stack.undoText() == "Import points.csv"
    assert input_shape(window) == [3]
    assert "2 classes" in panel.info.text()
    assert panel.source.form.editors["path"].value() == str(path)


def test_import_error_is_shown_not_raised(qtbot, make_window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n3,oops,y\n")
    window = make_window()
    panel = window.designer.dataset
    with qtbot.waitSignal(panel.failed, timeout=10_000) as blocker:
        panel.import_file(str(bad))
    message = blocker.args[0]
    assert "bad.csv" in message and "line 3" in message and "oops" in message
    assert panel.error.isVisible() and panel.error.text() == message
    assert panel.preview.kind == ""
    assert any("line 3" in line for line in window.log_panel.lines())
    assert input_shape(window) == [64]  # the graph is untouched and still usable
    assert window.designer.graph_valid
    window.actions.undo.trigger()
    assert window.document.data["dataset"]["type"] == "optdigits"


def test_a_file_no_importer_reads_is_refused_with_the_known_endings(qtbot, make_window, tmp_path):
    window = make_window()
    panel = window.designer.dataset
    with qtbot.waitSignal(panel.failed) as blocker:
        panel.import_file(str(tmp_path / "notes.docx"))
    assert "no importer reads" in blocker.args[0] and ".csv" in blocker.args[0]
    assert not window.document.undo_stack.canUndo()


def test_importers_are_chosen_by_file_ending():
    assert importer_for("a/b/data.CSV") == ("csv", "path")
    assert importer_for("x.npz") == ("numpy", "path")
    assert importer_for("train-images-idx3-ubyte.gz") == ("idx", "images_path")
    assert importer_for("model.onnx") is None


def test_numpy_import_with_images_shows_a_grid(qtbot, make_window, tmp_path):
    path = tmp_path / "tiny.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.random((40, 1, 6, 6)).astype(np.float32), y=np.arange(40) % 10)
    window = make_window()
    panel = window.designer.dataset
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.import_file(str(path))
    assert panel.preview.kind == "images"
    assert input_shape(window) == [1, 6, 6]
    # the digits MLP's Dense cannot take images: the error names the layer and the fix
    assert "Flatten" in window.designer.validation.errors["hidden"]
    assert window.designer.scene.nodes["hidden"].view.error
    window.designer.scene.select_names(["input"])
    window.designer.palette.search.setText("flatten")
    qtbot.keyClick(window.designer.palette.search, Qt.Key.Key_Return)
    assert window.designer.graph_valid


def test_importing_the_same_file_again_after_fixing_it_reads_it_again(qtbot, make_window, tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("a,b,label\n1,2,cat\n3,oops,dog\n")
    window = make_window()
    panel = window.designer.dataset
    with qtbot.waitSignal(panel.failed, timeout=10_000):
        panel.import_file(str(path))
    steps = window.document.undo_stack.count()
    path.write_text("a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n")
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.import_file(str(path))
    assert not panel.error.isVisible()
    assert "4 samples" in panel.info.text() and "cat (2), dog (2)" in panel.info.text()
    assert window.document.undo_stack.count() == steps  # the same source: no new undo step
    assert window.designer.dataset.dataset is not None and len(window.designer.dataset.dataset) == 4
