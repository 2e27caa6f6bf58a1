"""The training part of the window: a Training menu and toolbar, the plots dock, status-bar progress.

It adds them through ``WindowParts`` and talks to the named collaborators it is given (the
document, the designer and its dataset panel, the log, File > Export, the edit lock), never to
the window. Train is enabled when the designer says the graph is valid, the dataset has loaded
and no run is on (else its tooltip says why); a run locks the project (``EditLock``). The
learning-rate box is the project's rate, and also the running optimizer's during a run. Another
project loaded starts every view over. Saving the trained weights points the project at them
(one undo step); File > Export writes the trained model once there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QStyle

from ...data.errors import DataError
from ...engine.callbacks import History
from ...project.exporting import TrainedModel, project_title
from ...project.history import history_summary
from ...registry import Registry
from .. import settings_edits
from ..canvas.style import accent_colors
from ..dataset_panel import DatasetPanel
from ..designer import Designer
from ..document import ProjectDocument
from ..edit_lock import EditLock
from ..exporting import ExportMenu, ask_save_path
from ..health.divergence_notice import DivergenceNotice
from ..health.tab import HealthTab
from ..log_panel import LogPanel
from ..unsaved_work import confirm_reset
from ..window_parts import WindowParts
from .bridge import Progress, RunStarted
from .checks_menu import ChecksMenu
from .clock import Clock, monotonic
from .controller import TrainingController, project_weights_edit, relative_to_project
from .learning_rate import LearningRateBox
from .live_knobs import LiveKnobs
from .plots import TrainingPlots
from .progress import ProgressDisplay
from .readiness import TRAIN_TIP, train_blocker

Icon = QStyle.StandardPixmap
# The Training menu's groups, in order; the step-through and the probe lab add to "diagnosis".
MENU_GROUPS = ("run", "diagnosis", "live", "results")


class TrainingUI(QObject):
    """Owns the controller and the training widgets of one window.

    ``edit_lock`` is what a run locks (the window knows its panels and actions); ``export_menu`` is
    File > Export, which then writes the model trained here; ``clock`` is what every rate limit
    of the training part reads.
    """

    def __init__(self, parts: WindowParts, document: ProjectDocument, registry: Registry,
                 designer: Designer, dataset: DatasetPanel, log: LogPanel, export_menu: ExportMenu,
                 edit_lock: EditLock, clock: Clock = monotonic) -> None:
        super().__init__(parts.widget)
        self.parts = parts
        self.document = document
        self.registry = registry
        self.designer = designer
        self.dataset = dataset
        self.log = log
        self.export_menu = export_menu
        self.edit_lock = edit_lock
        self.controller = TrainingController(document.project, registry, clock, parent=self)
        self.plots = TrainingPlots(self.controller.record, self.layer_colors, clock)
        self.dock = parts.add_dock("training", "Training", self.plots,
                                   Qt.DockWidgetArea.BottomDockWidgetArea, tab_with="log")
        self.health = HealthTab(self.controller.health, self.plots, document, registry, designer.scene.nodes,
                                self.layer_colors)
        self.progress = ProgressDisplay(parts.status_bar(), clock)
        self._make_actions()
        self._make_menu()
        self._make_toolbar()
        self._connect()
        self.divergence = DivergenceNotice(self.health, self.dock, parts.status_bar(), log, self.controller)
        export_menu.model_provider = self.export_model
        self._update_actions()

    # --- building -----------------------------------------------------------------------------------
    def _action(self, text: str, icon: Icon | None, shortcut: str, tip: str) -> QAction:
        action = QAction(text, self.parts.widget)
        if icon is not None:
            action.setIcon(self.parts.widget.style().standardIcon(icon))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        return action

    def _make_actions(self) -> None:
        self.train = self._action("&Train", Icon.SP_MediaPlay, "F5", TRAIN_TIP)
        self.pause = self._action("&Pause", Icon.SP_MediaPause, "F6", "Pause or resume training")
        self.pause.setCheckable(True)
        self.stop = self._action("&Stop", Icon.SP_MediaStop, "Shift+F5",
                                 "Stop after this batch, keeping the weights")
        self.reset = self._action("&Reset Weights", Icon.SP_BrowserReload, "",
                                  "Forget the trained weights: the next run starts from the seed's")
        self.save_weights = self._action("Save Trained &Weights…", Icon.SP_DialogSaveButton, "",
                                         "Save the trained weights and make them the project's")
        self.predict = self._action("Pre&dict on Samples", None, "",
                                    "Run the trained model on a few held-out samples")
        self.export_png = self._action("Export Pl&ots as PNG…", None, "",
                                       "Save the plots on screen as an image")
        self.export_csv = self._action("Export Plot D&ata as CSV…", None, "",
                                       "Save the per-epoch and per-batch series as CSV")
        self.learning_rate = LearningRateBox(self.parts.widget)

    def _make_menu(self) -> None:
        """Run control, then the diagnosis tools, live settings, and what a trained network gives;
        its dock's toggle is in View > Panels."""
        parts = self.parts
        self.menu = parts.add_menu("training", "T&raining", groups=MENU_GROUPS)
        self.checks = ChecksMenu(parts.widget, self.controller, self.document, self.registry,
                                 self.designer, self.dataset, self._set_learning_rate)
        self.live_knobs = LiveKnobs(parts.widget, self.controller, self.document, self.registry,
                                    self.plots.curves)
        parts.add_to_menu("training", "run", self.train, self.pause, self.stop, self.reset)
        parts.add_to_menu("training", "diagnosis", self.checks.check, self.checks.gradients)
        parts.add_to_menu("training", "live", self.live_knobs.action)
        parts.add_to_menu("training", "results", self.save_weights, self.predict, self.export_menu,
                          self.export_png, self.export_csv)

    def _make_toolbar(self) -> None:
        self.toolbar = self.parts.add_toolbar("training", "Training")
        self.toolbar.addActions([self.train, self.pause, self.stop, self.reset])
        self.toolbar.addSeparator()
        self.toolbar.addWidget(QLabel(" Learning rate ", self.toolbar))
        self.toolbar.addWidget(self.learning_rate)

    def _connect(self) -> None:
        controller = self.controller
        self.train.triggered.connect(controller.start)
        self.pause.toggled.connect(lambda on: controller.pause() if on else controller.resume())
        self.stop.triggered.connect(controller.stop)
        self.reset.triggered.connect(
            lambda: confirm_reset(self.parts.widget, "Reset Weights", controller)
            and controller.reset_weights())
        self.save_weights.triggered.connect(lambda: self.ask_and_save_weights())
        self.predict.triggered.connect(self.show_predictions)
        self.plots.predictions.requested.connect(self.show_predictions)
        self.export_png.triggered.connect(lambda: self.ask_and_export_png())
        self.export_csv.triggered.connect(lambda: self.ask_and_export_csv())
        self.learning_rate.committed.connect(self._set_learning_rate)
        self.plots.curves.log_loss.toggled.connect(self.plots.redraw)
        self.plots.currentChanged.connect(self._tab_changed)
        self.dock.visibilityChanged.connect(self._watch)  # closed, opened, or tabbed away
        controller.state_changed.connect(self._state_changed)
        controller.state_changed.connect(lambda state: self.health.set_idle(state == "idle"))
        self.health.applied.connect(lambda text: self.log.log(f"Health: applied \"{text}\""))
        controller.starting.connect(self._make_room)
        controller.run_started.connect(self._run_started)
        controller.progressed.connect(self._progressed)
        controller.finished.connect(self._finished)
        controller.failed.connect(self._failed)
        controller.message.connect(self.log.log)
        controller.weights_reset.connect(self._update_actions)
        controller.weights_reset.connect(self.plots.curves.empty_axes)
        controller.weights_reset.connect(self.plots.redraw)
        controller.weights_reset.connect(self.progress.clear)
        self.designer.graph_valid_changed.connect(self._update_actions)
        self.dataset.loaded.connect(controller.remember_dataset)
        self.dataset.loaded.connect(self._update_actions)
        self.dataset.failed.connect(self._update_actions)
        self.document.changed.connect(self._update_actions)  # the trained network may be gone
        self.document.changed.connect(self._show_learning_rate)
        self.document.replaced.connect(controller.forget_project)
        self._watch()  # before the first run starts (it is kept current from then on)
        self._show_learning_rate()

    # --- state ------------------------------------------------------------------------------------------
    def layer_colors(self, layers: Sequence[str]) -> Mapping[str, QColor]:
        """Each layer's colour on the canvas (the canvas's accent order for layers it does not show)."""
        on_canvas = self.designer.node_colors()
        fallback = accent_colors(layers)
        return {name: on_canvas.get(name, fallback[name]) for name in layers}

    def _update_actions(self) -> None:
        state = self.controller.state
        idle, live = state == "idle", state in ("running", "paused")
        trained = idle and self.controller.has_model
        blocker = train_blocker(state, self.designer)
        self.train.setEnabled(not blocker)
        self.train.setToolTip(blocker or TRAIN_TIP)
        self.train.setStatusTip(blocker or TRAIN_TIP)
        self.pause.setEnabled(live)
        self.stop.setEnabled(live)
        self.reset.setEnabled(trained)
        self.save_weights.setEnabled(trained)
        self.predict.setEnabled(trained)
        if not self.controller.has_model:
            self.plots.predictions.clear()
        self.plots.predictions.set_available(trained)
        self.pause.blockSignals(True)
        self.pause.setChecked(state == "paused")
        self.pause.blockSignals(False)

    def _state_changed(self, state: str) -> None:
        self.edit_lock.set_locked(state != "idle")
        self._update_actions()
        self.plots.set_live(state != "idle")
        self.progress.set_paused(state == "paused")
        on_show = self.plots.currentWidget() is self.plots.predictions
        if state == "idle" and on_show and self.controller.has_model:
            self.show_predictions()  # the predictions on show follow the newly trained model

    def _make_room(self, epochs_planned: float) -> None:
        """Lay the window out for a run before its thread starts: the dock grows, the canvas fits
        the network again, the progress bar appears and the epoch axis takes the run's range.
        Drawn once the thread ran, that first frame waited on the GIL for every Python part of it
        (canvas items, the palette's rows, the axes); the controller starts the thread from a
        zero-delay timer, so the loop paints this layout first. No events are processed here:
        a click handled inside ``start()`` could start or close something halfway."""
        self.dock.show()
        self.dock.raise_()
        grow = self.parts.grow_bottom_dock(self.dock)
        self.progress.begin()
        self.plots.curves.show_epochs(epochs_planned)
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # the new sizes, now
        if grow:  # the canvas just lost height: fit the network again so no node sits below the fold
            self.designer.view.fit_all()

    def _run_started(self, started: RunStarted) -> None:
        self.progress.start(started.info, self.controller.record.epochs_before)
        self._watch()
        info = started.info
        self.log.log(f"Training: {info.epochs} epochs of {info.batches_per_epoch} batches "
                                  f"({info.train_samples:,} samples).")
        self.plots.redraw()

    def _show_learning_rate(self) -> None:
        self.learning_rate.show_training(self.registry, self.document.data["training"])

    def _set_learning_rate(self, value: float) -> None:
        """The project's learning rate (one undo step), and the running optimizer's if a run is on."""
        self.document.edit("Set learning rate", lambda data: settings_edits.set_component_param(
            data, "optimizer", "learning_rate", value))
        self.controller.set_learning_rate(value)

    def _progressed(self, progress: Progress) -> None:
        started = self.controller.record.started
        if started is not None:
            self.progress.update(started.info, progress, self.controller.record.epochs_before)

    def _tab_changed(self, _index: int) -> None:
        self._watch()

    def _watch(self, dock_visible: bool = True) -> None:
        """Tell the training thread which probe views are on show (the dock's visibility signal
        comes before the plots' own visibility has changed)."""
        self.controller.watch(self.plots.watched_views() if dock_visible else frozenset())

    def _finished(self, history: History) -> None:
        text = history_summary(history)
        self.log.log(f"Training ended: {text}")
        self.progress.finish(f"Trained: {text}")

    def _failed(self, text: str) -> None:
        self.progress.finish("Training failed")
        QMessageBox.warning(self.parts.widget, "Training failed", text)

    # --- after training -------------------------------------------------------------------------------------
    def export_model(self) -> TrainedModel:
        """What File > Export writes: a copy of the trained model (the export runs in the background
        and the next run may start meanwhile), else the project's network with its saved weights."""
        run = self.controller.trained_run()
        if run is None:
            return self.export_menu.saved_model()
        return TrainedModel(run.model.with_dtype(run.model.dtype.name), run.loss, run.preprocessing,
                            project_title(self.document.project()))

    def show_predictions(self) -> None:
        try:
            samples = self.controller.predict_samples()
        except (ValueError, DataError) as error:
            self.log.log(f"Cannot predict: {error}", "error")
            return
        self.plots.predictions.show_samples(samples)
        self.plots.setCurrentWidget(self.plots.predictions)
        self.dock.raise_()

    def save_weights_to(self, path: str | Path) -> bool:
        """Save the trained weights to ``path`` and record them in the project (undoable)."""
        try:
            saved = self.controller.save_weights(path)
        except (ValueError, OSError) as error:
            self._report("Cannot save the weights", str(error))
            return False
        document = self.document
        relative = relative_to_project(saved, document.project())
        document.edit("Use trained weights", project_weights_edit(relative))
        self.log.log(f"Saved the trained weights to {saved}")
        return True

    def ask_and_save_weights(self) -> bool:
        path = self._ask_path("Save trained weights", ".weights.npz", "Trained weights (*.npz)")
        return self.save_weights_to(path) if path else False

    def ask_and_export_png(self) -> None:
        path = self._ask_path("Export plots", ".plots.png", "PNG image (*.png)")
        if path:
            self._write(lambda: self.plots.export_png(path), f"Saved the plots to {path}")

    def ask_and_export_csv(self) -> None:
        path = self._ask_path("Export plot data", ".history.csv", "CSV table (*.csv)")
        if path:
            self._write(lambda: self.plots.export_csv(path), f"Saved the plot data to {path}")

    def _write(self, write, done: str) -> None:
        try:
            write()
        except OSError as error:
            self._report("Cannot write the file", str(error))
            return
        self.log.log(done)

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> Path | None:
        """``<project>.plots.png`` is offered; a name typed without ".png" gets it."""
        extension = suffix[suffix.rindex("."):]
        return ask_save_path(self.parts.widget, title, self.document, extension, file_filter, suffix)

    def _report(self, title: str, text: str) -> None:
        self.log.log(text, "error")
        QMessageBox.warning(self.parts.widget, title, text)

    def shutdown(self) -> None:
        """Stop a run and wait for its thread (the window is closing)."""
        self.controller.shutdown()

