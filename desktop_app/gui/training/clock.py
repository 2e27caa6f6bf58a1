"""The one clock the training part's rate limits read: how often the bridge emits and probes, how
often the status bar's progress and the per-epoch curves are redrawn.

It is injected (``TrainingUI(..., clock=...)`` hands it to each of them), so a test drives every
limit with one fake clock instead of waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]  # seconds, monotonic

monotonic: Clock = time.perf_counter
