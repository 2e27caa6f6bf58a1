"""The layer palette: every registered layer type, grouped by category, searchable.

Built from the registry alone (type_name, category, description), so a plugin's layer appears
here with no GUI code. Drag an entry onto the canvas, or double-click it / press Enter to add it.
Enter in the search box adds the best match (the name itself, then a name starting with the text),
which is kept highlighted while typing. A search for a training setting ("loss", "adam") finds no
layer, so the palette says where that setting lives instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from PySide6.QtCore import QMimeData, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .canvas.style import CATEGORY_COLORS
from .canvas.view import LAYER_MIME

TYPE_ROLE = Qt.ItemDataRole.UserRole
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1


class PaletteTree(QTreeWidget):
    """The tree itself: drags carry the layer type name; Enter and double-click choose it."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setItemDelegate(_TwoLineDelegate(self))
        self.setUniformRowHeights(False)
        self.itemDoubleClicked.connect(lambda item, _column: self._choose(item))

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        data = QMimeData()
        type_name = items[0].data(0, TYPE_ROLE) if items else None
        if type_name:
            data.setData(LAYER_MIME, type_name.encode("utf-8"))
            data.setText(type_name)
        return data

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self._choose(self.currentItem())
            return
        super().keyPressEvent(event)

    def _choose(self, item: QTreeWidgetItem) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.chosen.emit(type_name)


class PaletteWidget(QWidget):
    """Search box over the tree; ``layer_chosen(type name)`` when the user picks an entry.

    ``settings_keywords()`` gives, per training section ("loss", ...), the words that name it and
    its types; a search that finds no layer but one of those points to the section.
    """

    # the type name of the entry the user picked
    layer_chosen = Signal(str)
    # the training section ("loss", "optimizer", "schedule") a search pointed the user to
    settings_requested = Signal(str)

    def __init__(self, layer_types: Mapping[str, type], parent: QWidget | None = None,
                 settings_keywords: Callable[[], Mapping[str, str]] = dict) -> None:
        super().__init__(parent)
        self._settings_keywords = settings_keywords
        self.search = QLineEdit(self)
        self.search.setObjectName("palette_search")
        self.search.setPlaceholderText("Search layers…")
        self.search.setClearButtonEnabled(True)
        self.hint = QLabel(self)
        self.hint.setObjectName("palette_hint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.linkActivated.connect(self.settings_requested)
        self.hint.hide()
        self.tree = PaletteTree(self)
        self.tree.setObjectName("palette_tree")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.hint)
        layout.addWidget(self.tree)
        self.set_layer_types(layer_types)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._choose_best_match)
        self.tree.chosen.connect(self.layer_chosen)

    def set_layer_types(self, layer_types: Mapping[str, type]) -> None:
        """(Re)fill the tree, one group per category, sorted by name."""
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for name in sorted(layer_types, key=str.lower):
            cls = layer_types[name]
            category = getattr(cls, "category", "Other") or "Other"
            group = groups.get(category)
            if group is None:
                group = groups[category] = QTreeWidgetItem([category])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                bold = QFont(group.font(0))
                bold.setBold(True)
                group.setFont(0, bold)
            description = getattr(cls, "description", "") or ""
            item = QTreeWidgetItem(group, [name])
            item.setData(0, TYPE_ROLE, name)
            item.setData(0, DESCRIPTION_ROLE, description)
            item.setToolTip(0, f"{name}: {description}" if description else name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsDragEnabled)
        for category in sorted(groups, key=_category_order):
            self.tree.addTopLevelItem(groups[category])
        self.tree.expandAll()
        self.filter(self.search.text())

    def type_names(self, visible_only: bool = False) -> list[str]:
        names = []
        for group_index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(group_index)
            for index in range(group.childCount()):
                item = group.child(index)
                if not (visible_only and item.isHidden()):
                    names.append(item.data(0, TYPE_ROLE))
        return names

    def filter(self, text: str) -> None:
        """Show entries whose name, category or description contains every word of ``text``."""
        words = text.lower().split()
        for group_index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(group_index)
            shown = 0
            for index in range(group.childCount()):
                item = group.child(index)
                haystack = " ".join([item.text(0), group.text(0), item.data(0, DESCRIPTION_ROLE)]).lower()
                hidden = not all(word in haystack for word in words)
                item.setHidden(hidden)
                shown += not hidden
            group.setHidden(shown == 0)
        best = self.best_match()
        self.tree.setCurrentItem(self._item(best) if best else None)
        self._show_hint(text.strip(), best)

    def best_match(self) -> str | None:
        """The entry Enter adds: the name typed, else the first name starting with the text, else
        the first entry shown (its category or description matched); None for an empty search."""
        query = self.search.text().strip().lower()
        shown = self.type_names(visible_only=True)
        if not query or not shown:
            return None
        for fits in (str.__eq__, str.startswith):
            for name in shown:
                if fits(name.lower(), query):
                    return name
        return shown[0]

    def settings_section(self) -> str | None:
        """The training section whose words hold every word of the search (first one wins)."""
        words = self.search.text().lower().split()
        for section, keywords in self._settings_keywords().items():
            if words and all(word in keywords.lower() for word in words):
                return section
        return None

    def _show_hint(self, text: str, best: str | None) -> None:
        if best or not text:
            self.hint.hide()
            return
        section, quoted = self.settings_section(), f"“{html.escape(text)}”"
        if section is None:
            self.hint.setText(f"No layer matches {quoted}.")
        else:
            self.hint.setText(f"{quoted} is not a layer: the {section} is set in the Training tab of "
                              f"the Inspector. <a href=\"{section}\">Show it</a> (or press Enter).")
        self.hint.show()

    def _item(self, type_name: str) -> QTreeWidgetItem | None:
        found = self.tree.findItems(type_name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
        return next((item for item in found if item.data(0, TYPE_ROLE) == type_name), None)

    def _choose_best_match(self) -> None:
        best = self.best_match()
        if best:
            self.layer_chosen.emit(best)
        elif (section := self.settings_section()) is not None:
            self.settings_requested.emit(section)


def _category_order(category: str) -> tuple[int, str]:
    """Built-in categories in the order a network is read (input to output), then the others."""
    known = list(CATEGORY_COLORS)
    return (known.index(category) if category in known else len(known), category)


class _TwoLineDelegate(QStyledItemDelegate):
    """Layer entries show their name and, below it in smaller grey text, their description."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(DESCRIPTION_ROLE):
            size.setHeight(int(size.height() * 2.1))
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        description = index.data(DESCRIPTION_ROLE)
        if not description:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        text = option.text
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect.adjusted(4, 2, -4, -2)
        top = QRect(rect.left(), rect.top(), rect.width(), rect.height() // 2)
        bottom = QRect(rect.left(), rect.top() + rect.height() // 2, rect.width(), rect.height() // 2)
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        painter.drawText(top, Qt.AlignmentFlag.AlignVCenter, text)
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.85))
        painter.setFont(small)
        if not selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        elided = painter.fontMetrics().elidedText(description, Qt.TextElideMode.ElideRight, bottom.width())
        painter.drawText(bottom, Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()
