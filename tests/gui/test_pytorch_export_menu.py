"""File > Export > PyTorch project…: the folder the dialog names gets the trained network as a
PyTorch project, written in the background; a failure is shown; a file it reads is never
written over."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.gui.exporting import PYTORCH_LABEL
from desktop_app.project import load_project, save_project
from desktop_app.project.document import DatasetRef
from tests.export.pytorch_runs import builtin_registry, export, require_torch
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


def test_the_window_never_writes_the_export_over_the_dataset_it_reads(make_window, qtbot, monkeypatch,
                                                                      tmp_path, dialogs):
    """The user's data.npz in the folder of an earlier export: until this change the window's
    export (unlike the CLI's) replaced it with its own data.npz."""
    require_torch()
    folder = tmp_path / "xor-pytorch"
    export(example("xor_mlp", epochs=1), builtin_registry(), folder)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 10, dtype=np.float64)
    np.savez(folder / "data.npz", x=x, y=(x[:, 0] != x[:, 1]).astype(np.int64))
    mine = (folder / "data.npz").read_bytes()
    project = example("xor_mlp", epochs=1)
    project.dataset = DatasetRef("numpy", {"path": str(folder / "data.npz")})
    window = make_window(load_project(save_project(project, tmp_path / "xor.bps.json")))
    train_to_end(qtbot, window)
    export_from_menu(window, monkeypatch, folder)
    qtbot.waitUntil(lambda: any(kind == "warning" for kind, _title, _text in dialogs.shown), timeout=WAIT)
    [text] = [text for kind, _title, text in dialogs.shown if kind == "warning"]
    assert f"{folder / 'data.npz'}: that is the dataset's file ($.dataset.options.path)" in text
    assert (folder / "data.npz").read_bytes() == mine

