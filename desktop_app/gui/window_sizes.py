"""The window's sizes at first start and for a run, fitted to the screen it opens on.

The window opens at 1400x860 where the screen has room, else as large as the screen's free area
(a 1024x700 laptop screen gets the whole of it, not a window running off its edges). The bottom
panels (model summary, log, training plots) get about two fifths of the height from the start, so
the plots are readable before the first run (they got ~100 px at 170 px for the whole area), and
the side panels shrink with a narrow window so that the canvas keeps half of its width.
"""

from __future__ import annotations

from PySide6.QtCore import QSize

DEFAULT_SIZE = QSize(1400, 860)
# what the window manager's frame and title bar take around the window
FRAME = QSize(16, 48)
BOTTOM_SHARE = 0.42
BOTTOM_MIN, BOTTOM_MAX = 300, 360
PALETTE_WIDTH, INSPECTOR_WIDTH = 240, 360  # at the default width; a fifth and a quarter on less
PALETTE_SHARE, INSPECTOR_SHARE = 0.2, 0.26


def first_size(available: QSize) -> QSize:
    """The window's size at first start on a screen whose free area is ``available``."""
    return DEFAULT_SIZE.boundedTo(available - FRAME)


def bottom_height(window_height: int) -> int:
    """The height of the bottom panels (the training plots among them) in a window this tall."""
    return max(BOTTOM_MIN, min(BOTTOM_MAX, round(window_height * BOTTOM_SHARE)))


def side_widths(window_width: int) -> list[int]:
    """The widths of the palette (left) and the inspector (right) in a window this wide."""
    return [min(PALETTE_WIDTH, round(window_width * PALETTE_SHARE)),
            min(INSPECTOR_WIDTH, round(window_width * INSPECTOR_SHARE))]
