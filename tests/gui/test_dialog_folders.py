"""Save and export dialogs open beside the project, and in the home folder for a shipped example
(whose folder is inside the installed app: a file saved there is lost on upgrade, and the
example's own name would write over it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from desktop_app.project.examples import example_path


def offered_paths(monkeypatch) -> list[Path]:
    """Records the path each save dialog offers, and cancels it."""
    offered: list[Path] = []

    def ask(_parent, _title, directory, *_args, **_kwargs):
        offered.append(Path(directory))
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    return offered


def test_saving_a_shipped_example_offers_its_name_in_the_home_folder(make_window, monkeypatch):
    offered = offered_paths(monkeypatch)
    window = make_window()  # the digits_mlp example
    window.actions.save.trigger()
    assert offered == [Path.home() / "digits_mlp.bps.json"]


def test_exporting_a_shipped_example_offers_the_home_folder(make_window, monkeypatch):
    offered = offered_paths(monkeypatch)
    window = make_window()
    window.export_menu.ask_and_export("npz")
    window.export_menu.ask_and_export_pytorch()
    assert offered == [Path.home() / "digits_mlp.npz", Path.home() / "digits_mlp-pytorch"]
    assert not any(path.parent == example_path("digits_mlp").parent for path in offered)


def test_a_saved_project_is_offered_its_own_folder(make_window, monkeypatch, tmp_path):
    window = make_window()
    assert window.save_as(tmp_path / "mine.bps.json")
    offered = offered_paths(monkeypatch)
    window.actions.save_as.trigger()
    window.export_menu.ask_and_export("npz")
    assert offered == [tmp_path.resolve() / "mine.bps.json", tmp_path.resolve() / "mine.npz"]
