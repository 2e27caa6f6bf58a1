"""Icons and the stylesheet shipped under resources/."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from ..paths import RESOURCES

ICONS_DIR = RESOURCES / "icons"
STYLESHEET = RESOURCES / "styles" / "studio.qss"


def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` (an empty icon when the file is missing)."""
    path = ICONS_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8") if STYLESHEET.is_file() else ""
