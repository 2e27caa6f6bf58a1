"""``python -m desktop_app`` runs the same command line as ``backprop-studio``."""

from .cli import run

run()
