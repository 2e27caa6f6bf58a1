"""A model's probability as the window writes it: one decimal, and never a certainty it is not.

Softmax and sigmoid outputs lie strictly between 0 and 1, but 0.99996 rounded to one decimal reads
"100.0 %": in a class on backpropagation that teaches the wrong thing (and hides how far the loss,
-log p, can still fall).
"""

from __future__ import annotations


def probability_text(share: float) -> str:
    """``share`` (0..1) as "62.5 %"; ">99.9 %" and "<0.1 %" where rounding would say 100 or 0."""
    percent = 100.0 * share
    if share < 1.0 and round(percent, 1) >= 100.0:
        return ">99.9 %"
    if share > 0.0 and round(percent, 1) <= 0.0:
        return "<0.1 %"
    return f"{percent:.1f} %"
