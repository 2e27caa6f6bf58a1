"""The Health tab's wiring: the feed's updates to the panel and the canvas badges, and Apply as
one undoable project edit (only while no run is on: a run locks the project).

A hint is about the last run: once its fix is applied, the button says so (and is off) until the
next run starts or the user undoes the edit, rather than offering the same fix again on top of it
(a learning rate divided by ten each click)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QTabWidget

from ...engine.health import Hint
from ...registry import Registry
from ..canvas.node_item import NodeItem
from ..document import ProjectDocument
from ..graph_edits import EditError
from ..training.curves import LayerColors
from .badges import CanvasBadges
from .feed import HealthFeed, HealthUpdate
from .fixes import FixPlan, plan
from .panel import HealthPanel

TAB_TITLE = "Health"


class HealthTab(QObject):
    """Adds the Health panel to ``plots`` and keeps it, and the badges on ``nodes``, current."""

    # an applied fix, for the log: the undo step's name
    applied = Signal(str)
    # the hints now shown (empty: none, or a new run or another project started over)
    shown = Signal(tuple)

    def __init__(self, feed: HealthFeed, plots: QTabWidget, document: ProjectDocument, registry: Registry,
                 nodes: Mapping[str, NodeItem], layer_colors: LayerColors) -> None:
        super().__init__(plots)
        self.plots = plots
        self.document, self.registry = document, registry
        self.panel = HealthPanel(layer_colors)
        plots.addTab(self.panel, TAB_TITLE)
        self.badges = CanvasBadges(nodes)
        self.idle = True
        # the fixes applied since the last run started: the hint's (rule, nodes) -> (label, undo
        # step, the undo stack's index just after it)
        self._applied: dict[tuple[str, tuple[str, ...]], tuple[str, QUndoCommand, int]] = {}
        self._index = document.undo_stack.index()
        feed.updated.connect(self.show_update)
        self.panel.hint_selected.connect(self._offer)
        self.panel.apply_requested.connect(self.apply)
        document.changed.connect(lambda: self._offer(self.panel.selected_hint()))
        document.undo_stack.indexChanged.connect(self._stack_moved)
        document.replaced.connect(self._replaced)

    def set_idle(self, idle: bool) -> None:
        """Apply edits the project: only between runs. A new run starts the findings over."""
        if not idle and self.idle:
            self._applied.clear()
            self.show_update(None)
        self.idle = idle
        self._offer(self.panel.selected_hint())

    def show_update(self, update: HealthUpdate | None) -> None:
        hints = update.hints if update is not None else ()
        self.panel.show_update(update)
        self.badges.show(hints)
        self.shown.emit(hints)

    def reveal(self, rule: str) -> None:
        """Bring the tab forward with the hint of ``rule`` selected: its Why and its Apply."""
        self.plots.setCurrentWidget(self.panel)
        self.panel.select(rule)

    def apply(self, hint: Hint) -> bool:
        """Make ``hint``'s fix one undo step; False when there is nothing to apply now."""
        fixing = self._plan(hint)
        if fixing is None or not self.idle:
            return False
        self.document.edit(fixing.label, fixing.change)
        self._index = self.document.undo_stack.index()
        self._applied[(hint.rule, hint.nodes)] = (fixing.label, self.document.last_command(), self._index)
        self.applied.emit(fixing.label)
        self._offer(hint)
        return True

    def _plan(self, hint: Hint | None) -> FixPlan | None:
        if hint is None or hint.fix is None:
            return None
        try:
            return plan(hint.fix, self.document.data, self.registry)
        except EditError:  # a node the hint names was renamed or removed since
            return None

    def _replaced(self) -> None:
        """Another project: its hints, and what was applied, are of the previous one."""
        self._applied.clear()
        self.show_update(None)

    def _applied_label(self, hint: Hint | None) -> str | None:
        """The label of ``hint``'s applied fix while its edit is done (undone: on offer again; redone:
        applied again)."""
        if hint is None or (hint.rule, hint.nodes) not in self._applied:
            return None
        label, command, after = self._applied[(hint.rule, hint.nodes)]
        if self._index < after:  # (the stack is not read then: it may be on its way out)
            return None
        return label if self.document.undo_stack.command(after - 1) is command else None

    def _stack_moved(self, index: int) -> None:
        """An undo changes the data before the stack's index: whether a fix is done shows now."""
        self._index = index
        self._offer(self.panel.selected_hint())

    def _offer(self, hint: Hint | None) -> None:
        applied = self._applied_label(hint)
        if applied is not None:
            self.panel.set_applied(applied)
            return
        fixing = self._plan(hint)
        self.panel.set_apply(None if fixing is None else fixing.label, self.idle)
