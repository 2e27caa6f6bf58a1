"""The window's sizes at first start and for a run, fitted to the screen it opens on.

The window opens at 1400x860 where the screen has room, else as large as the screen's free area
(a 1024x700 laptop screen gets the whole of it, not a window running off its edges). The bottom
panels (model summary, log, training plots) get about two fifths of the height from the start, so
the plots are readable before the first run (they got ~100 px at 170 px for the whole area).
"""

from __future__ import annotations

from PySide6.QtCore import QSize

DEFAULT_SIZE = QSize(1400, 860)
# what the window manager's frame and title bar take around the window
FRAME = QSize(16, 48)
BOTTOM_SHARE = 0.42
BOTTOM_MIN, BOTTOM_MAX = 240, 360


def first_size(available: QSize) -> QSize:
    """The window's size at first start on a screen whose free area is ``available``."""
    return DEFAULT_SIZE.boundedTo(available - FRAME)


def bottom_height(window_height: int) -> int:
    """The height of the bottom panels (the training plots among them) in a window this tall."""
    return max(BOTTOM_MIN, min(BOTTOM_MAX, round(window_height * BOTTOM_SHARE)))
