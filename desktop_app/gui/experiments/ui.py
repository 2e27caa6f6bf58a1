"""The window's runs: ``RunsUI`` keeps every run the window trains and adds the Runs panel.

Runs are listed from the project's run folder (``desktop_app.project.run_store``), so those the
CLI trained show too; the list is read again when a run is kept, the project's file changes or
the panel is shown. A project never saved keeps its runs in a folder of this window's
(``unsaved_root``); when it is first saved they move to the file's runs folder. Using a run's
weights makes them the trained model (predictions, File > Export, and the next Train continue
from them); restoring a run's project is one undo step.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ...data.errors import DataError
from ...fileio import WeightsFileError, atomic_write_text, load_weights
from ...project.errors import ProjectError
from ...project.report import report_html
from ...project.run import RunOverrides, build_run
from ...project.run_store import (
    KeptRun,
    RunStoreError,
    delete_run,
    move_runs,
    new_unsaved_key,
    runs_home,
    runs_in,
    set_notes,
    unsaved_root,
)
from ...project.sweep import Config, describe
from ...registry import Registry
from ...run_plots import plot_pngs
from ..dataset_panel import DatasetPanel
from ..document import ProjectDocument
from ..log_panel import LogPanel
from ..training.controller import TrainingController
from ..window_parts import WindowParts
from .panel import RunsPanel
from .recorder import RunRecorder
from .sweep_dialog import SweepDialog, config_edit

SNAPSHOT_SECTIONS = ("model", "dataset", "training")


class RunsUI(QObject):
    """The recorder, the Runs dock and what its buttons do, for one window."""

    def __init__(self, parts: WindowParts, document: ProjectDocument, registry: Registry,
                 controller: TrainingController, dataset: DatasetPanel, log: LogPanel) -> None:
        super().__init__(parts.widget)
        self.widget = parts.widget
        self.document, self.registry, self.controller = document, registry, controller
        self.dataset, self.log = dataset, log
        self._unsaved_home = self._new_unsaved_home()
        self.recorder = RunRecorder(controller, document.project, self.home, self)
        self.panel = RunsPanel()
        self.sweep_dialog: SweepDialog | None = None
        self.dock = parts.add_dock("runs", "Runs", self.panel, Qt.DockWidgetArea.BottomDockWidgetArea,
                                   tab_with="training")
        self._connect()
        self.refresh()

    def _connect(self) -> None:
        panel, document = self.panel, self.document
        self.recorder.kept.connect(self._kept)
        self.recorder.failed.connect(lambda text: self.log.log(text, "error"))
        document.replaced.connect(self._replaced)  # emitted before path_changed
        document.path_changed.connect(self._path_changed)
        self.dock.visibilityChanged.connect(lambda visible: visible and self.refresh())
        panel.use_weights_requested.connect(self.use_weights)
        panel.restore_requested.connect(self.restore_project)
        panel.rename_requested.connect(self._ask_rename)
        panel.note_requested.connect(self._ask_note)
        panel.delete_requested.connect(self._ask_delete)
        panel.sweep_requested.connect(self.show_sweep)
        panel.report_requested.connect(self._ask_report)
        self.widget.installEventFilter(self)  # a sweep on stops when the window closes

    # --- the list -------------------------------------------------------------------------------------
    def home(self) -> Path:
        """The folder the project's runs are kept in."""
        path = self.document.path
        return runs_home(path) if path is not None else self._unsaved_home

    def runs(self) -> list[KeptRun]:
        return runs_in(self.home(), self.document.path)

    def refresh(self) -> None:
        self.panel.show_runs(self.runs(), f"Runs kept in {self.home()}")

    def _kept(self, run: KeptRun) -> None:
        self.log.log(f"Run kept in {run.folder} ({run.status})")
        self._follow_project()
        if self.dock.isVisible():  # else the list is read when the panel is shown
            self.refresh()

    def _new_unsaved_home(self) -> Path:
        return unsaved_root(self.document.data.get("name", ""), new_unsaved_key())

    def _replaced(self) -> None:
        """Another project: if it is never saved, its runs get a folder of their own."""
        self._unsaved_home = self._new_unsaved_home()
        self.refresh()

    def _path_changed(self) -> None:
        self._follow_project()
        self.refresh()

    def _follow_project(self) -> None:
        """Once the project has a file, move the runs it kept unsaved (a sweep may still be adding
        some) into that file's runs folder."""
        if self.document.path is None:
            return
        home = self.home()
        try:
            moved = move_runs(self._unsaved_home, home)
        except OSError as error:
            source = self._unsaved_home
            self._report("Cannot move the project's runs",
                         f"{source} -> {home}: {error}; the runs are still in {source}")
            return
        if moved:
            self.log.log(f"Moved {len(moved)} run(s) of the project, trained before it was saved, to {home}")

    # --- actions ----------------------------------------------------------------------------------------
    def use_weights(self, run: KeptRun) -> bool:
        """Make the run's weights the trained model of the project's network (False: they do not fit)."""
        if self.controller.state != "idle" or run.weights_path is None:
            return False
        try:
            weights = load_weights(run.weights_path)
            trained = build_run(self.document.project(), RunOverrides(weights=weights),
                                registry=self.registry, dataset=self.dataset.dataset)
        except (ProjectError, DataError, WeightsFileError, ValueError, OSError) as error:
            self._report("Cannot use the run's weights", f"{run.label}: {error}")
            return False
        self.controller.adopt(trained)
        self.controller.unsaved_weights = True  # the project does not record them yet
        self.recorder.origin = run.id
        self.log.log(f"Using the weights of run {run.label}: predict, export or train on "
                                  "from them")
        return True

    def restore_project(self, run: KeptRun) -> bool:
        """Make the project's network, data and training settings the run's (one undo step)."""
        if self.controller.state != "idle":
            return False
        try:
            snapshot = run.snapshot().to_json()
        except (ProjectError, RunStoreError) as error:
            self._report("Cannot restore the run's project", str(error))
            return False

        def change(data: dict) -> None:
            for section in SNAPSHOT_SECTIONS:
                data[section] = snapshot[section]

        self.document.edit(f"Restore the project of run {run.label}", change)
        self.log.log(f"Restored the network and settings of run {run.label} (Undo reverts it)")
        return True

    def show_sweep(self) -> SweepDialog:
        """The sweep dialog (one per window, kept between uses)."""
        if self.sweep_dialog is None:
            self.sweep_dialog = SweepDialog(self.document.project, self.registry,
                                            self.apply_config, self.home, self.widget)
            self.sweep_dialog.run_kept.connect(self._follow_project)
            self.sweep_dialog.run_kept.connect(self.refresh)
        self.sweep_dialog.show()
        self.sweep_dialog.raise_()
        return self.sweep_dialog

    def apply_config(self, config: Config) -> None:
        """Set a sweep config's values in the project (one undo step)."""
        self.document.edit(f"Apply sweep settings {describe(config)}", config_edit(config))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        closing = watched is self.widget and event.type() == QEvent.Type.Close
        if closing and self.sweep_dialog is not None:
            self.sweep_dialog.stop_and_wait()
        return False

    def _ask_report(self, runs: list[KeptRun]) -> None:
        folder = runs[0].folder.parent
        path, _ = QFileDialog.getSaveFileName(self.widget, "Write a report",
                                              str(folder / "report.html"), "HTML page (*.html)")
        if path:
            self.write_report(runs, Path(path))

    def write_report(self, runs: list[KeptRun], path: Path) -> bool:
        """Write ``runs`` as one HTML page (plots, settings, final metrics) to ``path``."""
        try:
            atomic_write_text(path, report_html(runs, plot_pngs(runs)))
        except OSError as error:
            self._report("Cannot write the report", f"{path}: {error.strerror}")
            return False
        self.log.log(f"Wrote the report {path}")
        return True

    def _ask_rename(self, run: KeptRun) -> None:
        name, ok = QInputDialog.getText(self.widget, "Rename run", "Name:", text=run.notes.get("name", ""))
        if ok:
            self._set_notes(run, name=name)

    def _ask_note(self, run: KeptRun) -> None:
        note, ok = QInputDialog.getMultiLineText(self.widget, "Note", f"Note on {run.label}:",
                                                 run.notes.get("note", ""))
        if ok:
            self._set_notes(run, note=note)

    def _set_notes(self, run: KeptRun, **notes: str) -> None:
        try:
            set_notes(run, **notes)
        except OSError as error:
            self._report("Cannot change the run", f"{run.folder}: {error.strerror}")
        self.refresh()

    def _ask_delete(self, runs: list[KeptRun]) -> None:
        names = ", ".join(run.label for run in runs)
        answer = QMessageBox.question(self.widget, "Delete runs",
                                      f"Delete {len(runs)} run(s) and all their files?\n{names}",
                                      defaultButton=QMessageBox.StandardButton.No)  # Enter keeps them
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(runs)

    def delete(self, runs: list[KeptRun]) -> None:
        for run in runs:
            try:
                delete_run(run)
            except OSError as error:
                self._report("Cannot delete the run", f"{run.folder}: {error.strerror}")
                break
            self.log.log(f"Deleted the run {Path(run.folder)}")
        self.refresh()

    def _report(self, title: str, message: str) -> None:
        self.log.log(message, "error")
        QMessageBox.warning(self.widget, title, message)

