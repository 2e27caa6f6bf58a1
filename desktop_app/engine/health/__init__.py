"""Training health: what the gradients, updates and activations of each layer say, and what to do.

``HealthMonitor`` (a trainer callback) measures every parameterized layer and every ReLU, sigmoid
and tanh a few times a second's worth of steps; ``diagnose`` turns its ``HealthRecord`` into
``Hint``s, each with a Why in backprop terms and, where one exists, a ``Fix``. The thresholds and
their sources are in ``rules.py`` and docs/health.md.
"""

from .hints import Fix, Hint
from .monitor import HealthMonitor
from .record import EpochFigures, HealthRecord, LayerSeries
from .rules import diagnose

__all__ = ["EpochFigures", "Fix", "HealthMonitor", "HealthRecord", "Hint", "LayerSeries", "diagnose"]
