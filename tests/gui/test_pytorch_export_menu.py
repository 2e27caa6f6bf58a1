"""File > Export > PyTorch project…: the folder the dialog names gets the trained network as a
PyTorch project, written in the background; a failure is shown."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.gui.exporting import PYTORCH_LABEL
from tests.export.pytorch_runs import require_torch
from tests.gui.runs import WAIT, example, train_to_end


def export_from_menu(window, monkeypatch, folder) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(folder), ""))
    action = next(action for action in window.export_menu.actions() if action.text() == PYTORCH_LABEL)
    action.trigger()


def test_the_menu_exports_the_trained_network_as_a_pytorch_project(make_window, qtbot, monkeypatch,
                                                                    tmp_path):
    torch = require_torch()
    window = make_window(example("xor_mlp", epochs=2))
    train_to_end(qtbot, window)
    folder = tmp_path / "xor-pytorch"
    export_from_menu(window, monkeypatch, folder)
    qtbot.waitUntil(lambda: any(f"Exported PyTorch project to {folder}" in line
                                for line in window.log_panel.lines()), timeout=WAIT)
    state = torch.load(folder / "weights.pt", weights_only=True)
    trained = window.training.controller.trained_model().get_weights()
    np.testing.assert_array_equal(state["hidden.weight"].numpy(), trained["hidden/kernel"].T)
    assert (folder / "train.py").is_file() and (folder / "model.py").is_file()


def test_a_failed_pytorch_export_is_shown(make_window, qtbot, monkeypatch, tmp_path):
    require_torch()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    window = make_window(example("xor_mlp", epochs=2))
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    export_from_menu(window, monkeypatch, folder)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    assert f"Export of PyTorch project to {folder} failed" in shown[0]
    assert "holds other files" in shown[0]
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]
