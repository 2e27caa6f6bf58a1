"""The Health tab's wiring: the feed's updates to the panel and the canvas badges, and Apply as
one undoable project edit (only while no run is on: a run locks the project)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject, Signal
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
        feed.updated.connect(self.show_update)
        self.panel.hint_selected.connect(self._offer)
        self.panel.apply_requested.connect(self.apply)
        document.changed.connect(lambda: self._offer(self.panel.selected_hint()))
        document.replaced.connect(lambda: self.show_update(None))  # hints about another project

    def set_idle(self, idle: bool) -> None:
        """Apply edits the project: only between runs. A new run starts the findings over."""
        if not idle and self.idle:
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

    def _offer(self, hint: Hint | None) -> None:
        fixing = self._plan(hint)
        self.panel.set_apply(None if fixing is None else fixing.label, self.idle)
