"""The probe lab (Training > Probe Lab): any input through the network, every node's answer, the
point map of a layer, and the units of Dense layers, seen and edited."""

from .install import install_probe_lab
from .lab import ProbeLab

__all__ = ["ProbeLab", "install_probe_lab"]
