"""Backprop Studio: design neural networks visually and train them live on a NumPy engine."""

__version__ = "0.1.0"
