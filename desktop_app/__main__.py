"""``python -m desktop_app`` runs the same command line as ``backprop-studio``."""

from .launcher import run

run()
