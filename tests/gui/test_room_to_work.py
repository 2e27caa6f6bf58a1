"""Room to work: readable plots from the first start, on small screens too; export dialogs that offer
a name, add the extension and speak the user's words; plot images without widgets; the Plugins
dialog beside the window; a relaunch on the last project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from desktop_app.gui.app import startup_project
from desktop_app.gui.recent_files import RecentFiles
from desktop_app.gui.training.plot_canvas import PlotCanvas
from desktop_app.gui.window_sizes import bottom_height, first_size, side_widths
from desktop_app.project import example_path, load_project, save_project

WAIT = 20_000


def test_the_plots_are_readable_from_the_first_start_and_the_window_fits_the_screen(make_window, qtbot):
    window = make_window(size=None)
    ui = window.training
    ui.dock.raise_()
    qtbot.waitUntil(lambda: ui.plots.isVisible())
    assert ui.plots.curves.findChild(PlotCanvas).height() >= 180  # it was ~100 px
    free = window.screen().availableGeometry()
    assert window.frameGeometry().height() <= free.height() + 32  # offscreen screens draw no frame
    assert window.width() <= free.width()


def test_a_small_screen_gets_the_whole_window_with_room_for_the_canvas():
    size = first_size(QSize(1024, 700))
    assert size.width() <= 1024 and size.height() <= 700 - 40
    assert first_size(QSize(2560, 1440)) == QSize(1400, 860)
    plots = bottom_height(size.height())
    assert 300 <= plots <= size.height() // 2  # the canvas keeps at least half
    assert bottom_height(860) == 360
    palette, inspector = side_widths(size.width())
    assert palette + inspector <= size.width() // 2  # and half of its width
    assert side_widths(1400) == [240, 360]


def test_export_offers_the_project_name_adds_the_extension_and_says_what_the_file_is(
        make_window, qtbot, monkeypatch, tmp_path):
    project_file = tmp_path / "xor.bps.json"
    save_project(load_project(example_path("xor_mlp")), project_file)
    window = make_window(load_project(project_file))
    asked = {}

    def ask(_parent, title, offered, file_filter):
        asked.update(title=title, offered=offered, filter=file_filter)
        return str(tmp_path / "mine"), file_filter.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    window.export_menu.ask_and_export("onnx")
    assert Path(asked["offered"]) == tmp_path / "xor.onnx"
    assert asked["filter"].startswith("ONNX model (*.onnx);;")
    qtbot.waitUntil(lambda: (tmp_path / "mine.onnx").is_file(), timeout=WAIT)
    assert not (tmp_path / "mine").exists()

    window.training.ask_and_export_png()
    assert Path(asked["offered"]) == tmp_path / "xor.plots.png"
    assert asked["filter"].startswith("PNG image (*.png)")
    assert (tmp_path / "mine.png").is_file()


def test_exported_plot_images_hold_the_plots_without_the_tabs_widgets(make_window, qtbot, tmp_path):
    window = make_window(load_project(example_path("xor_mlp")))
    ui = window.training
    ui.dock.raise_()
    qtbot.waitUntil(lambda: ui.plots.isVisible())
    ui.plots.export_png(tmp_path / "plots.png")
    image = QImage(str(tmp_path / "plots.png"))
    canvas = ui.plots.curves.findChild(PlotCanvas)
    ratio = canvas.devicePixelRatioF()
    assert image.height() == round(canvas.height() * ratio)  # the log-scale check box is left out
    assert image.height() < round(ui.plots.curves.height() * ratio)


def test_the_plugins_dialog_leaves_the_window_usable(make_window):
    window = make_window()
    dialog = window.show_plugins()
    try:
        assert dialog.isVisible() and not dialog.isModal()
        assert dialog.windowModality() == Qt.WindowModality.NonModal
        assert window.actions.new.isEnabled()
    finally:
        dialog.close()


def test_a_relaunch_opens_the_last_project_not_the_example(settings, tmp_path):
    example = load_project(example_path("digits_mlp"))
    assert startup_project(example, None, settings) == (example, None)  # first start: the example
    last = tmp_path / "mine.bps.json"
    save_project(load_project(example_path("xor_mlp")), last)
    RecentFiles(settings).add(last)
    project, path = startup_project(example, None, settings)
    assert path == last.resolve() and project.name == load_project(last).name
    named = tmp_path / "named.bps.json"
    assert startup_project(example, named, settings) == (example, named)  # a named project wins
    last.write_text("{ not json")
    assert startup_project(example, None, settings) == (example, None)  # damaged: the example


def test_a_fitted_canvas_is_fitted_again_when_the_window_grows_until_the_user_zooms(make_window, qtbot):
    window = make_window(load_project(example_path("digits_cnn")))
    view = window.designer.view
    window.resize(1000, 620)
    qtbot.waitUntil(lambda: window.height() == 620)
    view.fit_all()
    small = view.zoom_level()
    window.resize(1700, 1150)
    qtbot.waitUntil(lambda: view.zoom_level() > small)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.scene().nodes_rect())
    view.zoom_by(0.8)
    zoomed = view.zoom_level()
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: window.height() == 700)
    assert view.zoom_level() == zoomed  # the user's zoom is kept


def test_a_long_status_message_is_elided_with_the_whole_text_as_tooltip(make_window, tmp_path):
    window = make_window()
    width = window.width()
    folder = tmp_path.joinpath(*["a-rather-long-folder-name"] * 12)
    folder.mkdir(parents=True)
    assert window.save_as(folder / "net.bps.json")
    bar = window.statusBar()
    shown = bar.currentMessage()
    assert "…" in shown and shown.endswith("net.bps.json")
    assert bar.fontMetrics().horizontalAdvance(shown) < bar.width()
    assert bar.toolTip() == f"Saved {(folder / 'net.bps.json').resolve()}"
    assert window.width() == width


def test_the_summary_columns_are_as_wide_as_their_content(make_window):
    window = make_window()
    table = window.designer.summary.table
    header = table.horizontalHeader()
    parameters = header.sectionSize(3)
    widest = max(table.fontMetrics().horizontalAdvance(table.item(row, 3).text())
                 for row in range(table.rowCount()))
    title = header.fontMetrics().horizontalAdvance("Parameters")
    assert parameters <= max(widest, title) + 40 < table.viewport().width() // 2


def test_the_training_status_gives_way_on_a_narrow_window(make_window, qtbot):
    window = make_window(load_project(example_path("xor_mlp")), size=(1024, 652))
    ui = window.training
    text = "Trained: epoch 30/30 (completed, best epoch 30)  loss 0.03227  accuracy 0.9972  " * 3
    ui.progress.finish(text)
    label = ui.progress.label
    qtbot.waitUntil(lambda: label.shown_text() != text)
    assert label.shown_text().endswith("…") and label.text() == text and label.toolTip() == text
    assert window.width() == 1024 and window.project_weights.label.isVisible()
